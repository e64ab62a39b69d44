/**
 * The change-management feature's port: the details beside an RFC ticket, its approvals, the
 * configuration items it touches, the calendar, and the problems it is linked to (read only: the
 * problems feature owns them). `db/change.repository.ts` implements it.
 */
import type { TicketStatus } from '../kernel/ticket.ts';
import type { CalendarEntry, ChangeApproval, ChangeDetails, ChangeType, LinkedProblem } from './model.ts';

export interface ChangeSubmission {
  readonly ticketId: string;
  readonly changeType: ChangeType;
  readonly standardKey: string | null;
  readonly sharedInfrastructure: boolean;
  readonly itemIds: readonly string[];
  readonly at: Date;
}

export interface ChangesRepository {
  findDetails(ticketId: string): Promise<ChangeDetails | undefined>;
  /** Writes (or rewrites) the details of a submission and replaces the items it touches. */
  saveSubmission(s: ChangeSubmission): Promise<ChangeDetails>;
  setWindow(ticketId: string, start: Date, end: Date, at: Date): Promise<void>;
  /** What the implementation achieved, or why it failed and how it was backed out. */
  setOutcome(ticketId: string, outcome: string, backoutPlan: string | null, at: Date): Promise<void>;
  /** Records the committee's review of an emergency change once; false when it was reviewed already. */
  recordReview(ticketId: string, by: string, note: string | null, at: Date): Promise<boolean>;
  listApprovals(ticketId: string): Promise<ChangeApproval[]>;
  /**
   * One decision per slot: false when the slot was decided already (a second decision changes
   * nothing). Locks the change until the transaction ends, so decisions on one change are
   * serialised and `listApprovals` afterwards sees every other committed decision.
   */
  addApproval(a: ChangeApproval): Promise<boolean>;
  /** The configuration items the change touches. */
  listItems(ticketId: string): Promise<string[]>;
  /**
   * Approved and scheduled changes whose window overlaps [from, to), plus approved ones without a
   * window yet, of these organisations (all when undefined), by window start.
   */
  listCalendar(from: Date, to: Date, organisationIds?: readonly string[]): Promise<CalendarEntry[]>;
  /**
   * Change tickets' ids, newest first; with `visibleTo`, only those of its organisations or
   * requested by its person (so a member's newest changes are not crowded out by others').
   */
  listChangeIds(filter: {
    readonly statuses?: readonly TicketStatus[];
    readonly limit: number;
    readonly visibleTo?: { readonly organisationIds: readonly string[]; readonly personId: string };
  }): Promise<string[]>;
  /** The problems the change is linked to (problem_links). */
  linkedProblems(ticketId: string): Promise<LinkedProblem[]>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly changes: ChangesRepository;
  }
}
