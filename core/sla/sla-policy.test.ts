import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from './business-calendar.ts';
import { formatDuration, policyTable } from './sla-format.ts';
import { DEFAULT_SLA_POLICIES, DEFAULT_SLA_SETTINGS, SlaPolicy } from './sla-policy.ts';

describe('SlaPolicy', () => {
  it('has a default for every tier × priority, vendor tighter than volunteer, P1 around the clock', () => {
    expect(DEFAULT_SLA_POLICIES).toHaveLength(10);
    for (const p of [1, 2, 3, 4, 5] as const) {
      const vol = SlaPolicy.find([], 'volunteer', p);
      const ven = SlaPolicy.find([], 'vendor', p);
      expect(ven.responseMinutes).toBeLessThan(vol.responseMinutes);
      expect(ven.resolutionMinutes).toBeLessThan(vol.resolutionMinutes);
      expect(vol.allHours).toBe(p === 1);
      expect(SlaPolicy.validate(vol)).toBeUndefined();
    }
    expect(SlaPolicy.find([], 'volunteer', 2)).toMatchObject({ responseMinutes: 240, resolutionMinutes: 3 * 540 });
  });

  it('stored rows override the defaults, row by row', () => {
    const stored = [{ tier: 'volunteer' as const, priority: 2 as const, responseMinutes: 60, resolutionMinutes: 600, allHours: true }];
    const eff = SlaPolicy.effective(stored);
    expect(eff).toHaveLength(10);
    expect(SlaPolicy.find(eff, 'volunteer', 2)).toEqual(stored[0]);
    expect(SlaPolicy.find(eff, 'volunteer', 3)).toEqual(SlaPolicy.find([], 'volunteer', 3));
  });

  it.each<[string, number | undefined]>([
    ['45m', 45],
    ['30min', 30],
    ['4h', 240],
    ['4 h', 240],
    ['4ore', 240],
    ['1h30m', 90],
    ['1h 30m', 90],
    ['1,5h', 90],
    ['3d', 1620],
    ['3g', 1620],
    ['2gg', 1080],
    ['1 giorno', 540],
    ['0.5m', 0.5],
    ['', undefined],
    ['4', undefined],
    ['4x', undefined],
    ['h4', undefined],
    ['0h', undefined],
    ['-2h', undefined],
  ])('parseDuration(%j) = %j minutes (a day = 9 working hours)', (text, minutes) => {
    expect(SlaPolicy.parseDuration(text, 540)).toBe(minutes);
  });

  it('a day is the average working day of the calendar, or 24 h around the clock', () => {
    expect(SlaPolicy.dayMinutes(SlaPolicy.calendar(DEFAULT_SLA_SETTINGS))).toBe(540);
    expect(SlaPolicy.dayMinutes(SlaPolicy.calendar(DEFAULT_SLA_SETTINGS, true))).toBe(1440);
    const halfDays = BusinessCalendar.defaultConfig({
      week: BusinessCalendar.parseHours('mon-fri 09:00-13:00,14:00-18:00; sat 09:00-12:00'),
    });
    expect(SlaPolicy.dayMinutes(halfDays)).toBe(Math.round((5 * 480 + 180) / 6));
  });

  it('rejects a response later than the resolution, and empty or absurd times', () => {
    expect(SlaPolicy.validate({ tier: 'volunteer', priority: 2, responseMinutes: 600, resolutionMinutes: 60, allHours: false })).toBe(
      'response_after_resolution',
    );
    expect(SlaPolicy.validate({ tier: 'volunteer', priority: 2, responseMinutes: 0, resolutionMinutes: 60, allHours: false })).toBe(
      'duration',
    );
    expect(SlaPolicy.validate({ tier: 'volunteer', priority: 2, responseMinutes: 1, resolutionMinutes: 1e9, allHours: false })).toBe(
      'duration',
    );
  });

  it('the settings make a validated calendar; a bad hours spec is refused', () => {
    const cal = SlaPolicy.calendar({ ...DEFAULT_SLA_SETTINGS, localHolidays: ['12-07'] });
    expect(BusinessCalendar.isHoliday(cal, new Date('2026-12-07T10:00:00Z'))).toBe(true);
    expect(() => SlaPolicy.calendar({ ...DEFAULT_SLA_SETTINGS, hours: 'mon-fri 18:00-09:00' })).toThrow(/Invalid hours spec/);
  });
});

describe('SLA in words', () => {
  it.each<[number, number, string, string]>([
    [45, 540, '45 min', '45 min'],
    [240, 540, '4 h', '4 h'],
    [1620, 540, '3 g', '3 d'],
    [1700, 540, '3 g 1 h', '3 d 1 h'],
    [600, 1440, '10 h', '10 h'],
    [0.2, 540, 'meno di un minuto', 'less than a minute'],
  ])('formatDuration(%d, day %d) = %j / %j', (minutes, day, it, en) => {
    expect(formatDuration('it', minutes, day)).toBe(it);
    expect(formatDuration('en', minutes, day)).toBe(en);
  });

  it('the policy table lists every row with its hours', () => {
    const table = policyTable('it', SlaPolicy.effective([]), { ...DEFAULT_SLA_SETTINGS, localHolidays: ['12-07'] });
    expect(table.title).toBe('Obiettivi SLA');
    expect(table.text).toContain('Volontari P1: prima risposta 1 h, risoluzione 8 h · 24 ore su 24');
    expect(table.text).toContain('Volontari P2: prima risposta 4 h, risoluzione 3 g');
    expect(table.text).toContain('Fornitori P5: prima risposta 2 g, risoluzione 10 g');
    expect(table.text).toContain('festivi locali: 12-07');
  });
});
