import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  CertificationTerm,
  daysInMonth,
  type LocalDay,
  localDayOf,
  REMINDER_DAYS,
  startOfLocalDay,
} from './certification-term.ts';

const DAY = 86_400_000;
const iso = (d: LocalDay) => `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;
const rome = (s: string) => {
  // `s` is a Rome wall time; the test data only uses hours far from the DST switches.
  const [date, time = '12:00'] = s.split(' ');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  return new Date(startOfLocalDay({ y: y!, m: m!, d: d! }).getTime() + (hh! * 60 + mm!) * 60_000);
};
/** Calendar days between two local days. */
const dayDiff = (a: LocalDay, b: LocalDay) => Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / DAY);

/** A small deterministic generator (mulberry32): the same cases on every run, many of them. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Instants from 2019 to 2036, biased towards month ends, leap days and the DST weekends. */
function instants(n: number, seed: number): Date[] {
  const r = rng(seed);
  const out: Date[] = [];
  for (let i = 0; i < n; i++) {
    const y = 2019 + Math.floor(r() * 17);
    const m = 1 + Math.floor(r() * 12);
    const dim = daysInMonth(y, m);
    const pick = r();
    // A third on the last three days of a month (29 February included), the rest anywhere.
    const d = pick < 0.34 ? dim - Math.floor(r() * 3) : 1 + Math.floor(r() * dim);
    const minute = Math.floor(r() * 1440);
    out.push(new Date(startOfLocalDay({ y, m, d }).getTime() + minute * 60_000));
  }
  // The edges by name: leap days, month ends, the last Sundays of March and October, New Year's Eve.
  for (const s of [
    '2024-02-29 09:00',
    '2028-02-29 23:59',
    '2027-01-31 10:00',
    '2027-03-31 00:00',
    '2026-03-29 01:30',
    '2026-10-25 02:30',
    '2026-12-31 23:30',
    '2025-08-31 18:00',
  ])
    out.push(rome(s));
  return out;
}

describe('month and day arithmetic', () => {
  it.each<[string, number, string]>([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2028-02-29', 48, '2032-02-29'],
    ['2026-08-31', 1, '2026-09-30'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-05-10', 12, '2027-05-10'],
  ])('%s + %i months = %s', (from, months, to) => {
    const [y, m, d] = from.split('-').map(Number);
    expect(iso(addMonths({ y: y!, m: m!, d: d! }, months))).toBe(to);
  });

  it.each<[string, number, string]>([
    ['2027-03-01', -30, '2027-01-30'],
    ['2028-03-03', -7, '2028-02-25'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2027-01-05', -7, '2026-12-29'],
  ])('%s %+i days = %s', (from, days, to) => {
    const [y, m, d] = from.split('-').map(Number);
    expect(iso(addDays({ y: y!, m: m!, d: d! }, days))).toBe(to);
  });
});

describe('certification terms (property checks over generated instants)', () => {
  const cases = instants(1500, 20260302);

  it('the expiry is local midnight of the anniversary, clamped to the month end', () => {
    for (const from of cases) {
      const start = localDayOf(from);
      const expiry = CertificationTerm.expiry(from);
      const day = localDayOf(expiry);
      expect(iso(day), from.toISOString()).toBe(
        iso({ y: start.y + 1, m: start.m, d: Math.min(start.d, daysInMonth(start.y + 1, start.m)) }),
      );
      expect(startOfLocalDay(day).getTime(), from.toISOString()).toBe(expiry.getTime());
      // 365 or 366 days later (less the time of day already gone), never less than 364 whole days.
      expect(expiry.getTime() - from.getTime()).toBeGreaterThan(364 * DAY);
      expect(expiry.getTime() - from.getTime()).toBeLessThanOrEqual(366 * DAY + 3_600_000);
    }
  });

  it('reminders fall at local midnight exactly 30 and 7 calendar days before the expiry day, in order', () => {
    for (const from of cases) {
      const expiry = CertificationTerm.expiry(from);
      const [r30, r7] = REMINDER_DAYS.map((d) => CertificationTerm.reminderAt(expiry, d));
      expect(dayDiff(localDayOf(r30!), localDayOf(expiry))).toBe(30);
      expect(dayDiff(localDayOf(r7!), localDayOf(expiry))).toBe(7);
      expect(startOfLocalDay(localDayOf(r30!)).getTime()).toBe(r30!.getTime());
      expect(r30!.getTime()).toBeLessThan(r7!.getTime());
      expect(r7!.getTime()).toBeLessThan(expiry.getTime());
    }
  });

  it('the stage only moves forward: valid → 30 days → 7 days → lapsed, switching exactly at the reminder instants', () => {
    const order = (s: ReturnType<typeof CertificationTerm.stage>) =>
      s.kind === 'valid' ? 0 : s.kind === 'lapsed' ? 3 : s.days === 30 ? 1 : 2;
    for (const from of cases.slice(0, 120)) {
      const expiry = CertificationTerm.expiry(from);
      const r30 = CertificationTerm.reminderAt(expiry, 30);
      const r7 = CertificationTerm.reminderAt(expiry, 7);
      expect(CertificationTerm.stage(expiry, new Date(r30.getTime() - 1))).toEqual({ kind: 'valid' });
      expect(CertificationTerm.stage(expiry, r30)).toEqual({ kind: 'remind', days: 30 });
      expect(CertificationTerm.stage(expiry, new Date(r7.getTime() - 1))).toEqual({ kind: 'remind', days: 30 });
      expect(CertificationTerm.stage(expiry, r7)).toEqual({ kind: 'remind', days: 7 });
      expect(CertificationTerm.stage(expiry, new Date(expiry.getTime() - 1))).toEqual({ kind: 'remind', days: 7 });
      expect(CertificationTerm.stage(expiry, expiry)).toEqual({ kind: 'lapsed' });
      let last = 0;
      const step = 3 * DAY + 7 * 3_600_000 + 17 * 60_000;
      for (let t = from.getTime(); t <= expiry.getTime() + step; t += step) {
        const o = order(CertificationTerm.stage(expiry, new Date(t)));
        expect(o).toBeGreaterThanOrEqual(last);
        last = o;
      }
      expect(last).toBe(3);
    }
  });

  it('renewing early keeps the anniversary and never shortens the term; renewing after a lapse starts from now', () => {
    for (const from of cases) {
      const expiry = CertificationTerm.expiry(from);
      const early = new Date(expiry.getTime() - 10 * DAY);
      const renewed = CertificationTerm.renewal(expiry, early);
      expect(renewed.getTime()).toBeGreaterThan(expiry.getTime());
      expect(iso(localDayOf(renewed))).toBe(iso(addMonths(localDayOf(expiry), 12)));
      const late = new Date(expiry.getTime() + 40 * DAY);
      expect(CertificationTerm.renewal(expiry, late).getTime()).toBe(CertificationTerm.expiry(late).getTime());
      expect(CertificationTerm.renewal(null, from).getTime()).toBe(expiry.getTime());
    }
  });
});

describe('named cases', () => {
  it('a leap day certification expires on 28 February, its reminders on 29 January and 21 February', () => {
    const expiry = CertificationTerm.expiry(rome('2024-02-29 15:00'));
    expect(iso(localDayOf(expiry))).toBe('2025-02-28');
    expect(expiry.toISOString()).toBe('2025-02-27T23:00:00.000Z');
    expect(iso(localDayOf(CertificationTerm.reminderAt(expiry, 30)))).toBe('2025-01-29');
    expect(iso(localDayOf(CertificationTerm.reminderAt(expiry, 7)))).toBe('2025-02-21');
  });

  it('an expiry just after the spring DST change is at local midnight (UTC+2)', () => {
    const expiry = CertificationTerm.expiry(rome('2026-03-30 11:00'));
    expect(expiry.toISOString()).toBe('2027-03-29T22:00:00.000Z');
    // 7 days before: 23 March 2027, still winter time (UTC+1).
    expect(CertificationTerm.reminderAt(expiry, 7).toISOString()).toBe('2027-03-22T23:00:00.000Z');
  });

  it('granted with ten days left: the first reminder is due at once (10 days left), the 7-day one later', () => {
    const expiry = CertificationTerm.expiry(rome('2026-01-20 10:00'));
    const tenDaysBefore = new Date(expiry.getTime() - 10 * DAY);
    expect(CertificationTerm.stage(expiry, tenDaysBefore)).toEqual({ kind: 'remind', days: 30 });
    expect(CertificationTerm.daysLeft(expiry, tenDaysBefore)).toBe(10);
    expect(CertificationTerm.stage(expiry, new Date(expiry.getTime() - 3 * DAY))).toEqual({ kind: 'remind', days: 7 });
  });
});
