/**
 * The community tier's records: questions and their answers, knowledge base articles,
 * observers' announcements, the moderation log and the deflection offers. Plain readonly
 * values; the rules live in the use cases beside them.
 */
import type { Platform } from '../kernel/person.ts';

export type CommunityRefKind = 'question' | 'answer' | 'article' | 'announcement';

const PREFIX: Readonly<Record<CommunityRefKind, string>> = { question: 'Q', answer: 'A', article: 'KB', announcement: 'AN' };
const KIND_OF: Readonly<Record<string, CommunityRefKind>> = { Q: 'question', A: 'answer', KB: 'article', AN: 'announcement' };

/** Human ids from sequences: `Q-000001`, `A-000001`, `KB-000001`, `AN-000001`. */
export const CommunityRef = {
  format(kind: CommunityRefKind, n: number): string {
    return `${PREFIX[kind]}-${String(n).padStart(6, '0')}`;
  },
  /** What a user typed ("q-7", "KB 000012") as a canonical ref with its kind, or undefined. */
  parse(text: string): { readonly kind: CommunityRefKind; readonly ref: string } | undefined {
    const m = /^\s*(Q|A|KB|AN)[\s-]*0*(\d{1,9})\s*$/i.exec(text);
    if (!m?.[1] || !m[2]) return undefined;
    const prefix = m[1].toUpperCase();
    const kind = KIND_OF[prefix];
    return kind && { kind, ref: `${prefix}-${m[2].padStart(6, '0')}` };
  },
  /** The typed ref if it is of `kind`. */
  parseAs(kind: CommunityRefKind, text: string): string | undefined {
    const r = CommunityRef.parse(text);
    return r?.kind === kind ? r.ref : undefined;
  },
};

export interface Question {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly authorId: string;
  readonly organisationId: string | null;
  readonly platform: Platform;
  readonly lockedAt: Date | null;
  readonly hiddenAt: Date | null;
  /** A duplicate points to the question it was merged into. */
  readonly mergedIntoId: string | null;
  readonly createdAt: Date;
}

export interface Answer {
  readonly id: string;
  readonly ref: string;
  readonly questionId: string;
  /** The question under whose message it was posted (a merge moves the answer, not its message). */
  readonly threadQuestionId: string;
  readonly authorId: string;
  readonly body: string;
  readonly platform: Platform;
  readonly acceptedAt: Date | null;
  readonly acceptedBy: string | null;
  readonly usefulCount: number;
  /** The asker's word: it worked (true), it did not (false), not said yet (null). */
  readonly worked: boolean | null;
  readonly feedback: string | null;
  readonly feedbackAt: Date | null;
  readonly hiddenAt: Date | null;
  readonly createdAt: Date;
}

export type ArticleStatus = 'draft' | 'published' | 'declined';

export interface Article {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly status: ArticleStatus;
  readonly authorId: string | null;
  /** The requester of the source ticket, whose consent publishes it. */
  readonly requesterId: string | null;
  readonly decidedBy: string | null;
  readonly publishedAt: Date | null;
  readonly hiddenAt: Date | null;
  readonly createdAt: Date;
  /** The tickets it solved. */
  readonly ticketRefs: readonly string[];
}

export type AnnouncementStatus = 'pending' | 'approved' | 'rejected';

export interface Announcement {
  readonly id: string;
  readonly ref: string;
  readonly authorId: string;
  readonly body: string;
  readonly status: AnnouncementStatus;
  readonly decidedBy: string | null;
  readonly reason: string | null;
  readonly createdAt: Date;
}

export const MODERATION_ACTIONS = ['hide', 'lock', 'unlock', 'merge', 'retag', 'accept', 'approve', 'reject'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/** One moderation decision: on what, which, by whom, why. */
export interface ModerationEntry {
  readonly targetRef: string;
  readonly action: ModerationAction;
  readonly actorId: string | null;
  readonly reason: string;
  readonly details: Readonly<Record<string, string>>;
  readonly at: Date;
}

export type SearchKind = 'question' | 'answer' | 'article';

/** One search result: the best row of a question (itself or one of its answers) or an article. */
export interface SearchHit {
  readonly kind: SearchKind;
  readonly ref: string;
  /** The question an answer belongs to; the ref itself for questions and articles. */
  readonly rootRef: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly accepted: boolean;
  readonly answered: boolean;
  readonly score: number;
}

export type DeflectionSource = 'intake' | 'question';
export type DeflectionOutcome = 'resolved' | 'declined';

export interface DeflectionOffer {
  readonly id: string;
  readonly source: DeflectionSource;
  readonly personId: string;
  readonly platform: Platform;
  readonly offered: readonly string[];
  readonly outcome: DeflectionOutcome | null;
  readonly createdAt: Date;
}

/**
 * The deflection funnel of a period, per source and platform: offers made, "solved, thanks",
 * of those how many came back with a ticket within the recontact window anyway, "open the ticket
 * anyway", and offers left unanswered.
 */
export interface DeflectionStats {
  readonly source: DeflectionSource;
  readonly platform: Platform;
  readonly offered: number;
  readonly resolved: number;
  readonly recontacted: number;
  readonly declined: number;
  readonly unanswered: number;
}
