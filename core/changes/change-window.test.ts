import { describe, expect, it } from 'vitest';
import { DomainError } from '../kernel/errors.ts';
import { checkWindow, overlaps, parseWindow, zonedToUtc } from './change-window.ts';

// Monday 2 March 2026, 10:00 in Rome (CET, UTC+1).
const NOW = new Date('2026-03-02T09:00:00Z');
const parse = (text: string, now = NOW) => parseWindow(text.split(/\s+/), now);
const iso = (text: string, now = NOW) => {
  const w = parse(text, now);
  return w ? [w.start.toISOString(), w.end.toISOString()] : undefined;
};

describe('parseWindow: Rome wall time → UTC', () => {
  it.each([
    // winter (CET, +1)
    ['12/3 18:00 12/3 20:00', '2026-03-12T17:00:00.000Z', '2026-03-12T19:00:00.000Z'],
    // summer (CEST, +2)
    ['12/12/2026 18:00 20:00', '2026-12-12T17:00:00.000Z', '2026-12-12T19:00:00.000Z'],
    ['12/6/2026 18:00 20:00', '2026-06-12T16:00:00.000Z', '2026-06-12T18:00:00.000Z'],
    ['2026-12-12 18:00 2026-12-12T20:00', '2026-12-12T17:00:00.000Z', '2026-12-12T19:00:00.000Z'],
    ['2026-06-12T18:00 2026-06-13T02:30', '2026-06-12T16:00:00.000Z', '2026-06-13T00:30:00.000Z'],
    ['12.12.26 18.00 21.30', '2026-12-12T17:00:00.000Z', '2026-12-12T20:30:00.000Z'],
    ['12/12 23:00 13/12 1:00', '2026-12-12T22:00:00.000Z', '2026-12-13T00:00:00.000Z'],
  ])('%s → %s … %s', (text, start, end) => {
    expect(iso(text)).toEqual([start, end]);
  });

  it('the night DST starts (29 March 2026, 02:00 → 03:00): 01:00–04:00 lasts two real hours', () => {
    const w = parse('29/3/2026 01:00 04:00')!;
    expect(w.start.toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-03-29T02:00:00.000Z');
    // 02:30 does not exist that night: shifted forward by the gap (03:30 CEST).
    expect(zonedToUtc(2026, 3, 29, 2, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('the night DST ends (25 October 2026, 03:00 → 02:00): 01:00–04:00 lasts four real hours; 02:30 is the first one', () => {
    const w = parse('25/10/2026 01:00 04:00')!;
    expect(w.start.toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-10-25T03:00:00.000Z');
    expect(zonedToUtc(2026, 10, 25, 2, 30).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a day without year is this year, or next year once more than a month past (December → January)', () => {
    expect(iso('5/1 9:00 5/1 10:00', new Date('2026-12-20T10:00:00Z'))?.[0]).toBe('2027-01-05T08:00:00.000Z');
    expect(iso('1/3 9:00 1/3 10:00')?.[0]).toBe('2026-03-01T08:00:00.000Z'); // yesterday stays yesterday (refused as past)
  });

  it.each(['', '12/12', '12/12 18:00', 'domani 18:00 20:00', '31/2 18:00 20:00', '12/12 25:00 26:00', '12/12 18:00 ciao', '18:00 20:00'])(
    '%j is not a window',
    (text) => {
      expect(parse(text)).toBeUndefined();
    },
  );

  it('says how many words it used', () => {
    expect(parse('12/12/2026 18:00 20:00 e altro')?.used).toBe(3);
    expect(parse('12/12 18:00 12/12 20:00')?.used).toBe(4);
  });
});

describe('checkWindow', () => {
  const shown = { start: 'a', end: 'b' };
  const refusal = (start: string, end: string): string | undefined => {
    try {
      checkWindow({ start: new Date(start), end: new Date(end) }, NOW, shown);
      return undefined;
    } catch (e) {
      return DomainError.is(e) ? e.code : 'other';
    }
  };

  it('refuses a window ending before (or when) it starts, in the past, or longer than 7 days', () => {
    expect(refusal('2026-03-12T20:00:00Z', '2026-03-12T18:00:00Z')).toBe('invalid_window');
    expect(refusal('2026-03-12T18:00:00Z', '2026-03-12T18:00:00Z')).toBe('invalid_window');
    expect(refusal('2026-03-02T08:00:00Z', '2026-03-02T10:00:00Z')).toBe('window_in_past');
    expect(refusal('2026-03-10T00:00:00Z', '2026-03-17T00:00:01Z')).toBe('window_too_long');
  });

  it('takes a window starting this minute, and one of exactly 7 days', () => {
    expect(refusal('2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z')).toBeUndefined();
    expect(refusal('2026-03-10T00:00:00Z', '2026-03-17T00:00:00Z')).toBeUndefined();
  });

  it('overlaps: touching ends do not overlap', () => {
    const w = (a: string, b: string) => ({ start: new Date(a), end: new Date(b) });
    expect(overlaps(w('2026-03-12T10:00Z', '2026-03-12T12:00Z'), w('2026-03-12T11:00Z', '2026-03-12T13:00Z'))).toBe(true);
    expect(overlaps(w('2026-03-12T10:00Z', '2026-03-12T12:00Z'), w('2026-03-12T12:00Z', '2026-03-12T13:00Z'))).toBe(false);
  });
});
