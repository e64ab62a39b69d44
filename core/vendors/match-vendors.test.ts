import { describe, expect, it } from 'vitest';
import { type MatchCandidate, matchVendors, rankedRating } from './match-vendors.ts';
import type { Vendor, VendorCategory } from './model.ts';

const NOW = new Date('2026-03-02T10:00:00Z');
const LATER = new Date('2027-03-02T00:00:00Z');

function candidate(
  name: string,
  over: {
    categories?: VendorCategory[];
    regions?: string[];
    status?: Vendor['status'];
    until?: Date;
    rating?: number | null;
    reviews?: number;
    onTime?: number | null;
    active?: number;
  } = {},
): MatchCandidate {
  return {
    vendor: {
      id: name,
      ref: `FOR-${name}`,
      name,
      vatNumber: '12345678903',
      regions: over.regions ?? ['lombardia'],
      categories: over.categories ?? ['network'],
      contacts: '',
      status: over.status ?? 'certified',
      certifiedUntil: over.until ?? LATER,
      appliedBy: null,
      createdAt: NOW,
      updatedAt: NOW,
    },
    stats: { rating: over.rating ?? null, reviews: over.reviews ?? 0, resolutionOnTime: over.onTime ?? null, active: over.active ?? 0 },
  };
}

const names = (c: MatchCandidate[]) => c.map((x) => x.vendor.name);

describe('the automatic match', () => {
  it('keeps only certified vendors of the field serving the region (or all Italy), at most three', () => {
    const all = [
      candidate('A'),
      candidate('Suspended', { status: 'suspended' }),
      candidate('Expired', { until: new Date('2026-03-02T09:59:59Z') }),
      candidate('Backup', { categories: ['backup'] }),
      candidate('Sicily', { regions: ['sicilia'] }),
      candidate('National', { regions: ['italia'] }),
      candidate('B'),
      candidate('C'),
    ];
    const got = names(matchVendors(all, { category: 'network', region: 'lombardia' }, NOW));
    expect(got).toHaveLength(3);
    for (const n of got) expect(['A', 'National', 'B', 'C']).toContain(n);
    expect(names(matchVendors(all, { category: 'network', region: 'sicilia' }, NOW, 10)).sort()).toEqual(['National', 'Sicily']);
  });

  it('ranks by rating weighted by reviews, then on-time resolution, then fewer engagements under way, then name', () => {
    const all = [
      candidate('One five-star review', { rating: 5, reviews: 1 }),
      candidate('Twenty at 4.8', { rating: 4.8, reviews: 20 }),
      candidate('Unrated, punctual', { onTime: 1 }),
      candidate('Unrated, late', { onTime: 0.2 }),
      candidate('Unrated, busy', { onTime: 1, active: 3 }),
    ];
    expect(names(matchVendors(all, { category: null, region: null }, NOW, 10))).toEqual([
      'Twenty at 4.8',
      'One five-star review',
      'Unrated, punctual',
      'Unrated, busy',
      'Unrated, late',
    ]);
    expect(rankedRating({ rating: 5, reviews: 1, resolutionOnTime: null, active: 0 })).toBeLessThan(
      rankedRating({ rating: 4.8, reviews: 20, resolutionOnTime: null, active: 0 }),
    );
  });

  it('finds nothing rather than an unsuitable vendor', () => {
    expect(matchVendors([candidate('A', { categories: ['web'] })], { category: 'network', region: null }, NOW)).toEqual([]);
  });
});
