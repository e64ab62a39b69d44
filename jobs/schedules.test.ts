import { describe, expect, it } from 'vitest';
import { localDay } from '../core/kernel/zoned-time.ts';
import { watchdogTick } from './schedules.ts';

describe('watchdogTick', () => {
  it('workers whose clocks differ by a few seconds name the same tick', () => {
    const base = Date.parse('2026-12-07T08:00:15.000Z');
    const slots = [-7_000, -2_000, 0, 3_000, 7_400].map((d) => watchdogTick(new Date(base + d)).slot);
    expect(new Set(slots)).toEqual(new Set(['20261207T080015']));
  });

  it('moves to the next tick past the half-way point', () => {
    expect(watchdogTick(new Date('2026-12-07T08:00:22.400Z')).slot).toBe('20261207T080015');
    expect(watchdogTick(new Date('2026-12-07T08:00:22.600Z')).slot).toBe('20261207T080030');
  });

  it('purges once every 15 minutes, on the quarter hour', () => {
    const start = Date.parse('2026-12-07T08:00:00.000Z');
    const purges = Array.from({ length: 240 }, (_, i) => watchdogTick(new Date(start + i * 15_000)))
      .filter((x) => x.purge)
      .map((x) => x.slot);
    expect(purges).toEqual(['20261207T080000', '20261207T081500', '20261207T083000', '20261207T084500']);
  });
});

describe('localDay', () => {
  it.each([
    // Rome is UTC+1 in winter, UTC+2 in summer: the local day turns at 23:00 or 22:00 UTC.
    ['2026-12-06T22:59:59Z', '2026-12-06'],
    ['2026-12-06T23:00:00Z', '2026-12-07'],
    ['2026-07-01T21:59:59Z', '2026-07-01'],
    ['2026-07-01T22:00:00Z', '2026-07-02'],
    // The nights the clocks change (29 March and 25 October 2026).
    ['2026-03-28T23:30:00Z', '2026-03-29'],
    ['2026-10-24T22:30:00Z', '2026-10-25'],
    ['2028-02-28T23:00:00Z', '2028-02-29'],
  ])('%s is %s in Rome', (at, day) => {
    expect(localDay(new Date(at), 'Europe/Rome')).toBe(day);
  });

  it('follows the time zone it is given', () => {
    expect(localDay(new Date('2026-12-06T23:30:00Z'), 'UTC')).toBe('2026-12-06');
  });
});
