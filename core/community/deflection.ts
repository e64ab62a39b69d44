/**
 * Deflection: before a requester's first message becomes a ticket, the articles and accepted
 * answers that match it are offered with "Risolto, grazie" / "Apri comunque il ticket". Every
 * offer and its outcome is recorded, and the report follows Zendesk's funnel: offered → solved
 * → not back with a ticket within the recontact window.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import type { Platform } from '../kernel/person.ts';
import { CommunityPolicy } from './community-policy.ts';
import type { DeflectionOffer, DeflectionOutcome, DeflectionStats, SearchHit } from './model.ts';
import { DEFLECTION_MIN_SCORE, searchCommunity } from './search.ts';

/** A chat request solved by an article and then opened anyway within two hours was not solved. */
export const RECONTACT_MS = 2 * 60 * 60 * 1000;

/** The best (at most three) articles and accepted answers for a first message, recorded as an offer; undefined when none fits. */
export async function offerSolutions(
  ctx: UseCaseContext,
  text: string,
  platform: Platform,
): Promise<{ readonly offer: DeflectionOffer; readonly hits: SearchHit[] } | undefined> {
  const hits = await searchCommunity(ctx.repos, text, { only: 'solutions', strict: true, minScore: DEFLECTION_MIN_SCORE, limit: 3 });
  if (hits.length === 0) return undefined;
  const offer = await ctx.repos.community.recordOffer({
    source: 'intake',
    personId: ctx.actor.personId,
    platform,
    query: text.slice(0, 1000),
    offered: hits.map((h) => h.ref),
    createdAt: ctx.clock.now(),
  });
  return { offer, hits };
}

/** The requester's answer to an offer of theirs; false when it was answered already (or is not theirs). */
export async function settleOffer(ctx: UseCaseContext, offerId: string, outcome: DeflectionOutcome): Promise<boolean> {
  const offer = /^[0-9a-f-]{36}$/i.test(offerId) ? await ctx.repos.community.findOffer(offerId) : undefined;
  if (!offer || offer.personId !== ctx.actor.personId) return false;
  return ctx.repos.community.settleOffer(offer.id, outcome, ctx.clock.now());
}

export interface DeflectionReport {
  readonly days: number;
  readonly rows: readonly DeflectionStats[];
  readonly total: Omit<DeflectionStats, 'source' | 'platform'>;
  /** Solved and not back within the recontact window, over offers made (0–1). */
  readonly rate: number;
}

/** The deflection funnel of the last `days` days, per source and platform, for moderators. */
export async function deflectionReport(ctx: UseCaseContext, days: number): Promise<DeflectionReport> {
  CommunityPolicy.assertModerator(ctx.actor);
  const since = new Date(ctx.clock.now().getTime() - days * 24 * 60 * 60 * 1000);
  const rows = await ctx.repos.community.deflectionStats(since, RECONTACT_MS);
  const sum = (k: 'offered' | 'resolved' | 'recontacted' | 'declined' | 'unanswered') => rows.reduce((n, r) => n + r[k], 0);
  const total = {
    offered: sum('offered'),
    resolved: sum('resolved'),
    recontacted: sum('recontacted'),
    declined: sum('declined'),
    unanswered: sum('unanswered'),
  };
  const rate = total.offered ? (total.resolved - total.recontacted) / total.offered : 0;
  return { days, rows, total, rate: Math.round(rate * 1000) / 1000 };
}
