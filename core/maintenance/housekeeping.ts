import type { Repositories } from '../kernel/ports.ts';

/** How long a delivery id is remembered for dedupe: far beyond any platform's redelivery. */
export const DELIVERY_MEMORY_DAYS = 30;

/**
 * Daily cleanup: abandoned dialogs past their expiry (they are already ignored when read) and
 * delivery ids too old to be redelivered. Keeps both tables the size of recent activity.
 */
export async function housekeeping(repos: Repositories, now: Date): Promise<{ dialogs: number; deliveries: number }> {
  const dialogs = await repos.dialogs.purgeExpired(now);
  const deliveries = await repos.deliveries.forgetBefore(new Date(now.getTime() - DELIVERY_MEMORY_DAYS * 86_400_000));
  return { dialogs, deliveries };
}
