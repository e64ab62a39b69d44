import { describe, expect, it } from 'vitest';
import { conflictsOf, findConflicts, type Planned } from './conflicts.ts';
import { ChangeRules } from './model.ts';

const at = (h: number) => new Date(Date.UTC(2026, 11, 12, h));
const change = (ref: string, org: string, from: number, to: number, items: string[] = []): Planned => ({
  ref,
  organisationId: org,
  start: at(from),
  end: at(to),
  itemIds: items,
});

describe('conflicts on the change calendar', () => {
  it('overlapping windows on the same item conflict (even across organisations)', () => {
    expect(findConflicts([change('RFC-1', 'a', 10, 12, ['ci1', 'ci2']), change('RFC-2', 'b', 11, 13, ['ci2'])])).toEqual([
      { a: 'RFC-1', b: 'RFC-2', reason: 'item', itemIds: ['ci2'] },
    ]);
  });

  it('overlapping windows of the same organisation conflict even on different items', () => {
    expect(findConflicts([change('RFC-1', 'a', 10, 12, ['ci1']), change('RFC-2', 'a', 11, 13, ['ci3'])])).toEqual([
      { a: 'RFC-1', b: 'RFC-2', reason: 'organisation', itemIds: [] },
    ]);
  });

  it('no conflict: different organisations and items, or windows that only touch', () => {
    expect(findConflicts([change('RFC-1', 'a', 10, 12, ['ci1']), change('RFC-2', 'b', 11, 13, ['ci3'])])).toEqual([]);
    expect(findConflicts([change('RFC-1', 'a', 10, 12, ['ci1']), change('RFC-2', 'a', 12, 13, ['ci1'])])).toEqual([]);
  });

  it('every pair once, in calendar order, whatever the input order', () => {
    const list = [
      change('RFC-3', 'a', 11, 14),
      change('RFC-1', 'a', 8, 12),
      change('RFC-2', 'b', 9, 10, ['x']),
      change('RFC-4', 'c', 9, 11, ['x']),
    ];
    expect(findConflicts(list).map((c) => `${c.a}/${c.b}`)).toEqual(['RFC-1/RFC-3', 'RFC-2/RFC-4']);
  });

  it('conflictsOf one change ignores the change itself', () => {
    const me = change('RFC-1', 'a', 10, 12, ['ci1']);
    expect(conflictsOf(me, [me, change('RFC-2', 'a', 11, 12)])).toHaveLength(1);
  });
});

describe('ChangeRules', () => {
  const normal = { changeType: 'normal' as const, sharedInfrastructure: false };
  const shared = { changeType: 'normal' as const, sharedInfrastructure: true };
  const emergency = { changeType: 'emergency' as const, sharedInfrastructure: false };

  it('a normal change needs the organisation; on shared infrastructure the committee too', () => {
    expect(ChangeRules.requiredSlots(normal)).toEqual(['organisation']);
    expect(ChangeRules.requiredSlots(shared)).toEqual(['organisation', 'committee']);
    expect(ChangeRules.outcome(shared, [{ slot: 'organisation', decision: 'approved' }])).toBe('pending');
    expect(
      ChangeRules.outcome(shared, [
        { slot: 'organisation', decision: 'approved' },
        { slot: 'committee', decision: 'approved' },
      ]),
    ).toBe('approved');
    expect(ChangeRules.outcome(shared, [{ slot: 'committee', decision: 'rejected' }])).toBe('rejected');
    // The committee's approval does not stand for the organisation's on a normal change.
    expect(ChangeRules.outcome(normal, [{ slot: 'committee', decision: 'approved' }])).toBe('pending');
  });

  it('an emergency needs one approval from either slot; a standard change none', () => {
    expect(ChangeRules.outcome(emergency, [{ slot: 'committee', decision: 'approved' }])).toBe('approved');
    expect(ChangeRules.outcome(emergency, [{ slot: 'organisation', decision: 'approved' }])).toBe('approved');
    expect(ChangeRules.outcome(emergency, [])).toBe('pending');
    expect(ChangeRules.requiredSlots({ changeType: 'standard', sharedInfrastructure: true })).toEqual([]);
  });
});
