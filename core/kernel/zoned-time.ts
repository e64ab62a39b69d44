/**
 * Wall-clock time in a time zone (Europe/Rome for Sportello's people), with `Intl` only: the
 * hour skipped or repeated when daylight saving time starts or ends is handled.
 */

export const ROME = 'Europe/Rome';
const DAY_MS = 86_400_000;

const fmtCache = new Map<string, Intl.DateTimeFormat>();
/** A formatter giving every wall-clock part of an instant in `timeZone`; throws on an unknown zone. */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = fmtCache.get(timeZone);
  if (!f) {
    const n = 'numeric' as const;
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: n, month: n, day: n, hour: n, minute: n, second: n });
    } catch {
      throw new Error(`Invalid time zone '${timeZone}': expected an IANA zone such as 'Europe/Rome'`);
    }
    fmtCache.set(timeZone, f);
  }
  return f;
}

export interface WallClock {
  readonly y: number;
  readonly m: number;
  readonly d: number;
  /** The wall clock encoded as a UTC epoch (ms), for arithmetic on local times. */
  readonly ms: number;
}

/** `YYYY-MM-DD` of `at` in the zone (Rome unless told). */
export function localDay(at: Date, timeZone = ROME): string {
  const w = wallClock(at.getTime(), timeZone);
  return `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** The wall clock of instant `t` (epoch ms) in the zone. */
export function wallClock(t: number, timeZone = ROME): WallClock {
  const p: Record<string, number> = {};
  for (const { type, value } of zoneFormatter(timeZone).formatToParts(t)) if (type !== 'literal') p[type] = Number(value);
  const [y, m, d] = [p['year'] ?? 0, p['month'] ?? 1, p['day'] ?? 1];
  return { y, m, d, ms: Date.UTC(y, m - 1, d, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0) };
}

/**
 * Local wall-clock time → UTC epoch ms. A time that happens twice (DST ends) is the earlier
 * instant; a time that never happens (DST starts) is shifted forward by the gap.
 */
export function zonedToUtcMs(y: number, m: number, d: number, minutes: number, timeZone = ROME): number {
  const w = Date.UTC(y, m - 1, d, 0, minutes);
  const offsetAt = (t: number) => wallClock(t, timeZone).ms - Math.floor(t / 1000) * 1000;
  const [offBefore, offAfter] = [offsetAt(w - DAY_MS), offsetAt(w + DAY_MS)];
  const [a, b] = [w - offBefore, w - offAfter];
  if (offBefore === offAfter) return a;
  const [okA, okB] = [wallClock(a, timeZone).ms === w, wallClock(b, timeZone).ms === w];
  return okA && okB ? Math.min(a, b) : okB ? b : a;
}
