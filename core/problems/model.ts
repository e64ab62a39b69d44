/**
 * A problem (ITIL problem management): the underlying cause of one or more incidents, worked
 * from `new` through investigation to a known error (a workaround the requesters are told) and
 * its resolution, usually by a change. Its refs (`PRB-000001`) come from the `prb` sequence.
 */
import { DomainError } from '../kernel/errors.ts';

export const PROBLEM_STATUSES = ['new', 'investigating', 'known_error', 'resolved', 'closed'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/** What is still being worked: the list of `problemi`, the card's link buttons, the scan's cover. */
export const OPEN_PROBLEM_STATUSES: readonly ProblemStatus[] = ['new', 'investigating', 'known_error'];

export interface Problem {
  readonly id: string;
  readonly ref: string;
  /** Null: it spans organisations. */
  readonly organisationId: string | null;
  readonly title: string;
  readonly description: string;
  readonly status: ProblemStatus;
  readonly ownerId: string | null;
  readonly category: string | null;
  readonly configurationItemId: string | null;
  readonly rootCause: string | null;
  readonly workaround: string | null;
  readonly resolution: string | null;
  readonly kbArticleId: string | null;
  /** The published article's ref (KB-000003), when the known error was published. */
  readonly kbArticleRef: string | null;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly knownErrorAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
}

export interface ProblemEvent {
  readonly problemId: string;
  readonly actorId: string | null;
  readonly at: Date;
  /** `status`, `owner`, `root_cause`, `workaround`, `link`, `organisation`, `told_workaround`, `told_resolution`, `kb_article`… */
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly note: string | null;
}

/** What a use case asks of a problem; `set_cause` and `link` keep its status. */
export const PROBLEM_ACTIONS = ['investigate', 'set_cause', 'link', 'known_error', 'resolve', 'close'] as const;
export type ProblemAction = (typeof PROBLEM_ACTIONS)[number];

/**
 * The life cycle: investigation (taking ownership) from `new`; a known error from anything
 * still open (again to revise the workaround); resolution from anything still open; closing
 * from anything not closed (a resolved problem, or one that turned out to be none). Root cause
 * and links only while open. Taking ownership of a known error keeps it a known error.
 */
const MOVES: Readonly<Record<ProblemStatus, Partial<Record<ProblemAction, ProblemStatus>>>> = {
  new: {
    investigate: 'investigating',
    set_cause: 'new',
    link: 'new',
    known_error: 'known_error',
    resolve: 'resolved',
    close: 'closed',
  },
  investigating: {
    investigate: 'investigating',
    set_cause: 'investigating',
    link: 'investigating',
    known_error: 'known_error',
    resolve: 'resolved',
    close: 'closed',
  },
  known_error: {
    investigate: 'known_error',
    set_cause: 'known_error',
    link: 'known_error',
    known_error: 'known_error',
    resolve: 'resolved',
    close: 'closed',
  },
  resolved: { close: 'closed' },
  closed: {},
};

export const ProblemStateMachine = {
  next(from: ProblemStatus, action: ProblemAction): ProblemStatus | undefined {
    return MOVES[from][action];
  },
  /** The next status, or `problem_state` naming the action, the problem and where it stands. */
  nextOrThrow(p: Pick<Problem, 'ref' | 'status'>, action: ProblemAction): ProblemStatus {
    const to = MOVES[p.status][action];
    if (!to) throw new DomainError('problem_state', { action: `problem_${action}`, ref: p.ref, status: p.status });
    return to;
  },
};

export function isOpenProblem(status: ProblemStatus): boolean {
  return OPEN_PROBLEM_STATUSES.includes(status);
}

export const ProblemRef = {
  format(n: number): string {
    return `PRB-${String(n).padStart(6, '0')}`;
  },
  /** `prb 7`, `PRB-000007` → `PRB-000007`; undefined for anything else. */
  parse(text: string): string | undefined {
    const m = /^\s*PRB[\s-]*0*(\d{1,9})\s*$/i.exec(text);
    return m?.[1] ? ProblemRef.format(Number(m[1])) : undefined;
  },
  pattern: /^PRB[\s-]*\d+$/i,
};

/** The bases of the proactive scan: incidents on one configuration item, of one organisation and category, or one alert repeating. */
export type SuggestionBasis = 'ci' | 'category' | 'alert';

export interface SuggestedIncident {
  readonly ref: string;
  readonly title: string;
  readonly createdAt: string;
}

/** What the scan saw, kept with the suggestion and shown in the volunteers channel. */
export type SuggestionEvidence =
  | {
      readonly basis: 'ci';
      readonly configurationItemId: string;
      readonly count: number;
      readonly incidents: readonly SuggestedIncident[];
    }
  | {
      readonly basis: 'category';
      readonly category: string;
      readonly count: number;
      readonly incidents: readonly SuggestedIncident[];
    }
  | {
      readonly basis: 'alert';
      readonly fingerprint: string;
      readonly checkId: string;
      readonly target: string;
      readonly configurationItemId: string | null;
      /** Alert rows of the fingerprint opened in the window, repeats (reopened after resolving), false alarms. */
      readonly alerts: number;
      readonly flaps: number;
      readonly falseAlarms: number;
      readonly incidents: readonly SuggestedIncident[];
    };

export interface SuggestionCandidate {
  readonly basis: SuggestionBasis;
  /** The CI id, `<organisation id>:<category>`, or the alert fingerprint. */
  readonly key: string;
  readonly organisationId: string | null;
  readonly evidence: SuggestionEvidence;
}

export interface ProblemSuggestion extends SuggestionCandidate {
  readonly id: string;
  readonly suggestedAt: Date;
  readonly problemId: string | null;
}

/** The scan's thresholds: 3 incidents within 14 days; an alert 3 times, or 5 repeats. */
export interface ScanThresholds {
  readonly incidents: number;
  readonly alertRows: number;
  readonly alertFlaps: number;
}

export const DEFAULT_SCAN = { windowDays: 14, incidents: 3, alertRows: 3, alertFlaps: 5 } as const;
