/**
 * The ports core needs from the outside world. `db/` implements the repositories on
 * PostgreSQL; a use case receives a `Repositories` bound to one transaction, so everything it
 * writes (ticket, history, outbox rows) commits or rolls back together.
 */
import type { MonitoringRepository } from '../alerts/repository.ts';
import type { Locale } from './i18n.ts';
import type { OutboxEntry, OutboxRecord } from './outbox.ts';
import type { Identity, Organisation, Person, Platform, Role, RoleGrant } from './person.ts';
import type { PlannedSlaEvent, SlaEventKind, SlaEventRecord } from '../sla/sla-event-kind.ts';
import type { SlaPolicyRow, SlaSettings } from '../sla/sla-policy.ts';
import type {
  Impact,
  PendingOn,
  Priority,
  Ticket,
  TicketKind,
  TicketStatus,
  Tier,
  Urgency,
} from './ticket.ts';

export interface Clock {
  now(): Date;
}

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
  readonly configurationItem: string | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export type TicketPatch = Partial<
  Pick<
    Ticket,
    'status' | 'pendingOn' | 'assigneeId' | 'priority' | 'impact' | 'urgency' | 'tier' | 'rating' | 'resolvedAt' | 'closedAt'
  >
>;

export interface TicketFilter {
  readonly organisationIds?: readonly string[];
  readonly requesterId?: string;
  readonly assigneeId?: string;
  readonly statuses?: readonly TicketStatus[];
  readonly limit?: number;
}

export interface TicketEvent {
  readonly ticketId: string;
  readonly actorId: string | null;
  readonly at: Date;
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly note: string | null;
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
}

export interface PeopleRepository {
  createOrganisation(o: Omit<Organisation, 'id' | 'createdAt'>, at: Date): Promise<Organisation>;
  findOrganisation(id: string): Promise<Organisation | undefined>;
  findOrganisationByFiscalCode(code: string): Promise<Organisation | undefined>;
  listOrganisations(): Promise<Organisation[]>;
  createPerson(p: Omit<Person, 'id' | 'createdAt'>, at: Date): Promise<Person>;
  findPerson(id: string): Promise<Person | undefined>;
  findPersonByHandle(handle: string): Promise<Person | undefined>;
  /** People holding an active grant of `role`. */
  listPeopleWithRole(role: Role): Promise<Person[]>;
  setLocale(personId: string, locale: Locale): Promise<void>;
  findIdentity(platform: Platform, externalId: string): Promise<Identity | undefined>;
  /** Links (or re-links) a platform account to a person. */
  linkIdentity(i: Identity): Promise<void>;
  touchIdentity(platform: Platform, externalId: string, at: Date): Promise<void>;
  listIdentities(personId: string): Promise<Identity[]>;
  grantRole(g: Omit<RoleGrant, 'id' | 'revokedAt' | 'revokedBy' | 'revokeReason'>): Promise<RoleGrant>;
  /** Revokes the active grants of `role` (in `organisationId`, when given); returns how many. */
  revokeRole(
    personId: string,
    role: Role,
    organisationId: string | null,
    by: string | null,
    reason: string,
    at: Date,
  ): Promise<number>;
  activeGrants(personId: string): Promise<RoleGrant[]>;
  /** Every grant and revocation of a role, newest first (the committee's register). */
  listGrants(filter: { readonly role?: Role; readonly activeOnly?: boolean }): Promise<RoleGrant[]>;
}

export const CHANNEL_PURPOSES = ['volunteers', 'alerts', 'committee', 'community'] as const;
export type ChannelPurpose = (typeof CHANNEL_PURPOSES)[number];

export interface ChannelBinding {
  readonly purpose: ChannelPurpose;
  readonly platform: Platform;
  readonly conversationId: string;
  readonly threadId: string | null;
  readonly organisationId: string | null;
  readonly boundBy: string | null;
  readonly boundAt: Date;
}

export interface ChannelRepository {
  /** Binds a conversation for a purpose; rebinding the same conversation updates it. */
  bind(b: ChannelBinding): Promise<void>;
  unbind(platform: Platform, conversationId: string, purpose: ChannelPurpose): Promise<boolean>;
  list(purpose?: ChannelPurpose): Promise<ChannelBinding[]>;
  find(platform: Platform, conversationId: string): Promise<ChannelBinding[]>;
}

export interface DialogRepository {
  /** The live (unexpired) dialog state of a conversation, locked for this transaction. */
  get(key: string, now: Date): Promise<unknown | undefined>;
  put(key: string, state: unknown, expiresAt: Date): Promise<void>;
  delete(key: string): Promise<void>;
  purgeExpired(now: Date): Promise<number>;
}

export interface DeliveryRepository {
  /** Records an inbound delivery id; false when it was seen before (a duplicate). */
  markSeen(platform: Platform, deliveryId: string, at: Date): Promise<boolean>;
  /** Forgets deliveries seen before `before` (platforms redeliver within hours, not weeks). */
  forgetBefore(before: Date): Promise<number>;
}

/**
 * What a one-time code grants: `link` proves a second platform account belongs to `personId`;
 * `invite` makes whoever uses it a member (requester or ict_lead) of `organisationId`.
 */
export type OneTimeCodePurpose =
  | { readonly kind: 'link'; readonly personId: string }
  | { readonly kind: 'invite'; readonly organisationId: string; readonly role: 'requester' | 'ict_lead'; readonly createdBy: string }
  /** `enrol` lets a monitoring agent join `organisationId` (typed by the agent, never in chat). */
  | { readonly kind: 'enrol'; readonly organisationId: string; readonly createdBy: string };

export interface LinkCodeRepository {
  create(code: string, purpose: OneTimeCodePurpose, expiresAt: Date): Promise<void>;
  /** Consumes a live code exactly once (only of `kinds`, when given); returns what it grants, or undefined. */
  consume(code: string, now: Date, kinds?: readonly OneTimeCodePurpose['kind'][]): Promise<OneTimeCodePurpose | undefined>;
}

export interface OutboxRepository {
  enqueue(entries: readonly OutboxEntry[], at: Date): Promise<void>;
  /**
   * Leases up to `limit` due entries, oldest first, one per conversation at a time, only for
   * `platforms` when given (a process leases only what its adapters can send). Each lease
   * increments the record's `attempts`, which fences the marks below.
   */
  lease(now: Date, limit: number, leaseMs: number, platforms?: readonly Platform[]): Promise<OutboxRecord[]>;
  /**
   * Marks the entry delivered if it is still the lease taken as `attempt` (false: the lease
   * expired and another worker took the entry over).
   */
  markDelivered(id: string, attempt: number, at: Date, platformMessageId: string | null): Promise<boolean>;
  /** Schedules a retry at `retryAt`, or gives up for good when null; fenced like `markDelivered`. */
  markFailed(id: string, attempt: number, error: string, retryAt: Date | null): Promise<boolean>;
  /** Platform message id of an earlier message with a stable reference in a conversation. */
  findMessage(platform: Platform, conversationId: string, ref: string): Promise<string | undefined>;
  rememberMessage(platform: Platform, conversationId: string, ref: string, platformMessageId: string): Promise<void>;
  /** The stable reference of a platform message we sent (to map thread replies to a ticket). */
  findRef(platform: Platform, conversationId: string, platformMessageId: string): Promise<string | undefined>;
}

/** What `SlaRepository.openTicketsOverview` is asked (the morning digest's definitions). */
export interface SlaOverviewQuery {
  /** The open tickets: statuses whose resolution clock counts or is paused. */
  readonly statuses: readonly TicketStatus[];
  /** Of those, the statuses whose resolution clock counts (is not paused). */
  readonly counting: readonly TicketStatus[];
  /** A running target is at risk once an event of one of these kinds of it is due. */
  readonly riskKinds: readonly SlaEventKind[];
  readonly now: Date;
  /** How many late or at-risk tickets to return. */
  readonly limit: number;
}

/** Every open ticket counted in the database, and the most pressing ones. */
export interface SlaOverview {
  readonly open: number;
  /** Open, `new` and nobody's. */
  readonly unclaimed: number;
  readonly atRisk: number;
  readonly late: number;
  /** Up to `limit` late or at-risk tickets: the longest past breach first, then the soonest due. */
  readonly urgent: readonly Ticket[];
}

/**
 * SLA policies, settings and the planned SLA events of every ticket (`sla_events`, the source of
 * truth for deadlines). Timers in the job queue are only a fast trigger: firing goes through
 * `markFired`, which hands an event to exactly one caller however many workers race for it.
 */
export interface SlaRepository {
  /** Stored policy rows; the defaults fill the rest (`SlaPolicy.effective`). */
  listPolicies(): Promise<SlaPolicyRow[]>;
  /** Creates or replaces the row of the policy's tier and priority. */
  savePolicy(row: SlaPolicyRow, by: string | null, at: Date): Promise<void>;
  /** The stored settings, or undefined when the defaults apply. */
  getSettings(): Promise<SlaSettings | undefined>;
  saveSettings(settings: SlaSettings, by: string | null, at: Date): Promise<void>;
  /**
   * Locks the ticket's row until the transaction ends and returns it: firing an event and the
   * use cases that move its deadlines (which update that row) then never interleave. With
   * `skipLocked`, returns undefined at once instead of waiting when another transaction holds it.
   */
  lockTicket(ticketId: string, opts?: { readonly skipLocked?: boolean }): Promise<Ticket | undefined>;
  /** The ticket's events, fired or not, by due time. */
  listEvents(ticketId: string): Promise<SlaEventRecord[]>;
  /** Deletes the unfired events `removeIds` of the ticket and inserts `add` (one transaction). */
  rewrite(ticketId: string, removeIds: readonly string[], add: readonly PlannedSlaEvent[], at: Date): Promise<void>;
  findEvent(id: string): Promise<SlaEventRecord | undefined>;
  /** Sets `fired_at` if nobody did: the event for the one caller that wins, undefined for the rest. */
  markFired(id: string, at: Date): Promise<SlaEventRecord | undefined>;
  /** Unfired events due by `now`, oldest first (the reconciliation sweep). */
  listDue(now: Date, limit: number): Promise<SlaEventRecord[]>;
  /**
   * Takes up to `limit` unfired events due before `until` that no timer was set for, marks them
   * as queued at `at`, and returns them (concurrent callers get disjoint sets).
   */
  claimForTimers(until: Date, at: Date, limit: number): Promise<SlaEventRecord[]>;
  /** Forgets the timers of these unfired events (all of them without `ids`); returns how many. */
  releaseTimers(ids?: readonly string[]): Promise<number>;
  /** Records that the scheduled run `name`/`key` (e.g. the digest of a day) happened: false if it had. */
  claimRun(name: string, key: string, at: Date): Promise<boolean>;
  /**
   * The open tickets (`statuses`) counted in SQL, however many there are, with their SLA state
   * as their events record it: a ticket is late when the breach event of a live target is due
   * (fired or not) — the first response lives until the ticket first leaves `new`, the
   * resolution while the ticket is open, even paused; at risk when not late and an event of
   * `riskKinds` of a running target is due (the resolution runs in `counting` statuses).
   */
  openTicketsOverview(q: SlaOverviewQuery): Promise<SlaOverview>;
}

/** Everything a use case may touch, bound to one transaction. */
export interface Repositories {
  readonly tickets: TicketRepository;
  readonly people: PeopleRepository;
  readonly channels: ChannelRepository;
  readonly dialogs: DialogRepository;
  readonly deliveries: DeliveryRepository;
  readonly linkCodes: LinkCodeRepository;
  readonly outbox: OutboxRepository;
  readonly sla: SlaRepository;
  readonly monitoring: MonitoringRepository;
}

/** Runs work in one database transaction; `Repositories` outside a transaction auto-commit. */
export interface Store extends Repositories {
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}
