import { DomainError } from '../kernel/errors.ts';
import type { TicketKind, TicketStatus } from '../kernel/ticket.ts';

/** A named move of a ticket; the transition table says from which statuses it is allowed. */
export type TicketAction =
  | 'claim'
  | 'unclaim'
  | 'start'
  | 'hold'
  | 'resume'
  | 'resolve'
  | 'confirm'
  | 'reopen'
  | 'close'
  | 'cancel'
  | 'submit_for_approval'
  | 'approve'
  | 'reject'
  | 'schedule'
  | 'implement'
  | 'preapprove'
  | 'fail';

type Table = Partial<Record<TicketAction, { from: readonly TicketStatus[]; to: TicketStatus }>>;

const WORKING: readonly TicketStatus[] = ['assigned', 'in_progress'];

/** Incidents and service requests: new → assigned → in_progress ⇄ pending → resolved → closed. */
const COMMON: Table = {
  claim: { from: ['new'], to: 'assigned' },
  unclaim: { from: ['assigned', 'in_progress', 'pending'], to: 'new' },
  start: { from: ['assigned'], to: 'in_progress' },
  hold: { from: WORKING, to: 'pending' },
  resume: { from: ['pending'], to: 'in_progress' },
  resolve: { from: [...WORKING, 'pending'], to: 'resolved' },
  confirm: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved'], to: 'in_progress' },
  close: { from: ['resolved'], to: 'closed' },
  cancel: { from: ['new', 'assigned', 'in_progress', 'pending'], to: 'cancelled' },
};

/**
 * Changes add an approval path: the owner assesses the change, submits it, the org's ICT lead
 * (or the committee) approves or rejects it, then it is scheduled, implemented and reviewed.
 */
const CHANGE: Table = {
  ...COMMON,
  // A change is resolved only once implemented: the approval cannot be skipped by resolving it.
  resolve: { from: ['implemented'], to: 'resolved' },
  cancel: { from: ['new', 'assigned', 'in_progress', 'pending', 'awaiting_approval', 'approved', 'scheduled'], to: 'cancelled' },
  submit_for_approval: { from: WORKING, to: 'awaiting_approval' },
  approve: { from: ['awaiting_approval'], to: 'approved' },
  reject: { from: ['awaiting_approval'], to: 'rejected' },
  // Rescheduling a scheduled change moves its window: scheduled → scheduled.
  schedule: { from: ['approved', 'scheduled'], to: 'scheduled' },
  implement: { from: ['approved', 'scheduled'], to: 'implemented' },
  // A standard change (from the catalogue of pre-approved changes) needs no approval.
  preapprove: { from: WORKING, to: 'approved' },
  // The implementation failed and was backed out.
  fail: { from: ['approved', 'scheduled'], to: 'failed' },
};

const TABLES: Readonly<Record<TicketKind, Table>> = {
  incident: COMMON,
  service_request: COMMON,
  change: CHANGE,
};

export const TicketStateMachine = {
  /** The status after `action`, or undefined when the move is not allowed. */
  next(kind: TicketKind, from: TicketStatus, action: TicketAction): TicketStatus | undefined {
    const rule = TABLES[kind][action];
    return rule && rule.from.includes(from) ? rule.to : undefined;
  },
  /** Like `next`, but refuses an illegal move with a domain error the user can read. */
  nextOrThrow(kind: TicketKind, from: TicketStatus, action: TicketAction): TicketStatus {
    const to = TicketStateMachine.next(kind, from, action);
    if (!to) throw new DomainError('illegal_transition', { action, status: from });
    return to;
  },
  /** Every action known for a kind, for tests and help texts. */
  actions(kind: TicketKind): TicketAction[] {
    return Object.keys(TABLES[kind]) as TicketAction[];
  },
};
