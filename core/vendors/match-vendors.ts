import { Vendor } from './model.ts';
import type { VendorStats } from './vendor-stats.ts';

export interface MatchCandidate {
  readonly vendor: Vendor;
  readonly stats: Pick<VendorStats, 'rating' | 'reviews' | 'resolutionOnTime' | 'active'>;
}

export interface MatchWanted {
  readonly category: string | null;
  readonly region: string | null;
}

/** Reviews a new vendor is assumed to have at the register's middle mark, so one 5★ does not beat twenty 4.8★. */
const PRIOR_REVIEWS = 3;
const PRIOR_RATING = 3.5;

/** The rating ranked on: the average pulled towards the middle while reviews are few. */
export function rankedRating(s: MatchCandidate['stats']): number {
  const sum = (s.rating ?? 0) * s.reviews;
  return (sum + PRIOR_RATING * PRIOR_REVIEWS) / (s.reviews + PRIOR_REVIEWS);
}

/**
 * The automatic match a moderator confirms: certified vendors (at `now`) working in the
 * category and serving the region (or the whole country), best first — by rating (weighted by
 * how many reviews back it), then on-time resolution, then the fewest engagements under way,
 * then name. Pure.
 */
export function matchVendors(candidates: readonly MatchCandidate[], wanted: MatchWanted, now: Date, limit = 3): MatchCandidate[] {
  return candidates
    .filter((c) => Vendor.isCertified(c.vendor, now))
    .filter((c) => wanted.category === null || (c.vendor.categories as readonly string[]).includes(wanted.category))
    .filter((c) => Vendor.serves(c.vendor, wanted.region))
    .sort(
      (a, b) =>
        rankedRating(b.stats) - rankedRating(a.stats) ||
        (b.stats.resolutionOnTime ?? 0.5) - (a.stats.resolutionOnTime ?? 0.5) ||
        a.stats.active - b.stats.active ||
        a.vendor.name.localeCompare(b.vendor.name, 'it'),
    )
    .slice(0, limit);
}
