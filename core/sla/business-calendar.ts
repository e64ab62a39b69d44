/**
 * Business calendar for SLA clocks: counts time only inside configured weekly working hours,
 * skipping Italian national holidays and configured local holidays, in an IANA time zone.
 * Pure: no I/O, no libraries — time-zone math uses `Intl.DateTimeFormat` only.
 */
import { wallClock, zonedToUtcMs, zoneFormatter } from '../kernel/zoned-time.ts';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A working interval in local wall-clock time, `'HH:MM'`; `end` may be `'24:00'`. */
export interface WorkingInterval {
  readonly start: string;
  readonly end: string;
}

/** Working intervals per ISO weekday (sorted, non-overlapping). */
export type WeekHours = Readonly<Record<IsoWeekday, readonly WorkingInterval[]>>;

/** Calendar configuration. Treat as immutable: it is validated and compiled once per object. */
export interface BusinessCalendarConfig {
  /** IANA zone, default `'Europe/Rome'`. */ readonly timeZone: string;
  /** Working hours per ISO weekday. */ readonly week: WeekHours;
  /** Extra holidays: `'MM-DD'` (every year) or `'YYYY-MM-DD'` (one-off). */ readonly localHolidays: readonly string[];
  /** 24×7: every minute counts, holidays and `week` are ignored. */ readonly always?: boolean;
}

const MIN = 60_000,
  DAY = 86_400_000;
const MAX_DAYS = 3 * 366; // search cap for addBusinessMinutes, in local days (~3 years)
const NATIONAL = new Set(['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26']);
/** 4 October, San Francesco d'Assisi: a national holiday again from 2026 (legge 8 ottobre 2025, n. 151). */
const SAINT_FRANCIS = '10-04';
const SAINT_FRANCIS_FROM = 2026;
const DAY_NAMES: ReadonlyMap<string, IsoWeekday> = new Map(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'lun', 'mar', 'mer', 'gio', 'ven', 'sab', 'dom'].map((n, i) => [
    n,
    ((i % 7) + 1) as IsoWeekday,
  ]),
);
const WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

type Span = readonly [number, number];
/** A validated config: `days[1..7]` hold [start, end) minutes of the local day. */
interface Compiled {
  readonly timeZone: string;
  readonly days: readonly (readonly Span[])[];
  readonly always: boolean;
  readonly recurring: ReadonlySet<string>;
  readonly oneOff: ReadonlySet<string>;
  readonly hasWork: boolean;
  /** Each local day's working spans (UTC ms) once computed, by the day's UTC midnight epoch. */
  readonly spansOfDay: Map<number, readonly Span[]>;
}

/** Local days whose spans a calendar keeps (about ten years of them). */
const MAX_CACHED_DAYS = 4_000;

const compiledCache = new WeakMap<BusinessCalendarConfig, Compiled>();
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** 'HH:MM' → minutes of day; `'24:00'` only when `isEnd`. */
function toMinutes(s: string, isEnd: boolean): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  const [h, mi] = [Number(m?.[1]), Number(m?.[2])];
  if (m && mi <= 59 && (h < 24 || (h === 24 && mi === 0 && isEnd))) return h * 60 + mi;
  throw new Error(`Invalid time '${s}': expected HH:MM between 00:00 and ${isEnd ? '24:00' : '23:59'}`);
}

const fmtHM = (min: number): string => `${pad(Math.floor(min / 60))}:${pad(min % 60)}`;

/** Validates and sorts one day's intervals; throws on empty or overlapping intervals. */
function daySpans(intervals: readonly WorkingInterval[], day: IsoWeekday): Span[] {
  const spans = intervals.map((i): Span => [toMinutes(i.start, false), toMinutes(i.end, true)]).sort((a, b) => a[0] - b[0]);
  spans.forEach(([s, e], k) => {
    if (s >= e) throw new Error(`Invalid interval ${fmtHM(s)}-${fmtHM(e)} on weekday ${day}: start must precede end`);
    const prev = spans[k - 1];
    if (prev && prev[1] > s) throw new Error(`Overlapping intervals on weekday ${day} at ${fmtHM(s)}`);
  });
  return spans;
}

function compile(cfg: BusinessCalendarConfig): Compiled {
  zoneFormatter(cfg.timeZone); // an unknown zone throws here, naming it
  const hit = compiledCache.get(cfg);
  if (hit) return hit;
  const days: Span[][] = [[]];
  for (const d of WEEKDAYS) days.push(daySpans(cfg.week[d] ?? [], d));
  const [recurring, oneOff] = [new Set<string>(), new Set<string>()];
  for (const h of cfg.localHolidays) {
    const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(h);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) {
      throw new Error(`Invalid local holiday '${h}': expected 'MM-DD' or 'YYYY-MM-DD'`);
    }
    (m[1] ? oneOff : recurring).add(h);
  }
  const c: Compiled = {
    timeZone: cfg.timeZone,
    days,
    recurring,
    oneOff,
    always: cfg.always === true,
    hasWork: days.some((d) => d.length > 0),
    spansOfDay: new Map(),
  };
  compiledCache.set(cfg, c);
  return c;
}

function holidayOn(c: Compiled, y: number, m: number, d: number): boolean {
  const md = `${pad(m)}-${pad(d)}`;
  if (NATIONAL.has(md) || (md === SAINT_FRANCIS && y >= SAINT_FRANCIS_FROM)) return true;
  if (c.recurring.has(md) || c.oneOff.has(`${pad(y, 4)}-${md}`)) return true;
  const e = easterSunday(y);
  const mon = new Date(Date.UTC(y, e.month - 1, e.day + 1));
  return (m === e.month && d === e.day) || (m === mon.getUTCMonth() + 1 && d === mon.getUTCDate());
}

/** Working spans as UTC [start, end) ms, day by day from the local date of `from`, for `days` local days. */
function* workingSpans(c: Compiled, from: number, days: number): Generator<Span> {
  const { y, m, d } = wallClock(from, c.timeZone);
  for (let i = 0; i < days; i++) yield* spansOfDay(c, Date.UTC(y, m - 1, d + i));
}

/** The working spans of one local day (`day`: its date's UTC midnight), computed once per calendar. */
function spansOfDay(c: Compiled, day: number): readonly Span[] {
  const hit = c.spansOfDay.get(day);
  if (hit) return hit;
  const civil = new Date(day);
  const [Y, M, D] = [civil.getUTCFullYear(), civil.getUTCMonth() + 1, civil.getUTCDate()];
  const spans: Span[] = holidayOn(c, Y, M, D)
    ? []
    : (c.days[civil.getUTCDay() || 7] ?? []).map(
        ([s, e]): Span => [zonedToUtcMs(Y, M, D, s, c.timeZone), zonedToUtcMs(Y, M, D, e, c.timeZone)],
      );
  if (c.spansOfDay.size >= MAX_CACHED_DAYS) c.spansOfDay.clear();
  c.spansOfDay.set(day, spans);
  return spans;
}

function instant(d: Date, what: string): number {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new Error(`Invalid date for ${what}`);
  return t;
}

/** Computus (anonymous Gregorian algorithm): Easter Sunday of `year`, month 1–12. */
function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19,
    b = Math.floor(year / 100),
    c = year % 100;
  const d = Math.floor(b / 4),
    e = b % 4,
    f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30,
    i = Math.floor(c / 4),
    k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  return { month: Math.floor((h + l - 7 * m + 114) / 31), day: ((h + l - 7 * m + 114) % 31) + 1 };
}

/**
 * Parses an hours spec such as `'mon-fri 09:00-13:00,14:00-18:00; sat 09:00-12:00'`.
 * Groups are `;`-separated: a day list (`mon`, `mon-fri`, `mon,wed-fri`; English or Italian
 * abbreviations `lun..dom`) then `,`-separated `HH:MM-HH:MM` intervals. Unlisted days are closed.
 * @throws Error with the offending part on a malformed spec, reversed day range or overlapping hours.
 */
function parseHours(spec: string): WeekHours {
  const week: Record<IsoWeekday, WorkingInterval[]> = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
  const bad = (why: string): never => {
    throw new Error(why);
  };
  try {
    const groups = spec
      .split(';')
      .map((g) => g.trim())
      .filter(Boolean);
    if (groups.length === 0) bad('empty');
    for (const group of groups) {
      const [, dayList = '', hours = ''] = /^(\S+)\s+(\S.*)$/.exec(group) ?? bad(`expected '<days> HH:MM-HH:MM[,...]' in '${group}'`);
      const days: IsoWeekday[] = [];
      for (const tok of dayList.toLowerCase().split(',')) {
        const ids = tok.split('-').map((n) => DAY_NAMES.get(n));
        const [from, to = from] = ids;
        if (ids.length > 2 || from === undefined || to === undefined || ids.includes(undefined)) bad(`unknown day(s) '${tok}'`);
        else if (from > to) bad(`reversed day range '${tok}'`);
        else for (let d = from; d <= to; d++) days.push(d as IsoWeekday);
      }
      for (const part of hours.split(',')) {
        const [, start = '', end = ''] =
          /^\s*(\S+?)\s*-\s*(\S+)\s*$/.exec(part) ?? bad(`bad interval '${part.trim()}', expected HH:MM-HH:MM`);
        for (const d of days) week[d].push({ start, end });
      }
    }
    for (const d of WEEKDAYS) week[d] = daySpans(week[d], d).map(([s, e]) => ({ start: fmtHM(s), end: fmtHM(e) }));
  } catch (err) {
    throw new Error(`Invalid hours spec '${spec}': ${(err as Error).message}`);
  }
  return week;
}

const DEFAULT_WEEK = parseHours('mon-fri 09:00-18:00');

/** Business-hours arithmetic on UTC instants (`Date`), in the configured zone and calendar. */
export const BusinessCalendar = {
  /** Europe/Rome, Mon–Fri 09:00–18:00, no local holidays, not 24×7 — merged with `overrides` and validated. */
  defaultConfig(overrides: Partial<BusinessCalendarConfig> = {}): BusinessCalendarConfig {
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    const cfg: BusinessCalendarConfig = Object.freeze({ timeZone: 'Europe/Rome', week: DEFAULT_WEEK, localHolidays: [], ...defined });
    compile(cfg);
    return cfg;
  },

  /** Whether the local date of `date` in `cfg.timeZone` is a national (Italian) or local holiday. */
  isHoliday(cfg: BusinessCalendarConfig, date: Date): boolean {
    const c = compile(cfg);
    const { y, m, d } = wallClock(instant(date, 'isHoliday'), c.timeZone);
    return holidayOn(c, y, m, d);
  },

  easterSunday,
  parseHours,

  /**
   * Instant when `minutes` business minutes have elapsed counting from `from`. With 0 minutes,
   * returns `from` if open, else the next opening. Consuming an interval exactly returns its end.
   * @throws Error if no working time is configured, none is found within ~3 years, or minutes < 0.
   */
  addBusinessMinutes(cfg: BusinessCalendarConfig, from: Date, minutes: number): Date {
    const c = compile(cfg);
    const t0 = instant(from, 'addBusinessMinutes');
    if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`Invalid business minutes: ${minutes}`);
    if (c.always) return new Date(t0 + minutes * MIN);
    if (!c.hasWork) throw new Error('Business calendar has no working time configured');
    let rest = minutes * MIN;
    for (const [s, e] of workingSpans(c, t0, MAX_DAYS)) {
      const start = Math.max(s, t0);
      if (e <= start) continue;
      if (rest === 0) return new Date(start);
      if (rest <= e - start) return new Date(start + rest);
      rest -= e - start;
    }
    throw new Error(`No business time found within ${MAX_DAYS} days of ${from.toISOString()}`);
  },

  /** Business minutes between two instants (0 if `to <= from`); fractional if not minute-aligned. */
  businessMinutesBetween(cfg: BusinessCalendarConfig, from: Date, to: Date): number {
    const c = compile(cfg);
    const [a, b] = [instant(from, 'businessMinutesBetween'), instant(to, 'businessMinutesBetween')];
    if (b <= a) return 0;
    if (c.always) return (b - a) / MIN;
    let ms = 0;
    const [wa, wb] = [wallClock(a, c.timeZone), wallClock(b, c.timeZone)];
    const days = (Date.UTC(wb.y, wb.m - 1, wb.d) - Date.UTC(wa.y, wa.m - 1, wa.d)) / DAY + 1;
    for (const [s, e] of workingSpans(c, a, days)) {
      if (s >= b) break;
      ms += Math.max(0, Math.min(e, b) - Math.max(s, a));
    }
    return ms / MIN;
  },

  /** Whether `at` is inside business hours (intervals are half-open: start included, end excluded). */
  isOpen(cfg: BusinessCalendarConfig, at: Date): boolean {
    const c = compile(cfg);
    const t = instant(at, 'isOpen');
    if (c.always) return true;
    for (const [s, e] of workingSpans(c, t, 1)) if (s <= t && t < e) return true;
    return false;
  },
} as const;
