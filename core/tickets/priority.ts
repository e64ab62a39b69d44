import type { Impact, Priority, Urgency } from '../kernel/ticket.ts';

/**
 * The one priority matrix (impact × urgency → P1…P5), after ITIL and iTop's matrix, kept small:
 *
 * | impact \ urgency       | 1 stopped | 2 hampered | 3 can wait |
 * |------------------------|-----------|------------|------------|
 * | 1 whole organisation   | P1        | P2         | P3         |
 * | 2 a team or a service  | P2        | P3         | P4         |
 * | 3 one person           | P3        | P4         | P5         |
 *
 * Edit this table (and only this table) to change how Sportello prioritises.
 */
export const PRIORITY_MATRIX: Readonly<Record<Impact, Readonly<Record<Urgency, Priority>>>> = {
  1: { 1: 1, 2: 2, 3: 3 },
  2: { 1: 2, 2: 3, 3: 4 },
  3: { 1: 3, 2: 4, 3: 5 },
};

export function computePriority(impact: Impact, urgency: Urgency): Priority {
  return PRIORITY_MATRIX[impact][urgency];
}

export function isImpact(n: unknown): n is Impact {
  return n === 1 || n === 2 || n === 3;
}

export function isUrgency(n: unknown): n is Urgency {
  return n === 1 || n === 2 || n === 3;
}
