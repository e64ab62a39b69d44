import { describe, expect, it } from 'vitest';
import { DomainError } from '../kernel/errors.ts';
import { TICKET_KINDS, TICKET_STATUSES, type TicketKind, TicketRef, type TicketStatus } from '../kernel/ticket.ts';
import { TicketStateMachine as SM, type TicketAction } from './ticket-status.ts';

const ACTIONS: readonly TicketAction[] = [
  'claim',
  'unclaim',
  'start',
  'hold',
  'resume',
  'resolve',
  'confirm',
  'reopen',
  'close',
  'cancel',
  'submit_for_approval',
  'approve',
  'reject',
  'schedule',
  'implement',
  'preapprove',
  'fail',
];

type Row = readonly [TicketStatus, TicketAction, TicketStatus];

/**
 * Incidents and service requests (ITIL): new → assigned → in_progress ⇄ pending → resolved →
 * closed; reopen from resolved; cancel from any open status.
 */
const COMMON_ALLOWED: readonly Row[] = [
  ['new', 'claim', 'assigned'],
  ['new', 'cancel', 'cancelled'],

  ['assigned', 'unclaim', 'new'],
  ['assigned', 'start', 'in_progress'],
  ['assigned', 'hold', 'pending'],
  ['assigned', 'resolve', 'resolved'],
  ['assigned', 'cancel', 'cancelled'],

  ['in_progress', 'unclaim', 'new'],
  ['in_progress', 'hold', 'pending'],
  ['in_progress', 'resolve', 'resolved'],
  ['in_progress', 'cancel', 'cancelled'],

  ['pending', 'unclaim', 'new'],
  ['pending', 'resume', 'in_progress'],
  ['pending', 'resolve', 'resolved'],
  ['pending', 'cancel', 'cancelled'],

  ['resolved', 'confirm', 'closed'],
  ['resolved', 'reopen', 'in_progress'],
  ['resolved', 'close', 'closed'],
  // closed, cancelled: final. The change-only statuses allow nothing for these kinds.
];

/** Changes: the same lifecycle plus the approval path; resolved only once implemented. */
const CHANGE_ALLOWED: readonly Row[] = [
  ['new', 'claim', 'assigned'],
  ['new', 'cancel', 'cancelled'],

  ['assigned', 'unclaim', 'new'],
  ['assigned', 'start', 'in_progress'],
  ['assigned', 'hold', 'pending'],
  ['assigned', 'cancel', 'cancelled'],
  ['assigned', 'submit_for_approval', 'awaiting_approval'],
  ['assigned', 'preapprove', 'approved'],

  ['in_progress', 'unclaim', 'new'],
  ['in_progress', 'hold', 'pending'],
  ['in_progress', 'cancel', 'cancelled'],
  ['in_progress', 'submit_for_approval', 'awaiting_approval'],
  ['in_progress', 'preapprove', 'approved'],

  ['pending', 'unclaim', 'new'],
  ['pending', 'resume', 'in_progress'],
  ['pending', 'cancel', 'cancelled'],

  ['awaiting_approval', 'approve', 'approved'],
  ['awaiting_approval', 'reject', 'rejected'],
  ['awaiting_approval', 'cancel', 'cancelled'],

  ['approved', 'schedule', 'scheduled'],
  ['approved', 'implement', 'implemented'],
  ['approved', 'cancel', 'cancelled'],
  ['approved', 'fail', 'failed'],

  ['scheduled', 'schedule', 'scheduled'],
  ['scheduled', 'implement', 'implemented'],
  ['scheduled', 'cancel', 'cancelled'],
  ['scheduled', 'fail', 'failed'],

  ['implemented', 'resolve', 'resolved'],

  ['resolved', 'confirm', 'closed'],
  ['resolved', 'reopen', 'in_progress'],
  ['resolved', 'close', 'closed'],
  // closed, cancelled, rejected, failed: final.
];

const ALLOWED: Readonly<Record<TicketKind, readonly Row[]>> = {
  incident: COMMON_ALLOWED,
  service_request: COMMON_ALLOWED,
  change: CHANGE_ALLOWED,
};

const allowedCases = TICKET_KINDS.flatMap((kind) => ALLOWED[kind].map(([from, action, to]) => [kind, from, action, to] as const));

const refusedCases = TICKET_KINDS.flatMap((kind) =>
  TICKET_STATUSES.flatMap((from) =>
    ACTIONS.filter((action) => !ALLOWED[kind].some(([f, a]) => f === from && a === action)).map((action) => [kind, from, action] as const),
  ),
);

describe('TicketStateMachine', () => {
  it('the two tables cover every (kind × status × action) pair exactly once', () => {
    expect(allowedCases.length + refusedCases.length).toBe(TICKET_KINDS.length * TICKET_STATUSES.length * ACTIONS.length);
    for (const kind of TICKET_KINDS) {
      const keys = ALLOWED[kind].map(([f, a]) => `${f}/${a}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it.each(allowedCases)('%s: %s --%s--> %s', (kind, from, action, to) => {
    expect(SM.next(kind, from, action)).toBe(to);
    expect(SM.nextOrThrow(kind, from, action)).toBe(to);
  });

  it.each(refusedCases)('%s: %s --%s--> refused', (kind, from, action) => {
    expect(SM.next(kind, from, action)).toBeUndefined();
    let thrown: unknown;
    try {
      SM.nextOrThrow(kind, from, action);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(DomainError.is(thrown, 'illegal_transition')).toBe(true);
    expect((thrown as DomainError).params).toEqual({ action, status: from });
    expect((thrown as DomainError).messageKey).toBe('error.illegal_transition');
  });

  it.each(['closed', 'cancelled'] as const)('%s is final for every kind', (status) => {
    for (const kind of TICKET_KINDS) for (const action of ACTIONS) expect(SM.next(kind, status, action)).toBeUndefined();
  });

  it.each(['rejected', 'failed'] as const)('%s is final for changes', (status) => {
    for (const action of ACTIONS) expect(SM.next('change', status, action)).toBeUndefined();
  });

  it.each<[TicketKind, TicketAction[]]>([
    ['incident', ['claim', 'unclaim', 'start', 'hold', 'resume', 'resolve', 'confirm', 'reopen', 'close', 'cancel']],
    ['service_request', ['claim', 'unclaim', 'start', 'hold', 'resume', 'resolve', 'confirm', 'reopen', 'close', 'cancel']],
    ['change', [...ACTIONS]],
  ])('actions(%s) lists the actions of its table', (kind, actions) => {
    expect([...SM.actions(kind)].sort()).toEqual([...actions].sort());
  });
});

describe('TicketRef.format', () => {
  it.each<[TicketKind, number, string]>([
    ['incident', 42, 'INC-000042'],
    ['incident', 1, 'INC-000001'],
    ['service_request', 7, 'REQ-000007'],
    ['change', 123456, 'RFC-123456'],
    ['change', 1234567, 'RFC-1234567'],
  ])('%s #%i → %s', (kind, n, ref) => {
    expect(TicketRef.format(kind, n)).toBe(ref);
  });

  it.each<[TicketKind, string]>([
    ['incident', 'INC'],
    ['service_request', 'REQ'],
    ['change', 'RFC'],
  ])('prefix(%s) = %s', (kind, prefix) => {
    expect(TicketRef.prefix(kind)).toBe(prefix);
  });

  it('parse(format(kind, n)) round-trips', () => {
    for (const kind of TICKET_KINDS)
      for (const n of [1, 42, 999999, 1234567]) expect(TicketRef.parse(TicketRef.format(kind, n))).toBe(TicketRef.format(kind, n));
  });
});

describe('TicketRef.parse', () => {
  it.each([
    ['inc-42', 'INC-000042'],
    ['INC 000042', 'INC-000042'],
    ['INC-000042', 'INC-000042'],
    [' rfc-7 ', 'RFC-000007'],
    ['req42', 'REQ-000042'],
    ['Req - 42', 'REQ-000042'],
    ['INC-0000000042', 'INC-000042'],
    ['inc-1234567', 'INC-1234567'],
    ['PRB-3', 'PRB-000003'],
    ['\tINC-5\n', 'INC-000005'],
  ])('%j → %s', (text, ref) => {
    expect(TicketRef.parse(text)).toBe(ref);
  });

  it.each([
    '',
    '   ',
    '42',
    'INC',
    'INC-',
    'INC-abc',
    'INC-12a',
    'INC-1.5',
    'ABC-12',
    'XINC-12',
    'INC-12 e poi',
    'ticket INC-12',
    'INC-1234567890',
    'INC_12',
  ])('%j → undefined', (text) => {
    expect(TicketRef.parse(text)).toBeUndefined();
  });
});
