/**
 * A change window typed in chat, in Rome's wall time, turned into UTC instants: "12/12 18:00
 * 12/12 20:00", "12/12/2026 18:00 20:00" (the same day), "2026-12-12 18:00 2026-12-12T20:00".
 * Pure: the time-zone math is the kernel's (`kernel/zoned-time.ts`, `Intl` only, as the business
 * calendar's), so the hour skipped or repeated when daylight saving time starts or ends is handled.
 */
import { DomainError } from '../kernel/errors.ts';
import { ROME, wallClock, zonedToUtcMs } from '../kernel/zoned-time.ts';

export const WINDOW_TIME_ZONE = ROME;
/** The longest window a change may hold: a forgotten window must not silence machines for ever. */
export const MAX_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

/**
 * Wall-clock time in the zone → the UTC instant. A time that happens twice (DST ends) is the
 * first one; a time that never happens (DST starts) is shifted forward by the gap.
 */
export function zonedToUtc(y: number, m: number, d: number, hour: number, minute: number, timeZone = WINDOW_TIME_ZONE): Date {
  return new Date(zonedToUtcMs(y, m, d, hour * 60 + minute, timeZone));
}

interface Day {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

const validDay = (y: number, m: number, d: number): boolean => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** `12/12`, `12/12/2026`, `12-12-26`, `12.12.2026`, `2026-12-12`; a day without year is this year's (next year's once a month past). */
function parseDay(token: string, today: Day): Day | undefined {
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(token);
  const it = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/.exec(token);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (it) {
    [d, m] = [Number(it[1]), Number(it[2])];
    if (it[3]) y = it[3].length === 2 ? 2000 + Number(it[3]) : Number(it[3]);
    else {
      y = today.y;
      // "5/1" typed in December is next January; a day just past stays this year (and is refused as past).
      if (Date.UTC(y, m - 1, d) < Date.UTC(today.y, today.m - 1, today.d) - 31 * DAY_MS) y += 1;
    }
  } else return undefined;
  return validDay(y, m, d) ? { y, m, d } : undefined;
}

/** `18:00`, `18.00`, `9:30`, `18` → minutes into the day. */
function parseTime(token: string): { h: number; min: number } | undefined {
  const t = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(token);
  if (!t) return undefined;
  const [h, min] = [Number(t[1]), Number(t[2] ?? 0)];
  return h < 24 && min < 60 ? { h, min } : undefined;
}

/** One end of the window: a day and a time (`12/12 18:00`, `2026-12-12T18:00`), or a time alone on `sameDay`. */
function parseEnd(
  tokens: readonly string[],
  i: number,
  today: Day,
  sameDay?: Day,
): { day: Day; h: number; min: number; next: number } | undefined {
  const token = tokens[i];
  if (token === undefined) return undefined;
  const joined = /^(.+)T(\d{1,2}[:.]\d{2})$/i.exec(token);
  if (joined?.[1] && joined[2]) {
    const day = parseDay(joined[1], today);
    const time = parseTime(joined[2]);
    return day && time ? { day, ...time, next: i + 1 } : undefined;
  }
  const day = parseDay(token, today);
  if (day) {
    const time = parseTime(tokens[i + 1] ?? '');
    return time ? { day, ...time, next: i + 2 } : undefined;
  }
  // A time alone: the end on the start's day. ("18" alone is a time only after a start.)
  const time = sameDay && /[:.]/.test(token) ? parseTime(token) : undefined;
  return time && sameDay ? { day: sameDay, ...time, next: i + 1 } : undefined;
}

export interface TypedWindow {
  readonly start: Date;
  readonly end: Date;
  /** The window as typed, for messages. */
  readonly text: string;
  /** How many of the tokens it used. */
  readonly used: number;
}

/**
 * The window at the start of `tokens` (Rome wall time), or undefined when they do not read as
 * one. Not checked against the clock: see `checkWindow`.
 */
export function parseWindow(tokens: readonly string[], now: Date, timeZone = WINDOW_TIME_ZONE): TypedWindow | undefined {
  const today = wallClock(now.getTime(), timeZone);
  const from = parseEnd(tokens, 0, today);
  if (!from) return undefined;
  const to = parseEnd(tokens, from.next, today, from.day);
  if (!to) return undefined;
  return {
    start: zonedToUtc(from.day.y, from.day.m, from.day.d, from.h, from.min, timeZone),
    end: zonedToUtc(to.day.y, to.day.m, to.day.d, to.h, to.min, timeZone),
    text: tokens.slice(0, to.next).join(' '),
    used: to.next,
  };
}

/**
 * Refuses a window that ends before it starts (`invalid_window`), starts before the current
 * minute (`window_in_past`) or lasts more than `MAX_WINDOW_DAYS` (`window_too_long`).
 */
export function checkWindow(w: Pick<TypedWindow, 'start' | 'end'>, now: Date, shown: { start: string; end: string }): void {
  if (w.end.getTime() <= w.start.getTime()) throw new DomainError('invalid_window', shown);
  if (w.start.getTime() < Math.floor(now.getTime() / 60_000) * 60_000) throw new DomainError('window_in_past', shown);
  if (w.end.getTime() - w.start.getTime() > MAX_WINDOW_DAYS * DAY_MS)
    throw new DomainError('window_too_long', { ...shown, days: MAX_WINDOW_DAYS });
}

/** Whether two windows overlap (touching ends do not). */
export function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}
