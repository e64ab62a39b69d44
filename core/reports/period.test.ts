import { describe, expect, it } from 'vitest';
import { lastDays, periodKey, previousMonth, previousWeek } from './period.ts';

describe('report periods in Rome', () => {
  it('the previous week runs Monday to Monday at local midnight', () => {
    const p = previousWeek(new Date('2026-12-07T07:00:00Z')); // Monday 08:00 in Rome
    expect(p).toEqual({ from: new Date('2026-11-29T23:00:00Z'), to: new Date('2026-12-06T23:00:00Z') });
    expect(periodKey(p)).toBe('2026-11-30');
    // Sunday evening still reports the week before.
    expect(previousWeek(new Date('2026-12-06T22:30:00Z')).to).toEqual(new Date('2026-11-29T23:00:00Z'));
  });

  it('a week across the end of summer time is 169 hours long', () => {
    const p = previousWeek(new Date('2026-10-27T10:00:00Z'));
    expect(p.from).toEqual(new Date('2026-10-18T22:00:00Z'));
    expect(p.to).toEqual(new Date('2026-10-25T23:00:00Z'));
    expect((p.to.getTime() - p.from.getTime()) / 3_600_000).toBe(169);
  });

  it('the previous month, across a year end', () => {
    expect(previousMonth(new Date('2027-01-01T08:00:00Z'))).toEqual({
      from: new Date('2026-11-30T23:00:00Z'),
      to: new Date('2026-12-31T23:00:00Z'),
    });
    expect(periodKey(previousMonth(new Date('2026-12-06T08:00:00Z')))).toBe('2026-11-01');
  });

  it('the last days end now', () => {
    const now = new Date('2026-12-06T08:00:00Z');
    expect(lastDays(now, 7)).toEqual({ from: new Date('2026-11-29T08:00:00Z'), to: now });
  });
});
