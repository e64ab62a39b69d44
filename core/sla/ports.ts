/** The SLA feature's port: policies, settings and the SLA events of every ticket. */
import type { Ticket, TicketStatus } from '../kernel/ticket.ts';
import type { PlannedSlaEvent, SlaEventKind, SlaEventRecord } from './sla-event-kind.ts';
import type { SlaPolicyRow, SlaSettings } from './sla-policy.ts';

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
  /** `listPolicies` and `getSettings` in one round trip (every new ticket reads both). */
  policiesAndSettings(): Promise<{ readonly policies: SlaPolicyRow[]; readonly settings: SlaSettings | undefined }>;
  /**
   * `policiesAndSettings` as this process last read them (no query then), maybe out of date,
   * with the configuration version they were read at: a ticket's opening checks that version
   * (`TicketOpening.configVersion`) and its caller reads again when it is stale. The same
   * object until the copy changes.
   */
  cachedPoliciesAndSettings(): Promise<{
    readonly policies: readonly SlaPolicyRow[];
    readonly settings: SlaSettings | undefined;
    readonly version: string;
  }>;
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
  /**
   * Locks the rows of these tickets until the transaction ends and returns them, passing over
   * (with `skipLocked`) those another transaction holds. Rows are locked in id order, so two
   * callers never wait on each other in a cycle.
   */
  lockTickets(ticketIds: readonly string[], opts?: { readonly skipLocked?: boolean }): Promise<Ticket[]>;
  /** Locks the event's row until the transaction ends (waiting for a holder) and returns it. */
  lockEvent(id: string): Promise<SlaEventRecord | undefined>;
  /**
   * Up to `limit` unfired events due by `now`, oldest first, but `except`, locked until the
   * transaction ends: events another transaction holds are passed over, so concurrent callers
   * get disjoint sets (the batched firing).
   */
  lockDue(now: Date, limit: number, except: readonly string[]): Promise<SlaEventRecord[]>;
  /** `markFired` for many: the events of `ids` nobody had fired, now fired, for this caller only. */
  markFiredMany(ids: readonly string[], at: Date): Promise<SlaEventRecord[]>;
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

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly sla: SlaRepository;
  }
}
