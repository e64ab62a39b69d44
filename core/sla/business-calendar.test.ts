import { describe, expect, it } from 'vitest';
import { BusinessCalendar as BC, type BusinessCalendarConfig, type WeekHours } from './business-calendar.ts';

// Reminder: Rome is UTC+1 in winter (CET) and UTC+2 in summer (CEST).
// 2026 DST: starts Sun 2026-03-29 02:00 CET → 03:00 CEST; ends Sun 2026-10-25 03:00 CEST → 02:00 CET.
const d = (iso: string): Date => new Date(iso);
const rome = BC.defaultConfig();
const milan = BC.defaultConfig({ localHolidays: ['12-07'] });
const lunch = BC.defaultConfig({ week: BC.parseHours('mon-fri 09:00-13:00,14:00-18:00') });
const lunchSat = BC.defaultConfig({ week: BC.parseHours('mon-fri 09:00-13:00,14:00-18:00; sat 09:00-12:00') });
const always = BC.defaultConfig({ always: true });
const nightSun = BC.defaultConfig({ week: BC.parseHours('sun 01:00-04:00') });
const gapSun = BC.defaultConfig({ week: BC.parseHours('sun 02:30-05:00') });
const newYork = BC.defaultConfig({ timeZone: 'America/New_York' });
const configs: Record<string, BusinessCalendarConfig> = { rome, milan, lunch, lunchSat, always, nightSun, gapSun, newYork };

describe('easterSunday (anonymous Gregorian algorithm)', () => {
  it.each([
    [2019, 4, 21],
    [2024, 3, 31],
    [2025, 4, 20],
    [2026, 4, 5],
    [2027, 3, 28],
    [2000, 4, 23],
    [2008, 3, 23],
    [2038, 4, 25],
    [2285, 3, 22],
  ])('%i → %i/%i', (year, month, day) => {
    expect(BC.easterSunday(year)).toEqual({ month, day });
  });
});

describe('isHoliday', () => {
  it.each([
    // every national holiday in 2026 (10:00Z is the same local date whatever the offset)
    ['2026-01-01T10:00:00Z', true, 'Capodanno'],
    ['2026-01-06T10:00:00Z', true, 'Epifania'],
    ['2026-04-05T10:00:00Z', true, 'Pasqua'],
    ['2026-04-06T10:00:00Z', true, "Lunedì dell'Angelo"],
    ['2026-04-25T10:00:00Z', true, 'Liberazione'],
    ['2026-05-01T10:00:00Z', true, 'Festa del Lavoro'],
    ['2026-06-02T10:00:00Z', true, 'Festa della Repubblica'],
    ['2026-08-15T10:00:00Z', true, 'Ferragosto'],
    ['2026-11-01T10:00:00Z', true, 'Ognissanti'],
    ['2026-12-08T10:00:00Z', true, 'Immacolata'],
    ['2026-12-25T10:00:00Z', true, 'Natale'],
    ['2026-12-26T10:00:00Z', true, 'Santo Stefano'],
    // ordinary days
    ['2026-01-02T10:00:00Z', false, 'day after Capodanno'],
    ['2026-04-07T10:00:00Z', false, 'day after Easter Monday'],
    ['2026-04-24T10:00:00Z', false, 'day before Liberazione'],
    ['2026-12-07T10:00:00Z', false, "Sant'Ambrogio outside Milan"],
    ['2026-12-27T10:00:00Z', false, 'day after Santo Stefano'],
    // decided by the local (Rome) date, not the UTC date
    ['2026-12-24T23:30:00Z', true, '00:30 CET on 25 Dec'],
    ['2026-12-26T23:30:00Z', false, '00:30 CET on 27 Dec'],
    ['2026-08-14T22:30:00Z', true, '00:30 CEST on 15 Aug'],
    ['2026-12-31T22:59:00Z', false, '23:59 CET on 31 Dec'],
    ['2026-12-31T23:00:00Z', true, '00:00 CET on 1 Jan 2027'],
  ])('%s → %s (%s)', (iso, expected) => {
    expect(BC.isHoliday(rome, d(iso))).toBe(expected);
  });

  it.each([
    ['2019-04-22T10:00:00Z', true],
    ['2024-04-01T10:00:00Z', true],
    ['2025-04-21T10:00:00Z', true],
    ['2026-04-06T10:00:00Z', true],
    ['2027-03-29T10:00:00Z', true],
    ['2019-04-23T10:00:00Z', false],
    ['2024-04-02T10:00:00Z', false],
    ['2025-04-22T10:00:00Z', false],
    ['2027-03-30T10:00:00Z', false],
  ])('Easter Monday: %s → %s', (iso, expected) => {
    expect(BC.isHoliday(rome, d(iso))).toBe(expected);
  });

  it.each([
    ['milan', '2026-12-07T10:00:00Z', true],
    ['milan', '2027-12-07T10:00:00Z', true],
    ['rome', '2026-12-07T10:00:00Z', false],
    ['milan', '2026-12-06T23:30:00Z', true], // 00:30 CET on 7 Dec
    ['oneOff', '2026-11-02T10:00:00Z', true],
    ['oneOff', '2027-11-02T10:00:00Z', false],
  ])('local holidays: %s %s → %s', (name, iso, expected) => {
    const cfg = name === 'oneOff' ? BC.defaultConfig({ localHolidays: ['2026-11-02'] }) : configs[name]!;
    expect(BC.isHoliday(cfg, d(iso))).toBe(expected);
  });
});

describe('isOpen', () => {
  it.each([
    ['rome', '2026-01-10T09:00:00Z', false, 'Saturday 10:00'],
    ['rome', '2026-01-11T09:00:00Z', false, 'Sunday 10:00'],
    ['rome', '2026-01-12T08:00:00Z', true, 'Monday 09:00 (start included)'],
    ['rome', '2026-01-12T07:59:00Z', false, 'Monday 08:59'],
    ['rome', '2026-01-16T16:59:00Z', true, 'Friday 17:59'],
    ['rome', '2026-01-16T17:00:00Z', false, 'Friday 18:00 (end excluded)'],
    ['rome', '2026-06-02T08:00:00Z', false, 'Tuesday 10:00 CEST, Festa della Repubblica'],
    ['rome', '2026-07-01T07:00:00Z', true, 'Wednesday 09:00 CEST'],
    ['rome', '2026-07-01T06:30:00Z', false, 'Wednesday 08:30 CEST'],
    ['rome', '2026-03-30T07:00:00Z', true, 'Monday after DST start, 09:00 CEST'],
    ['rome', '2026-03-30T06:59:00Z', false, 'Monday after DST start, 08:59 CEST'],
    ['milan', '2026-12-07T09:00:00Z', false, "Sant'Ambrogio 10:00"],
    ['lunch', '2026-01-12T12:30:00Z', false, 'lunch break 13:30'],
    ['lunch', '2026-01-12T13:00:00Z', true, 'after lunch 14:00'],
    ['always', '2026-12-25T02:00:00Z', true, '24x7 on Christmas night'],
    ['always', '2026-01-10T03:00:00Z', true, '24x7 on Saturday night'],
    ['newYork', '2026-01-16T14:00:00Z', true, 'New York Friday 09:00 EST'],
    ['newYork', '2026-01-16T13:59:00Z', false, 'New York Friday 08:59 EST'],
  ])('%s %s → %s (%s)', (name, iso, expected) => {
    expect(BC.isOpen(configs[name]!, d(iso))).toBe(expected);
  });
});

describe('addBusinessMinutes', () => {
  it.each([
    ['rome', '2026-01-16T16:00:00Z', 120, '2026-01-19T09:00:00.000Z', 'Fri 17:00 + 2h → Mon 10:00'],
    ['rome', '2026-01-16T16:00:00Z', 60, '2026-01-16T17:00:00.000Z', 'Fri 17:00 + 1h → Fri 18:00 (end of day)'],
    ['rome', '2026-01-16T16:00:00Z', 61, '2026-01-19T08:01:00.000Z', 'Fri 17:00 + 61min → Mon 09:01'],
    ['rome', '2026-01-12T09:15:00Z', 0, '2026-01-12T09:15:00.000Z', '0 min while open → same instant'],
    ['rome', '2026-01-10T09:00:00Z', 0, '2026-01-12T08:00:00.000Z', '0 min on Saturday → Mon 09:00'],
    ['rome', '2026-01-16T17:00:00Z', 0, '2026-01-19T08:00:00.000Z', '0 min at Fri 18:00 → Mon 09:00'],
    ['rome', '2026-01-12T05:00:00Z', 30, '2026-01-12T08:30:00.000Z', 'before opening → counts from 09:00'],
    ['rome', '2026-01-12T08:00:00Z', 5400, '2026-01-23T17:00:00.000Z', '10 business days → Fri 18:00'],
    ['rome', '2026-01-12T08:00:00Z', 5401, '2026-01-26T08:01:00.000Z', '10 business days + 1 min → Mon 09:01'],
    ['rome', '2026-04-03T15:00:00Z', 120, '2026-04-07T08:00:00.000Z', 'Fri 17:00 + 2h over Easter Monday → Tue 10:00'],
    ['rome', '2026-12-24T16:00:00Z', 120, '2026-12-28T09:00:00.000Z', 'Christmas Eve 17:00 + 2h → Mon 28 10:00'],
    ['rome', '2026-12-04T16:00:00Z', 120, '2026-12-07T09:00:00.000Z', "Fri 17:00 + 2h, no Sant'Ambrogio → Mon 10:00"],
    ['milan', '2026-12-04T16:00:00Z', 120, '2026-12-09T09:00:00.000Z', "Milan: skip 7 (Sant'Ambrogio) and 8 Dec → Wed 10:00"],
    // DST with business hours
    ['rome', '2026-03-27T16:00:00Z', 120, '2026-03-30T08:00:00.000Z', 'Fri 17:00 CET + 2h → Mon 10:00 CEST'],
    ['rome', '2026-10-23T15:00:00Z', 120, '2026-10-26T09:00:00.000Z', 'Fri 17:00 CEST + 2h → Mon 10:00 CET'],
    ['nightSun', '2026-03-29T00:00:00Z', 90, '2026-03-29T01:30:00.000Z', 'Sun 01:00 CET + 90min → 03:30 CEST'],
    ['nightSun', '2026-03-28T12:00:00Z', 0, '2026-03-29T00:00:00.000Z', 'next opening Sun 01:00 CET'],
    ['gapSun', '2026-03-28T12:00:00Z', 0, '2026-03-29T01:30:00.000Z', 'opening 02:30 skipped by DST → 03:30 CEST'],
    ['gapSun', '2026-10-24T12:00:00Z', 0, '2026-10-25T00:30:00.000Z', 'ambiguous 02:30 → earlier (CEST)'],
    // 24x7 across DST: wall clock jumps, elapsed time does not
    ['always', '2026-03-28T23:00:00Z', 180, '2026-03-29T02:00:00.000Z', '00:00 CET + 180min → 04:00 CEST'],
    ['always', '2026-10-24T22:00:00Z', 180, '2026-10-25T01:00:00.000Z', '00:00 CEST + 180min → 02:00 CET'],
    ['always', '2026-01-16T16:00:00Z', 120, '2026-01-16T18:00:00.000Z', '24x7 Fri 17:00 + 2h → Fri 19:00'],
    // lunch break
    ['lunch', '2026-01-12T11:30:00Z', 60, '2026-01-12T13:30:00.000Z', '12:30 + 1h → 14:30 (skips lunch)'],
    ['lunch', '2026-01-12T11:30:00Z', 30, '2026-01-12T12:00:00.000Z', '12:30 + 30min → 13:00'],
    ['lunch', '2026-01-12T12:30:00Z', 0, '2026-01-12T13:00:00.000Z', '0 min at 13:30 → 14:00'],
    ['lunch', '2026-01-16T11:00:00Z', 360, '2026-01-19T09:00:00.000Z', 'Fri 12:00 + 6h → Mon 10:00'],
    ['lunchSat', '2026-01-16T16:00:00Z', 120, '2026-01-17T09:00:00.000Z', 'Fri 17:00 + 2h → Sat 10:00'],
    ['newYork', '2026-01-16T22:00:00Z', 120, '2026-01-19T15:00:00.000Z', 'New York Fri 17:00 EST + 2h → Mon 10:00 EST'],
  ])('%s %s + %i → %s (%s)', (name, from, minutes, expected) => {
    expect(BC.addBusinessMinutes(configs[name]!, d(from), minutes).toISOString()).toBe(expected);
  });

  it('adds ~a year of business minutes without minute-by-minute looping', () => {
    const from = d('2026-01-12T08:00:00Z');
    const minutes = 250 * 540;
    const end = BC.addBusinessMinutes(rome, from, minutes);
    expect(end.getTime()).toBeGreaterThan(d('2026-12-01T00:00:00Z').getTime());
    expect(BC.businessMinutesBetween(rome, from, end)).toBe(minutes);
  });
});

describe('businessMinutesBetween', () => {
  it.each([
    ['rome', '2026-01-12T08:00:00Z', '2026-01-12T17:00:00Z', 540, 'one full day'],
    ['rome', '2026-01-12T00:00:00Z', '2026-01-19T00:00:00Z', 2700, 'one full week'],
    ['rome', '2026-01-16T16:00:00Z', '2026-01-19T09:00:00Z', 120, 'Fri 17:00 → Mon 10:00'],
    ['rome', '2026-01-19T09:00:00Z', '2026-01-16T16:00:00Z', 0, 'to before from'],
    ['rome', '2026-01-19T09:00:00Z', '2026-01-19T09:00:00Z', 0, 'to equals from'],
    ['rome', '2026-01-10T00:00:00Z', '2026-01-11T23:00:00Z', 0, 'weekend'],
    ['rome', '2026-03-27T08:00:00Z', '2026-03-30T16:00:00Z', 1080, 'Fri 09:00 CET → Mon 18:00 CEST'],
    ['rome', '2026-10-23T07:00:00Z', '2026-10-26T17:00:00Z', 1080, 'Fri 09:00 CEST → Mon 18:00 CET'],
    ['milan', '2026-12-07T00:00:00Z', '2026-12-09T00:00:00Z', 0, "Sant'Ambrogio + Immacolata"],
    ['rome', '2026-03-28T23:30:00Z', '2026-03-30T07:30:00Z', 30, 'Sun 00:30 CET → Mon 09:30 CEST'],
    ['rome', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 254 * 540, 'whole 2026: 261 weekdays − 7 weekday holidays'],
    ['lunch', '2026-01-12T08:00:00Z', '2026-01-12T17:00:00Z', 480, 'day with lunch break'],
    ['always', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 1380, '24x7 DST-start day has 23h'],
    ['always', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 1500, '24x7 DST-end day has 25h'],
    ['nightSun', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 120, '01:00–04:00 on DST start: 2h'],
    ['nightSun', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 240, '01:00–04:00 on DST end: 4h'],
    ['gapSun', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 90, '02:30(→03:30)–05:00 on DST start'],
    ['gapSun', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 210, '02:30 CEST–05:00 CET on DST end'],
  ])('%s %s → %s = %i (%s)', (name, from, to, expected) => {
    expect(BC.businessMinutesBetween(configs[name]!, d(from), d(to))).toBe(expected);
  });

  // Deterministic pseudo-random samples (LCG with fixed seed): between() inverts add().
  let seed = 20260329;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const names = ['rome', 'milan', 'lunch', 'lunchSat', 'nightSun', 'newYork'];
  const base = d('2026-01-01T00:00:00Z').getTime();
  const samples = Array.from({ length: 24 }, (_, i) => {
    const from = new Date(base + rnd(2 * 365 * 24 * 60) * 60_000).toISOString();
    return [names[i % names.length]!, from, rnd(20_000)] as const;
  });

  it.each(samples)('inverse of add: %s from %s + %i', (name, from, minutes) => {
    const cfg = configs[name]!;
    const end = BC.addBusinessMinutes(cfg, d(from), minutes);
    expect(BC.businessMinutesBetween(cfg, d(from), end)).toBe(minutes);
    if (minutes > 0) expect(BC.businessMinutesBetween(cfg, d(from), new Date(end.getTime() - 60_000))).toBe(minutes - 1);
  });
});

describe('parseHours', () => {
  const closed = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
  const iv = (start: string, end: string) => ({ start, end });
  const am = iv('09:00', '13:00');
  const pm = iv('14:00', '18:00');
  it.each<[string, WeekHours]>([
    [
      'mon-fri 09:00-13:00,14:00-18:00; sat 09:00-12:00',
      { 1: [am, pm], 2: [am, pm], 3: [am, pm], 4: [am, pm], 5: [am, pm], 6: [iv('09:00', '12:00')], 7: [] },
    ],
    [
      'mon-fri 09:00-18:00',
      {
        ...closed,
        1: [iv('09:00', '18:00')],
        2: [iv('09:00', '18:00')],
        3: [iv('09:00', '18:00')],
        4: [iv('09:00', '18:00')],
        5: [iv('09:00', '18:00')],
      },
    ],
    ['MON,wed-thu 9:00-17:30', { ...closed, 1: [iv('09:00', '17:30')], 3: [iv('09:00', '17:30')], 4: [iv('09:00', '17:30')] }],
    ['lun-mar 08:30 - 12:30;', { ...closed, 1: [iv('08:30', '12:30')], 2: [iv('08:30', '12:30')] }],
    ['sun 00:00-24:00', { ...closed, 7: [iv('00:00', '24:00')] }],
    ['mon 14:00-18:00, 09:00-13:00', { ...closed, 1: [am, pm] }],
    ['mon-tue 09:00-13:00; mon 14:00-18:00', { ...closed, 1: [am, pm], 2: [am] }],
  ])('%s', (spec, expected) => {
    expect(BC.parseHours(spec)).toEqual(expected);
  });

  it.each([
    '',
    '  ;  ',
    'mon-fri',
    'xyz 09:00-18:00',
    'mon-xyz 09:00-18:00',
    'mon-tue-wed 09:00-10:00',
    'fri-mon 09:00-18:00',
    'constructor 09:00-10:00',
    'mon-fri 9-18',
    'mon 18:00-09:00',
    'mon 09:00-09:00',
    'mon 09:00-13:00,12:00-18:00',
    'mon 25:00-26:00',
    'mon 09:60-10:00',
    'mon 24:00-24:00',
    'mon 09:00-10:00 extra',
    'mon 09:00-10:00,',
    'mon,,tue 09:00-10:00',
  ])('rejects %j', (spec) => {
    expect(() => BC.parseHours(spec)).toThrow(/Invalid hours spec/);
  });
});

describe('configuration', () => {
  it('defaultConfig: Europe/Rome, Mon–Fri 09:00–18:00, no local holidays, not 24x7', () => {
    expect(rome.timeZone).toBe('Europe/Rome');
    expect(rome.week).toEqual(BC.parseHours('mon-fri 09:00-18:00'));
    expect(rome.localHolidays).toEqual([]);
    expect(rome.always).toBeUndefined();
    expect(Object.isFrozen(rome)).toBe(true);
    expect(BC.defaultConfig({ timeZone: undefined }).timeZone).toBe('Europe/Rome');
  });

  const noWeek = { 1: [], 2: [], 3: [], 4: [], 5: [], 6: [], 7: [] };
  const everyDay = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(5, 10));
  it.each<[string, () => unknown, RegExp]>([
    ['no working time', () => BC.addBusinessMinutes(BC.defaultConfig({ week: noWeek }), d('2026-01-12T08:00:00Z'), 10), /no working time/],
    [
      'every day a holiday (search cap)',
      () => BC.addBusinessMinutes(BC.defaultConfig({ localHolidays: everyDay }), d('2026-01-12T08:00:00Z'), 1),
      /No business time found/,
    ],
    ['bad time zone', () => BC.defaultConfig({ timeZone: 'Mars/Olympus' }), /Invalid time zone/],
    ['bad local holiday', () => BC.defaultConfig({ localHolidays: ['7 Dec'] }), /Invalid local holiday/],
    ['bad local holiday month', () => BC.defaultConfig({ localHolidays: ['13-01'] }), /Invalid local holiday/],
    ['reversed interval', () => BC.defaultConfig({ week: { ...noWeek, 1: [{ start: '18:00', end: '09:00' }] } }), /start must precede end/],
    ['bad time string', () => BC.defaultConfig({ week: { ...noWeek, 1: [{ start: '9am', end: '18:00' }] } }), /Invalid time/],
    ['negative minutes', () => BC.addBusinessMinutes(rome, d('2026-01-12T08:00:00Z'), -1), /Invalid business minutes/],
    ['NaN minutes', () => BC.addBusinessMinutes(rome, d('2026-01-12T08:00:00Z'), Number.NaN), /Invalid business minutes/],
    ['invalid Date', () => BC.isOpen(rome, new Date('nope')), /Invalid date/],
  ])('throws on %s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });

  it('businessMinutesBetween returns 0 when no working time is configured', () => {
    const cfg = BC.defaultConfig({ week: noWeek });
    expect(BC.businessMinutesBetween(cfg, d('2026-01-01T00:00:00Z'), d('2026-02-01T00:00:00Z'))).toBe(0);
  });
});

describe("San Francesco d'Assisi (4 October), national holiday from 2026", () => {
  const cfg = BC.defaultConfig();
  it.each([
    ['2025-10-04T10:00:00Z', false], // before the law (a Saturday anyway, so check the weekday rule separately below)
    ['2027-10-04T10:00:00Z', true], // a Monday
    ['2028-10-04T10:00:00Z', true],
  ])('%s holiday: %s', (iso, expected) => {
    expect(BC.isHoliday(cfg, new Date(iso))).toBe(expected);
  });
  it('a Monday 4 October 2027 is not working time', () => {
    expect(BC.isOpen(cfg, new Date('2027-10-04T09:00:00Z'))).toBe(false);
    expect(BC.isOpen(cfg, new Date('2027-10-05T09:00:00Z'))).toBe(true);
  });
});
