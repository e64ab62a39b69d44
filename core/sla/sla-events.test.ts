import { describe, expect, it } from 'vitest';
import { history, ticketAt } from '../../test/fixtures/sla-fixtures.ts';
import type { SlaEventRecord } from './sla-event-kind.ts';
import { diffSlaEvents, planSlaEvents, type SlaPlanInput } from './sla-events.ts';
import { DEFAULT_SLA_SETTINGS, SlaPolicy, type SlaPolicyRow } from './sla-policy.ts';

const d = (iso: string) => new Date(iso);
const CAL = SlaPolicy.calendar(DEFAULT_SLA_SETTINGS);
const P2: SlaPolicyRow = SlaPolicy.find(SlaPolicy.effective([]), 'volunteer', 2); // 4 h / 3 business days
const CREATED = '2026-03-02T08:00:00Z'; // Monday 09:00 in Rome

function plan(over: Omit<Partial<SlaPlanInput>, 'now'> & { moves?: Parameters<typeof history>[1]; now?: string } = {}) {
  const moves = over.moves ?? [];
  const last = moves[moves.length - 1];
  const ticket =
    over.ticket ??
    ticketAt(CREATED, {
      priority: 2,
      status: last?.[1] ?? 'new',
      assigneeId: last && last[1] !== 'new' ? 'vol' : null,
      updatedAt: d(last?.[0] ?? CREATED),
    });
  return planSlaEvents({
    ticket,
    timeline: over.timeline ?? history(CREATED, moves),
    policy: over.policy ?? P2,
    settings: over.settings ?? DEFAULT_SLA_SETTINGS,
    calendar: CAL,
    now: d(over.now ?? CREATED),
    fired: over.fired ?? [],
  }).map((e) => `${e.target}.${e.kind}@${e.dueAt.toISOString().slice(0, 16)}`);
}

const fired = (target: SlaEventRecord['target'], kind: SlaEventRecord['kind'], dueAt: string) => ({
  target,
  kind,
  dueAt: d(dueAt),
  firedAt: d(dueAt),
});

describe('planSlaEvents', () => {
  it('a new ticket: warnings at 75 % and 90 %, breach at 100 % of both targets; re-announce and report while unclaimed', () => {
    expect(plan()).toEqual([
      'response.warn_75@2026-03-02T11:00', // 180 business minutes: 12:00 in Rome
      'response.warn_90@2026-03-02T11:36',
      'response.breach@2026-03-02T12:00',
      'resolution.warn_75@2026-03-04T10:15', // 1215 of 1620 minutes: Wednesday 11:15
      'resolution.warn_90@2026-03-04T14:18',
      'resolution.breach@2026-03-04T17:00',
      'unclaimed.reannounce@2026-03-02T10:00', // half the response target
      'unclaimed.report@2026-03-02T12:00',
    ]);
  });

  it('claimed: the response and queue clocks are done, resolution stays', () => {
    expect(plan({ moves: [['2026-03-02T09:00:00Z', 'assigned']], now: '2026-03-02T09:00:00Z' })).toEqual([
      'resolution.warn_75@2026-03-04T10:15',
      'resolution.warn_90@2026-03-04T14:18',
      'resolution.breach@2026-03-04T17:00',
    ]);
  });

  it('on hold: nothing is planned; resumed: the deadlines move by the business time spent waiting', () => {
    const hold = [
      ['2026-03-02T09:00:00Z', 'assigned'],
      ['2026-03-02T10:00:00Z', 'pending'],
    ] as const;
    expect(plan({ moves: hold, now: '2026-03-02T10:00:00Z' })).toEqual([]);
    // Waiting from Monday 11:00 to Tuesday 11:00 in Rome = 9 business hours.
    expect(plan({ moves: [...hold, ['2026-03-03T10:00:00Z', 'in_progress']], now: '2026-03-03T10:00:00Z' })).toEqual([
      'resolution.warn_75@2026-03-05T10:15',
      'resolution.warn_90@2026-03-05T14:18',
      'resolution.breach@2026-03-05T17:00',
    ]);
  });

  it('resolved: nothing; reopened: resumes from where it stopped', () => {
    const resolved = [
      ['2026-03-02T09:00:00Z', 'assigned'],
      ['2026-03-02T10:00:00Z', 'resolved'],
    ] as const;
    expect(plan({ moves: resolved, now: '2026-03-02T10:00:00Z' })).toEqual([]);
    expect(plan({ moves: [...resolved, ['2026-03-05T08:00:00Z', 'in_progress']], now: '2026-03-05T08:00:00Z' })).toEqual([
      'resolution.warn_75@2026-03-09T08:15', // 120 minutes used Monday; 1095 more from Thursday 09:00
      'resolution.warn_90@2026-03-09T12:18',
      'resolution.breach@2026-03-09T15:00',
    ]);
  });

  it('closed or cancelled: nothing', () => {
    expect(plan({ moves: [['2026-03-02T09:00:00Z', 'cancelled']], now: '2026-03-02T09:00:00Z' })).toEqual([]);
  });

  it('a threshold that fired is never planned again, and neither are those below it', () => {
    const moves = [['2026-03-02T09:00:00Z', 'assigned']] as const;
    expect(plan({ moves, now: '2026-03-04T11:00:00Z', fired: [fired('resolution', 'warn_75', '2026-03-04T10:15:00Z')] })).toEqual([
      'resolution.warn_90@2026-03-04T14:18',
      'resolution.breach@2026-03-04T17:00',
    ]);
  });

  it('thresholds already passed without firing (priority raised): only the highest fires, now', () => {
    // 5 business hours used; P1 (1 h / 8 h, 24×7) is now past its response target's 75 % and 90 %
    // and its breach, and past 60 % of its resolution target.
    const p1 = SlaPolicy.find(SlaPolicy.effective([]), 'volunteer', 1);
    const ticket = ticketAt(CREATED, { priority: 1 });
    expect(plan({ ticket, policy: p1, now: '2026-03-02T13:00:00Z' })).toEqual([
      'response.breach@2026-03-02T13:00',
      'resolution.warn_75@2026-03-02T14:00',
      'resolution.warn_90@2026-03-02T15:12',
      'resolution.breach@2026-03-02T16:00',
      'unclaimed.report@2026-03-02T13:00',
    ]);
  });

  it('the queue clock starts again when a ticket returns to the queue', () => {
    const moves = [
      ['2026-03-02T09:00:00Z', 'assigned'],
      ['2026-03-03T08:00:00Z', 'new'],
    ] as const;
    const ticket = ticketAt(CREATED, { priority: 2, status: 'new', assigneeId: null, updatedAt: d('2026-03-03T08:00:00Z') });
    const out = plan({
      ticket,
      moves,
      now: '2026-03-03T08:00:00Z',
      fired: [fired('unclaimed', 'reannounce', '2026-03-02T10:00:00Z'), fired('response', 'warn_75', '2026-03-02T09:00:00Z')],
    });
    // The first response was given (Monday's claim); the queue clock restarts from Tuesday 09:00.
    expect(out.filter((e) => e.startsWith('response'))).toEqual([]);
    expect(out.filter((e) => e.startsWith('unclaimed'))).toEqual([
      'unclaimed.reannounce@2026-03-03T10:00',
      'unclaimed.report@2026-03-03T12:00',
    ]);
  });

  it('settings decide when the queue escalates', () => {
    const out = plan({ settings: { ...DEFAULT_SLA_SETTINGS, reannounceAfter: 0.25, reportAfter: 0.75 } });
    expect(out.filter((e) => e.startsWith('unclaimed'))).toEqual([
      'unclaimed.reannounce@2026-03-02T09:00',
      'unclaimed.report@2026-03-02T11:00',
    ]);
  });
});

describe('diffSlaEvents', () => {
  const rec = (id: string, kind: SlaEventRecord['kind'], due: string): SlaEventRecord => ({
    id,
    ticketId: 't',
    target: 'resolution',
    kind,
    dueAt: d(due),
    firedAt: null,
    queuedAt: null,
    createdAt: d(CREATED),
  });

  it('keeps unchanged events (their timers stay valid), replaces moved ones, adds new ones', () => {
    const now = d('2026-03-02T12:00:00Z');
    const r = diffSlaEvents(
      [
        rec('a', 'warn_75', '2026-03-04T10:15:00Z'),
        rec('b', 'warn_90', '2026-03-04T14:18:00Z'),
        rec('c', 'breach', '2026-03-04T17:00:00Z'),
      ],
      [
        { target: 'resolution', kind: 'warn_75', dueAt: d('2026-03-04T10:15:00.400Z') },
        { target: 'resolution', kind: 'warn_90', dueAt: d('2026-03-05T14:18:00Z') },
      ],
      now,
    );
    expect(r.keep.map((e) => e.id)).toEqual(['a']);
    expect(r.remove.sort()).toEqual(['b', 'c']);
    expect(r.add.map((e) => e.kind)).toEqual(['warn_90']);
  });

  it('an event already due stays when the plan still wants it now', () => {
    const now = d('2026-03-04T17:00:05Z');
    const r = diffSlaEvents([rec('c', 'breach', '2026-03-04T17:00:00Z')], [{ target: 'resolution', kind: 'breach', dueAt: now }], now);
    expect(r).toEqual({ keep: [expect.objectContaining({ id: 'c' })], remove: [], add: [] });
  });
});

describe('a move to the vendor tier', () => {
  // Created Monday 09:00 at the volunteer tier; its resolution breached and fired on Thursday;
  // the quote approved Thursday 10:00 Rome: the vendor's clocks (P2: 2 h / 1 business day) start then.
  const APPROVED = '2026-03-05T09:00:00Z';
  const VENDOR_P2: SlaPolicyRow = SlaPolicy.find(SlaPolicy.effective([]), 'vendor', 2);
  const timeline = [
    ...history(CREATED, [['2026-03-02T09:00:00Z', 'assigned']]),
    { ticketId: 't', actorId: null, at: d(APPROVED), field: 'tier', from: 'volunteer', to: 'vendor', note: 'FOR-000001' },
    { ticketId: 't', actorId: null, at: d(APPROVED), field: 'status', from: 'assigned', to: 'new', note: null },
  ];
  const vendorTicket = ticketAt(CREATED, {
    priority: 2,
    tier: 'vendor',
    vendorId: 'ven',
    status: 'new',
    assigneeId: null,
    updatedAt: d(APPROVED),
  });

  it("plans the vendor targets from the approval, even where the volunteers' thresholds fired", () => {
    expect(
      plan({
        ticket: vendorTicket,
        timeline,
        policy: VENDOR_P2,
        now: APPROVED,
        fired: [
          fired('resolution', 'warn_75', '2026-03-04T10:15:00Z'),
          fired('resolution', 'warn_90', '2026-03-04T14:18:00Z'),
          fired('resolution', 'breach', '2026-03-04T17:00:00Z'),
        ],
      }),
    ).toEqual([
      'response.warn_75@2026-03-05T10:30', // 90 of 120 business minutes from 10:00 Rome
      'response.warn_90@2026-03-05T10:48',
      'response.breach@2026-03-05T11:00',
      'resolution.warn_75@2026-03-05T15:45', // 405 of 540 minutes: Thursday 16:45
      'resolution.warn_90@2026-03-06T08:06', // 486: the last 6 minutes on Friday from 09:00
      'resolution.breach@2026-03-06T09:00',
      'unclaimed.reannounce@2026-03-05T10:00', // back in a queue, the vendor's
      'unclaimed.report@2026-03-05T11:00',
    ]);
  });

  it('without the tier change in its history, the same ticket would be charged from creation', () => {
    const charged = plan({ ticket: vendorTicket, timeline: timeline.filter((e) => e.field !== 'tier'), policy: VENDOR_P2, now: APPROVED });
    // The first response counted as met on Monday, the resolution already far past due.
    expect(charged).toEqual([
      'resolution.breach@2026-03-05T09:00',
      'unclaimed.reannounce@2026-03-05T10:00',
      'unclaimed.report@2026-03-05T11:00',
    ]);
  });
});
