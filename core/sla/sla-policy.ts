/**
 * SLA targets per tier × priority, and the settings every SLA clock shares (business calendar,
 * when an unclaimed ticket is re-announced and reported). Pure: the database stores overrides
 * (`SlaRepository`), this module holds the defaults and the rules to read, write and show them.
 */

import type { Priority, Tier } from '../kernel/ticket.ts';
import { BusinessCalendar, type BusinessCalendarConfig } from './business-calendar.ts';

/** The two SLA targets of a ticket: first response (someone claims it) and resolution. */
export const SLA_TARGETS = ['response', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

export const SLA_TIERS: readonly Tier[] = ['volunteer', 'vendor'];
export const PRIORITIES: readonly Priority[] = [1, 2, 3, 4, 5];

/**
 * One row of the policy: targets in business minutes (fractions allowed, so tests can use
 * seconds), counted on the business calendar or, with `allHours`, around the clock (24×7).
 */
export interface SlaPolicyRow {
  readonly tier: Tier;
  readonly priority: Priority;
  readonly responseMinutes: number;
  readonly resolutionMinutes: number;
  readonly allHours: boolean;
}

/** Settings shared by every SLA clock; stored once in the database, defaults below. */
export interface SlaSettings {
  /** IANA time zone of the business calendar. */
  readonly timeZone: string;
  /** Working hours, as `BusinessCalendar.parseHours` reads them: `'mon-fri 09:00-18:00'`. */
  readonly hours: string;
  /** Local holidays, `'MM-DD'` (yearly) or `'YYYY-MM-DD'` (once): Milan keeps `'12-07'`. */
  readonly localHolidays: readonly string[];
  /** An unclaimed ticket is re-announced (wider mention) after this share of its response target… */
  readonly reannounceAfter: number;
  /** …and reported to the moderators after this share, if still unclaimed. */
  readonly reportAfter: number;
}

export const DEFAULT_SLA_SETTINGS: SlaSettings = Object.freeze({
  timeZone: 'Europe/Rome',
  hours: 'mon-fri 09:00-18:00',
  localHolidays: [],
  reannounceAfter: 0.5,
  reportAfter: 1,
});

const H = 60;
/** A business day of the default calendar (09:00–18:00). */
const D = 9 * H;

/**
 * Default targets. Volunteer SLAs are best-effort targets; vendor ones are the commitment a
 * certified supplier signs, so they are tighter. P1 runs 24×7 on both tiers.
 *
 * | tier      | P1 (24×7) | P2      | P3      | P4       | P5       |
 * |-----------|-----------|---------|---------|----------|----------|
 * | volunteer | 1h / 8h   | 4h / 3d | 8h / 5d | 2d / 10d | 5d / 20d |
 * | vendor    | 30m / 4h  | 2h / 1d | 4h / 2d | 1d / 5d  | 2d / 10d |
 */
export const DEFAULT_SLA_POLICIES: readonly SlaPolicyRow[] = Object.freeze([
  { tier: 'volunteer', priority: 1, responseMinutes: 1 * H, resolutionMinutes: 8 * H, allHours: true },
  { tier: 'volunteer', priority: 2, responseMinutes: 4 * H, resolutionMinutes: 3 * D, allHours: false },
  { tier: 'volunteer', priority: 3, responseMinutes: 8 * H, resolutionMinutes: 5 * D, allHours: false },
  { tier: 'volunteer', priority: 4, responseMinutes: 2 * D, resolutionMinutes: 10 * D, allHours: false },
  { tier: 'volunteer', priority: 5, responseMinutes: 5 * D, resolutionMinutes: 20 * D, allHours: false },
  { tier: 'vendor', priority: 1, responseMinutes: 30, resolutionMinutes: 4 * H, allHours: true },
  { tier: 'vendor', priority: 2, responseMinutes: 2 * H, resolutionMinutes: 1 * D, allHours: false },
  { tier: 'vendor', priority: 3, responseMinutes: 4 * H, resolutionMinutes: 2 * D, allHours: false },
  { tier: 'vendor', priority: 4, responseMinutes: 1 * D, resolutionMinutes: 5 * D, allHours: false },
  { tier: 'vendor', priority: 5, responseMinutes: 2 * D, resolutionMinutes: 10 * D, allHours: false },
] satisfies SlaPolicyRow[]);

const calendarCache = new Map<string, { business: BusinessCalendarConfig; always: BusinessCalendarConfig }>();

export const SlaPolicy = {
  /** The defaults with every stored row laid over them: always 10 rows, tier then priority. */
  effective(stored: readonly SlaPolicyRow[]): SlaPolicyRow[] {
    return DEFAULT_SLA_POLICIES.map((d) => stored.find((s) => s.tier === d.tier && s.priority === d.priority) ?? d);
  },

  /** The row for a tier and priority (defaults when the table has none). */
  find(rows: readonly SlaPolicyRow[], tier: Tier, priority: Priority): SlaPolicyRow {
    const row =
      rows.find((r) => r.tier === tier && r.priority === priority) ??
      DEFAULT_SLA_POLICIES.find((r) => r.tier === tier && r.priority === priority);
    if (!row) throw new Error(`No SLA policy for ${tier} P${priority}`);
    return row;
  },

  targetMinutes(row: SlaPolicyRow, target: SlaTarget): number {
    return target === 'response' ? row.responseMinutes : row.resolutionMinutes;
  },

  /** Checks a row a person typed; returns the reason when it is not acceptable. */
  validate(row: SlaPolicyRow): string | undefined {
    const ok = (m: number) => Number.isFinite(m) && m > 0 && m <= 366 * 24 * 60;
    if (!ok(row.responseMinutes) || !ok(row.resolutionMinutes)) return 'duration';
    if (row.responseMinutes > row.resolutionMinutes) return 'response_after_resolution';
    return undefined;
  },

  /** The business calendar of the settings, validated (throws with the offending part). */
  calendar(settings: SlaSettings, allHours = false): BusinessCalendarConfig {
    const key = JSON.stringify([settings.timeZone, settings.hours, settings.localHolidays]);
    let hit = calendarCache.get(key);
    if (!hit) {
      const business = BusinessCalendar.defaultConfig({
        timeZone: settings.timeZone,
        week: BusinessCalendar.parseHours(settings.hours),
        localHolidays: [...settings.localHolidays],
      });
      hit = { business, always: BusinessCalendar.defaultConfig({ ...business, always: true }) };
      if (calendarCache.size > 50) calendarCache.clear();
      calendarCache.set(key, hit);
    }
    return allHours ? hit.always : hit.business;
  },

  /**
   * How many minutes "a day" means when a person types `3d`: 24 hours around the clock,
   * otherwise the average working day of the calendar (9 h for Mon–Fri 09–18).
   */
  dayMinutes(cal: BusinessCalendarConfig): number {
    if (cal.always) return 24 * H;
    const perDay = Object.values(cal.week)
      .map((intervals) => intervals.reduce((sum, i) => sum + minutesOf(i.end) - minutesOf(i.start), 0))
      .filter((m) => m > 0);
    return perDay.length ? Math.round(perDay.reduce((a, b) => a + b, 0) / perDay.length) : D;
  },

  /**
   * Reads a duration typed in chat: `45m`, `4h`, `1h30m`, `3d` (Italian `3g`, `4ore`, `30min`).
   * Days are `dayMinutes` long. Returns minutes, or undefined when it is not a duration.
   */
  parseDuration(text: string, dayMinutes: number): number | undefined {
    const s = text.trim().toLowerCase().replace(',', '.');
    const re = /\s*(\d+(?:\.\d+)?)\s*(gg|giorni|giorno|days|day|g|d|ore|ora|hours|hour|h|o|minuti|min|m)/gy;
    let total = 0;
    let end = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      const n = Number(m[1]);
      const unit = m[2] ?? '';
      total += n * (/^(gg|g|d|giorn|day)/.test(unit) ? dayMinutes : /^(h|o|ore|ora|hour)/.test(unit) ? H : 1);
      end = re.lastIndex;
    }
    return end === s.length && end > 0 && total > 0 ? total : undefined;
  },
} as const;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
