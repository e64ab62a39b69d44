import { describe, expect, it } from 'vitest';
import { DomainError } from '../kernel/errors.ts';
import {
  ENGAGEMENT_STATUSES,
  EngagementFlow,
  type EngagementStatus,
  type EngagementStep,
  formatAmount,
  LIVE_ENGAGEMENT,
  parseAmount,
} from './engagement.ts';

/** Every step × every status: where each step may start. */
// prettier-ignore
const ALLOWED: Readonly<Record<EngagementStep, readonly EngagementStatus[]>> = {
  propose: ['requested', 'proposed'],
  pick: ['proposed'],
  quote: ['picked'],
  approve_quote: ['quoted'],
  second_approve: ['awaiting_second_approval'],
  decline: ['quoted', 'awaiting_second_approval'],
  hand_back: ['picked', 'quoted', 'awaiting_second_approval', 'active'],
  cancel: ['requested', 'proposed'],
};

describe('the engagement flow', () => {
  const cases = (Object.keys(ALLOWED) as EngagementStep[]).flatMap((step) =>
    ENGAGEMENT_STATUSES.map((status) => [step, status, ALLOWED[step].includes(status)] as const),
  );

  it.each(cases)('%s from %s → allowed %s', (step, status, allowed) => {
    expect(EngagementFlow.allowed(status, step)).toBe(allowed);
    if (allowed) expect(() => EngagementFlow.assert({ status }, step, 'INC-000001')).not.toThrow();
    else {
      const err = (() => {
        try {
          EngagementFlow.assert({ status }, step, 'INC-000001');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(DomainError.is(err, 'engagement_state')).toBe(true);
      expect((err as DomainError).params).toEqual({ ref: 'INC-000001', action: step, state: status });
    }
  });

  it('out-of-order steps named in the issue are refused: approve twice, quote after a rejection, pick twice', () => {
    expect(EngagementFlow.allowed('active', 'approve_quote')).toBe(false);
    expect(EngagementFlow.allowed('declined', 'quote')).toBe(false);
    expect(EngagementFlow.allowed('picked', 'pick')).toBe(false);
    expect(EngagementFlow.allowed('quoted', 'quote')).toBe(false);
  });

  it('every step ends in live or final statuses, and the terminal statuses allow nothing', () => {
    const terminal = ENGAGEMENT_STATUSES.filter((s) => !LIVE_ENGAGEMENT.includes(s));
    expect(terminal).toEqual(['declined', 'cancelled', 'handed_back']);
    for (const s of terminal)
      for (const step of Object.keys(ALLOWED) as EngagementStep[]) expect(EngagementFlow.allowed(s, step)).toBe(false);
  });
});

describe('amounts', () => {
  it.each<[string, number | undefined]>([
    ['350', 35_000],
    ['350,50', 35_050],
    ['350.5', 35_050],
    ['1.250', 125_000],
    ['1.250,75', 125_075],
    ['€ 99', 9_900],
    ['99eur', 9_900],
    ['0', undefined],
    ['-5', undefined],
    ['abc', undefined],
    ['12,345', undefined],
    ['1.000.000', 100_000_000],
    ['1.000.001', undefined],
    ['99999999', undefined],
  ])('%j → %s cents', (typed, cents) => {
    expect(parseAmount(typed)).toBe(cents);
  });

  it('formats euros in each language', () => {
    expect(formatAmount('it', 125_050)).toBe('1.250,50 €');
    expect(formatAmount('en', 125_050)).toBe('€1,250.50');
  });
});
