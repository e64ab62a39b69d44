/** The tickets feature's port: tickets, their history and comments. `db/` implements it. */

import type { OutboxEntry } from '../kernel/outbox.ts';
import type { ChannelBinding, ChannelPurpose } from '../kernel/ports.ts';
import type { Impact, PendingOn, Priority, Ticket, TicketEvent, TicketKind, TicketStatus, Tier, Urgency } from '../kernel/ticket.ts';
import type { PlannedSlaEvent } from '../sla/sla-event-kind.ts';

export interface NewTicket {
  readonly ref: string;
  readonly kind: TicketKind;
  readonly title: string;
  readonly description: string;
  readonly category: string | null;
  readonly impact: Impact;
  readonly urgency: Urgency;
  readonly priority: Priority;
  readonly tier: Tier;
  readonly organisationId: string;
  readonly requesterId: string;
  readonly configurationItemId: string | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export interface TicketOpening {
  readonly actorId: string | null;
  readonly sla: readonly PlannedSlaEvent[];
  /**
   * The configuration version `sla` was planned at (`SlaRepository.cachedPoliciesAndSettings`):
   * when it is no longer the current one, nothing is written and `open` throws
   * `StaleConfiguration`, without aborting the transaction, so the caller plans again.
   */
  readonly configVersion?: string;
  /**
   * The new ticket's card, rendered before the opening with `placeholder` in place of the ref
   * it has not drawn yet: the opening statement writes these outbox rows itself, with the
   * placeholder replaced by the ref, when (and only when) it opens the ticket. The card shows
   * `organisationName`: when that is no longer the organisation's name, nothing is written and
   * `open` throws `StaleConfiguration`, like a stale `configVersion` (which covers the bindings
   * the entries were addressed from).
   */
  readonly card?: { readonly placeholder: string; readonly organisationName: string; readonly entries: readonly OutboxEntry[] };
}

/** What a card rendered before its ticket's opening needs, from this process's copies (`TicketRepository.cardCopies`). */
export interface CardCopies {
  /** The configuration version `bindings` were read at. */
  readonly version: string;
  readonly bindings: readonly ChannelBinding[];
  readonly organisationName: string;
}

/** The configuration (SLA policies and settings, channel bindings) changed since it was read. */
export class StaleConfiguration extends Error {
  constructor(
    readonly expected: string,
    readonly current: string,
  ) {
    super(`configuration version ${expected} is stale (now ${current})`);
    this.name = 'StaleConfiguration';
  }
}

export interface OpenedTicket {
  readonly ticket: Ticket;
  readonly organisationName: string;
}

export type TicketPatch = Partial<
  Pick<
    Ticket,
    'status' | 'pendingOn' | 'assigneeId' | 'vendorId' | 'priority' | 'impact' | 'urgency' | 'tier' | 'rating' | 'resolvedAt' | 'closedAt'
  >
>;

export interface TicketFilter {
  readonly organisationIds?: readonly string[];
  readonly requesterId?: string;
  readonly assigneeId?: string;
  /** Tickets engaged to one of these vendor companies. */
  readonly vendorIds?: readonly string[];
  readonly statuses?: readonly TicketStatus[];
  readonly limit?: number;
}

export interface TicketComment {
  readonly id: string;
  readonly ticketId: string;
  readonly authorId: string;
  readonly body: string;
  readonly internal: boolean;
  readonly createdAt: Date;
}

export interface TicketRepository {
  /** Allocates the next human id for a kind; never returns the same id twice. */
  nextRef(kind: TicketKind): Promise<string>;
  insert(t: NewTicket): Promise<Ticket>;
  /**
   * Opens a ticket in one statement: draws its ref, inserts it in status `new`, records that
   * first status in its history (by `actorId`) and writes its planned SLA events; returns it
   * with its organisation's name (for its card). Undefined, with no ref drawn, when a ticket
   * with the same idempotency key exists (a concurrent one may draw a ref that goes unused).
   * Afterwards, copies of the configuration read at the version it found current serve the
   * rest of the transaction (the card's channel bindings) without a query.
   */
  open(t: Omit<NewTicket, 'ref'>, opening: TicketOpening): Promise<OpenedTicket | undefined>;
  /**
   * This process's copies of the bindings of `purpose` and of the organisation's name (as an
   * earlier opening found it), when it has both and this transaction wrote no configuration:
   * for a card rendered before the opening, which checks them (`TicketOpening.card`).
   */
  cardCopies?(organisationId: string, purpose: ChannelPurpose): CardCopies | undefined;
  findById(id: string): Promise<Ticket | undefined>;
  findByRef(ref: string): Promise<Ticket | undefined>;
  findByIdempotencyKey(key: string): Promise<Ticket | undefined>;
  /**
   * Applies `patch` only if the ticket still has the expected status and assignee; returns the
   * updated ticket, or undefined when someone else changed it first (the loser of a race).
   */
  compareAndSet(
    id: string,
    expected: { readonly status: TicketStatus; readonly assigneeId: string | null },
    patch: TicketPatch,
    at: Date,
  ): Promise<Ticket | undefined>;
  list(filter: TicketFilter): Promise<Ticket[]>;
  addEvents(events: readonly TicketEvent[]): Promise<void>;
  listEvents(ticketId: string): Promise<TicketEvent[]>;
  addComment(c: Omit<TicketComment, 'id'>): Promise<TicketComment>;
  listComments(ticketId: string): Promise<TicketComment[]>;
  /** The time the owner says the ticket took (asked after resolving). */
  setEffort(ticketId: string, minutes: number): Promise<void>;
}

/** An open problem an incident may belong to, offered as a button on its card. */
export interface ProblemCandidate {
  readonly ref: string;
  readonly title: string;
}

/**
 * Reads, for a ticket's card, the open problems it may belong to (same configuration item, or
 * same category in its organisation or across organisations), when it is linked to none. The
 * problems feature sits above tickets: this is all tickets know of it.
 */
export interface ProblemCandidateReader {
  openProblemsMatching(ticket: Ticket, limit: number): Promise<ProblemCandidate[]>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly tickets: TicketRepository;
    readonly problemCandidates: ProblemCandidateReader;
  }
}
