import '../dashboard/ports.ts';
import '../privacy/ports.ts';
import type { Repositories } from '../kernel/ports.ts';

/** How long a delivery id is remembered for dedupe: far beyond any platform's redelivery. */
export const DELIVERY_MEMORY_DAYS = 30;

/**
 * How long an expired one-time code, login link, export link or session is kept: a week, so a
 * late click is still told "expired" or "already used" rather than "unknown"; then it goes.
 */
export const EXPIRED_TOKEN_DAYS = 7;

/**
 * Daily cleanup: abandoned dialogs past their expiry (they are already ignored when read),
 * delivery ids too old to be redelivered, expired codes, links and sessions, and outbox rows
 * delivered or given up over 30 days ago (a year of them is millions of rows, and the lease reads
 * beside them). Keeps these
 * tables the size of recent activity.
 */
export async function housekeeping(
  repos: Repositories,
  now: Date,
): Promise<{ dialogs: number; deliveries: number; tokens: number; outbox: number }> {
  const dialogs = await repos.dialogs.purgeExpired(now);
  const deliveries = await repos.deliveries.forgetBefore(new Date(now.getTime() - DELIVERY_MEMORY_DAYS * 86_400_000));
  const tokensBefore = new Date(now.getTime() - EXPIRED_TOKEN_DAYS * 86_400_000);
  const tokens =
    (await repos.linkCodes.purgeExpired(tokensBefore)) +
    (await repos.dashboard.purgeExpired(tokensBefore)) +
    (await repos.privacy.purgeExpiredLinks(tokensBefore));
  // Sent messages are kept as long as delivery ids: their references (for edits and threads) live apart.
  const outbox = await repos.outbox.purgeDone(new Date(now.getTime() - DELIVERY_MEMORY_DAYS * 86_400_000));
  return { dialogs, deliveries, tokens, outbox };
}
