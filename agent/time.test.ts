import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from './time.ts';

describe('isoTime', () => {
  it('writes exactly what Date.prototype.toISOString writes, over the whole range of dates', () => {
    const MAX = 8.64e15; // the largest time a Date holds
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
    for (const ms of [
      0,
      -1,
      Date.UTC(0, 0, 1),
      Date.UTC(-1, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      MAX,
      -MAX,
      Date.now(),
    ])
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('refuses an invalid time, as toISOString does', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
