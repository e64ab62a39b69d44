/** The periods reports cover, in Rome's calendar: a full week from Monday, a full month, the last days. */
import { localDay, ROME, wallClock, zonedToUtcMs } from '../kernel/zoned-time.ts';
import type { Period } from './model.ts';

const midnight = (y: number, m: number, d: number): Date => new Date(zonedToUtcMs(y, m, d, 0, ROME));

/** The last full week (Monday 00:00 to Monday 00:00, Rome) before `now`. */
export function previousWeek(now: Date): Period {
  const w = wallClock(now.getTime());
  const weekday = (new Date(Date.UTC(w.y, w.m - 1, w.d)).getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(Date.UTC(w.y, w.m - 1, w.d - weekday));
  const prev = new Date(monday.getTime() - 7 * 86_400_000);
  return {
    from: midnight(prev.getUTCFullYear(), prev.getUTCMonth() + 1, prev.getUTCDate()),
    to: midnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()),
  };
}

/** The last full calendar month (Rome) before `now`. */
export function previousMonth(now: Date): Period {
  const w = wallClock(now.getTime());
  const first = new Date(Date.UTC(w.y, w.m - 2, 1));
  return { from: midnight(first.getUTCFullYear(), first.getUTCMonth() + 1, 1), to: midnight(w.y, w.m, 1) };
}

/** The `days` days up to `now`. */
export function lastDays(now: Date, days: number): Period {
  return { from: new Date(now.getTime() - days * 86_400_000), to: now };
}

/** A period's key for "once per period" records: `2026-11-30` for a week starting that Monday (Rome). */
export function periodKey(p: Period): string {
  return localDay(p.from);
}
