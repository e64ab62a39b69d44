/**
 * Certification terms: when a certification granted (or renewed) at an instant expires, when
 * the reminders fall, and which stage a certification is in at a given instant. Pure date math
 * on the Europe/Rome calendar, where the committee works.
 *
 * A certification runs `months` calendar months from the local day it starts and expires at
 * local midnight of its anniversary: granted on 15 March 2026 at 16:40 → expires at the start of
 * 15 March 2027. A start on a day the target month does not have is clamped to that month's last
 * day (31 January + 1 month → 28 or 29 February; 29 February 2028 + 12 months → 28 February
 * 2029). Reminders fall at local midnight 30 and 7 calendar days before the expiry day. Renewing
 * runs a new term from the current expiry (renewing early loses no days) or from now once lapsed.
 */

export const DEFAULT_TERM_MONTHS = 12;
export const REMINDER_DAYS = [30, 7] as const;
export type ReminderDays = (typeof REMINDER_DAYS)[number];
export const CERTIFICATION_ZONE = 'Europe/Rome';

/** Where a certification stands at an instant. */
export type TermStage = { readonly kind: 'valid' } | { readonly kind: 'remind'; readonly days: ReminderDays } | { readonly kind: 'lapsed' };

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    fmtCache.set(timeZone, f);
  }
  return f;
}

/** A calendar day (month 1–12). */
export interface LocalDay {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

/** The local calendar day of `at` in `timeZone`. */
export function localDayOf(at: Date, timeZone = CERTIFICATION_ZONE): LocalDay {
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(at)) if (type !== 'literal') p[type] = Number(value);
  return { y: p['year'] ?? 1970, m: p['month'] ?? 1, d: p['day'] ?? 1 };
}

function wallMs(at: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(at)) if (type !== 'literal') p[type] = Number(value);
  return Date.UTC(p['year'] ?? 1970, (p['month'] ?? 1) - 1, p['day'] ?? 1, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0);
}

/**
 * The instant local midnight begins `day` in `timeZone`. Midnight is never inside a DST gap in
 * Rome (the clocks move at 02:00/03:00); the offset is read a few hours either side of it.
 */
export function startOfLocalDay(day: LocalDay, timeZone = CERTIFICATION_ZONE): Date {
  const wall = Date.UTC(day.y, day.m - 1, day.d);
  for (const probe of [wall - 3 * 3_600_000, wall + 3 * 3_600_000]) {
    const offset = wallMs(probe, timeZone) - probe;
    const candidate = wall - offset;
    if (wallMs(candidate, timeZone) === wall) return new Date(candidate);
  }
  return new Date(wall - (wallMs(wall, timeZone) - wall));
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** `months` calendar months after `day`, the day clamped to the target month's length. */
export function addMonths(day: LocalDay, months: number): LocalDay {
  const index = day.y * 12 + (day.m - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return { y, m, d: Math.min(day.d, daysInMonth(y, m)) };
}

/** `days` calendar days after (or, negative, before) `day`. */
export function addDays(day: LocalDay, days: number): LocalDay {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export const CertificationTerm = {
  /** When a term started at `from` expires. */
  expiry(from: Date, months = DEFAULT_TERM_MONTHS, timeZone = CERTIFICATION_ZONE): Date {
    return startOfLocalDay(addMonths(localDayOf(from, timeZone), months), timeZone);
  },

  /** The instant the `days`-day reminder before `expiresAt` falls. */
  reminderAt(expiresAt: Date, days: ReminderDays, timeZone = CERTIFICATION_ZONE): Date {
    return startOfLocalDay(addDays(localDayOf(expiresAt, timeZone), -days), timeZone);
  },

  /**
   * The stage at `now`: lapsed from the expiry on; otherwise the latest reminder whose day has
   * come (a certification granted with 10 days left gets only the 7-day one); else valid.
   */
  stage(expiresAt: Date, now: Date, timeZone = CERTIFICATION_ZONE): TermStage {
    if (now.getTime() >= expiresAt.getTime()) return { kind: 'lapsed' };
    let due: ReminderDays | undefined;
    for (const days of REMINDER_DAYS) if (now.getTime() >= CertificationTerm.reminderAt(expiresAt, days, timeZone).getTime()) due = days;
    return due === undefined ? { kind: 'valid' } : { kind: 'remind', days: due };
  },

  /** Calendar days from `now`'s local day to the expiry day (0 on the day itself). */
  daysLeft(expiresAt: Date, now: Date, timeZone = CERTIFICATION_ZONE): number {
    const [a, b] = [localDayOf(now, timeZone), localDayOf(expiresAt, timeZone)];
    return Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86_400_000);
  },

  /** A renewal's new expiry: a full term after the current expiry, or after now once lapsed. */
  renewal(currentExpiry: Date | null, now: Date, months = DEFAULT_TERM_MONTHS, timeZone = CERTIFICATION_ZONE): Date {
    const from = currentExpiry && currentExpiry.getTime() > now.getTime() ? currentExpiry : now;
    return CertificationTerm.expiry(from, months, timeZone);
  },
};
