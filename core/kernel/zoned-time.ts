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
  const ms = Math.floor(t / 1000) * 1000 + zoneOffsetMs(t, timeZone);
  const w = new Date(ms);
  return { y: w.getUTCFullYear(), m: w.getUTCMonth() + 1, d: w.getUTCDate(), ms };
}

/** `formatToParts` per call, the reference the cached offsets are checked against. */
function formattedWallMs(t: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const { type, value } of zoneFormatter(timeZone).formatToParts(t)) if (type !== 'literal') p[type] = Number(value);
  const w = new Date(0);
  w.setUTCFullYear(p['year'] ?? 0, (p['month'] ?? 1) - 1, p['day'] ?? 1);
  return w.setUTCHours(p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0, 0);
}

// formatToParts costs microseconds and the SLA calendar asks for several instants per day it
// walks: the zone's offset is kept per quarter hour of UTC, when it is the same at both ends
// of that quarter (zone transitions fall on quarter hours; one that does not is never cached).
const BUCKET_MS = 15 * 60_000;
const MAX_CACHED = 50_000;
const offsetCache = new Map<string, Map<number, number>>();

function zoneOffsetMs(t: number, timeZone: string): number {
  const bucket = Math.floor(t / BUCKET_MS);
  let zone = offsetCache.get(timeZone);
  const hit = zone?.get(bucket);
  if (hit !== undefined) return hit;
  const offsetAt = (x: number) => formattedWallMs(x, timeZone) - Math.floor(x / 1000) * 1000;
  const start = bucket * BUCKET_MS;
  const [first, last] = [offsetAt(start), offsetAt(start + BUCKET_MS - 1000)];
  if (first !== last) return offsetAt(t);
  if (!zone || zone.size >= MAX_CACHED) offsetCache.set(timeZone, (zone = new Map()));
  zone.set(bucket, first);
  return first;
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
