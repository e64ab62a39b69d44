/**
 * The problems feature's port: problems, their links to incidents and changes, their history and
 * the proactive scan's suggestions. `db/problem.repository.ts` implements it. Status changes are
 * compare-and-set; linking relies on a ticket belonging to at most one problem.
 */
import type { Ticket } from '../kernel/ticket.ts';
import type { Problem, ProblemEvent, ProblemStatus, ProblemSuggestion, ScanThresholds, SuggestionCandidate } from './model.ts';

export interface NewProblem {
  readonly ref: string;
  readonly organisationId: string | null;
  readonly title: string;
  readonly description: string;
  readonly category: string | null;
  readonly configurationItemId: string | null;
  readonly createdBy: string | null;
  readonly createdAt: Date;
}

export type ProblemPatch = Partial<
  Pick<
    Problem,
    | 'status'
    | 'ownerId'
    | 'organisationId'
    | 'rootCause'
    | 'workaround'
    | 'resolution'
    | 'kbArticleId'
    | 'knownErrorAt'
    | 'resolvedAt'
    | 'closedAt'
  >
>;

/** A linked ticket, with a change's recorded outcome (change_details), if any. */
export interface LinkedTicket {
  readonly ticket: Ticket;
  readonly changeOutcome: string | null;
  readonly linkedAt: Date;
}

export interface ProblemRepository {
  /** The next `PRB-` ref from its sequence: never the same twice. */
  nextRef(): Promise<string>;
  insert(p: NewProblem): Promise<Problem>;
  findByRef(ref: string): Promise<Problem | undefined>;
  findById(id: string): Promise<Problem | undefined>;
  /** Locks the problem's row for this transaction (links, known errors and resolutions on it serialise). */
  lock(id: string): Promise<Problem | undefined>;
  /** Applies `patch` only while the problem is in one of `from`; undefined when it moved meanwhile. */
  update(id: string, from: readonly ProblemStatus[], patch: ProblemPatch, at: Date): Promise<Problem | undefined>;
  /** Newest first. */
  list(filter: { readonly statuses?: readonly ProblemStatus[]; readonly limit?: number }): Promise<Problem[]>;

  /** Links a ticket; false when the ticket is linked already (to this problem or another). */
  link(problemId: string, ticketId: string, by: string | null, at: Date): Promise<boolean>;
  /** The problem a ticket is linked to. */
  problemOfTicket(ticketId: string): Promise<Problem | undefined>;
  /** Oldest link first. */
  linkedTickets(problemId: string): Promise<LinkedTicket[]>;

  addEvents(events: readonly ProblemEvent[]): Promise<void>;
  /** Oldest first, in the order written. */
  listEvents(problemId: string): Promise<ProblemEvent[]>;

  /**
   * The patterns worth a problem since `since`: incidents on one configuration item, incidents of
   * one organisation and category, alert fingerprints firing again and again — leaving out
   * incidents already linked to an open problem, patterns an open problem covers (same item, same
   * organisation and category) and those suggested since `since`. One pass of SQL over the
   * window's incidents (tickets_kind_created_idx) and alerts (alerts_org_opened_idx).
   */
  scanPatterns(since: Date, thresholds: ScanThresholds): Promise<SuggestionCandidate[]>;
  /**
   * Records a suggestion unless the same basis and key was suggested since `since` (serialised by
   * an advisory lock on the key, so two workers never both record it); undefined when it was.
   */
  insertSuggestion(s: SuggestionCandidate, since: Date, at: Date): Promise<ProblemSuggestion | undefined>;
  /** The suggestion, its row locked for this transaction. */
  lockSuggestion(id: string): Promise<ProblemSuggestion | undefined>;
  setSuggestionProblem(id: string, problemId: string): Promise<void>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly problems: ProblemRepository;
  }
}
