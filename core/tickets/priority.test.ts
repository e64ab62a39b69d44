import { describe, expect, it } from 'vitest';
import type { Impact, Priority, Urgency } from '../kernel/ticket.ts';
import { computePriority, isImpact, isUrgency, PRIORITY_MATRIX } from './priority.ts';

describe('computePriority (impact × urgency matrix)', () => {
  it.each<[Impact, Urgency, Priority]>([
    // impact 1: the whole organisation
    [1, 1, 1],
    [1, 2, 2],
    [1, 3, 3],
    // impact 2: a team or a service
    [2, 1, 2],
    [2, 2, 3],
    [2, 3, 4],
    // impact 3: one person
    [3, 1, 3],
    [3, 2, 4],
    [3, 3, 5],
  ])('impact %i, urgency %i → P%i', (impact, urgency, priority) => {
    expect(computePriority(impact, urgency)).toBe(priority);
    expect(PRIORITY_MATRIX[impact][urgency]).toBe(priority);
  });

  it('is symmetric and monotonic: worse impact or urgency never lowers the priority', () => {
    const levels = [1, 2, 3] as const;
    for (const i of levels)
      for (const u of levels) {
        expect(computePriority(i, u)).toBe(computePriority(u, i));
        if (i < 3) expect(computePriority(i, u)).toBeLessThan(computePriority((i + 1) as Impact, u));
        if (u < 3) expect(computePriority(i, u)).toBeLessThan(computePriority(i, (u + 1) as Urgency));
      }
  });
});

describe('isImpact / isUrgency', () => {
  it.each([1, 2, 3])('%s is a valid level', (n) => {
    expect(isImpact(n)).toBe(true);
    expect(isUrgency(n)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['0', 0],
    ['4', 4],
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', Number.NaN],
    ['the string "1"', '1'],
    ['null', null],
    ['undefined', undefined],
    ['an object', { n: 1 }],
    ['a bigint 1n', 1n],
  ])('%s is not a valid level', (_name, n) => {
    expect(isImpact(n)).toBe(false);
    expect(isUrgency(n)).toBe(false);
  });
});
