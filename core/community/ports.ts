/** The community feature's port: questions, answers, articles, announcements, moderation, search, deflection. `db/` implements it. */
import type { Platform } from '../kernel/person.ts';
import type {
  Announcement,
  AnnouncementStatus,
  Answer,
  Article,
  ArticleStatus,
  CommunityRefKind,
  DeflectionOffer,
  DeflectionOutcome,
  DeflectionSource,
  DeflectionStats,
  ModerationEntry,
  Question,
  SearchHit,
  SearchKind,
} from './model.ts';

export interface NewQuestion {
  readonly ref: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly authorId: string;
  readonly organisationId: string | null;
  readonly platform: Platform;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export interface NewAnswer {
  readonly ref: string;
  readonly questionId: string;
  readonly authorId: string;
  readonly body: string;
  readonly platform: Platform;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export interface NewArticle {
  readonly ref: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly authorId: string | null;
  readonly requesterId: string | null;
  readonly createdAt: Date;
}

export type QuestionPatch = Partial<Pick<Question, 'lockedAt' | 'hiddenAt' | 'mergedIntoId' | 'tags'>>;
export type AnswerPatch = Partial<Pick<Answer, 'acceptedAt' | 'acceptedBy' | 'worked' | 'feedback' | 'feedbackAt' | 'hiddenAt'>>;
export type ArticlePatch = Partial<Pick<Article, 'status' | 'decidedBy' | 'publishedAt' | 'hiddenAt' | 'tags' | 'title' | 'body'>>;

/**
 * A search as PostgreSQL runs it: `groups` are the query's words, each with its alternatives
 * (synonyms, spelling corrections), already folded to `[a-z0-9]`. A row matches when it has a
 * word of any group; it scores by how many groups it covers, its text rank, and what it is
 * (articles and accepted answers first).
 */
export interface SearchQuery {
  readonly groups: readonly (readonly string[])[];
  readonly kinds: readonly SearchKind[];
  /**
   * `answered`: only what already has an answer (articles, answers, answered questions);
   * `solutions`: only articles and accepted answers; `all`: everything visible.
   */
  readonly only: 'all' | 'answered' | 'solutions';
  /**
   * Ideas of the query no post can match (words never written in the community): counted in
   * the share of ideas a row covers, so a message about something else scores low.
   */
  readonly unmatched: number;
  readonly minScore: number;
  readonly limit: number;
}

export interface CommunityRepository {
  /** Allocates the next human id of a kind from its sequence; never the same twice. */
  nextRef(kind: CommunityRefKind): Promise<string>;

  /** Inserts a question; undefined when one with the same idempotency key exists already. */
  insertQuestion(q: NewQuestion): Promise<Question | undefined>;
  findQuestion(ref: string): Promise<Question | undefined>;
  findQuestionById(id: string): Promise<Question | undefined>;
  findQuestionByKey(idempotencyKey: string): Promise<Question | undefined>;
  /** Locks the question's row for this transaction (two answers, a merge and a lock serialise). */
  lockQuestion(id: string): Promise<Question | undefined>;
  updateQuestion(id: string, patch: QuestionPatch, at: Date): Promise<Question>;

  /** Inserts an answer; undefined when one with the same idempotency key exists already. */
  insertAnswer(a: NewAnswer): Promise<Answer | undefined>;
  findAnswer(ref: string): Promise<Answer | undefined>;
  findAnswerByKey(idempotencyKey: string): Promise<Answer | undefined>;
  /** A question's answers, oldest first, hidden ones included. */
  listAnswers(questionId: string): Promise<Answer[]>;
  updateAnswer(id: string, patch: AnswerPatch): Promise<Answer>;
  /** Moves every answer of `fromQuestionId` to `toQuestionId`; returns how many. */
  moveAnswers(fromQuestionId: string, toQuestionId: string): Promise<number>;
  /** Records one person's "useful" on an answer: false when they had voted already. */
  addVote(answerId: string, personId: string, at: Date): Promise<boolean>;

  insertArticle(a: NewArticle): Promise<Article>;
  findArticle(ref: string): Promise<Article | undefined>;
  /** The article a ticket was published in, if any. */
  findArticleOfTicket(ticketId: string): Promise<Article | undefined>;
  linkTicket(articleId: string, ticketId: string, at: Date): Promise<void>;
  updateArticle(id: string, patch: ArticlePatch, at: Date): Promise<Article>;
  /**
   * Sets the status from `draft` only: the published or declined article, or undefined when
   * someone decided first (the requester's answer and a moderator's approval may cross).
   */
  decideArticle(id: string, status: Exclude<ArticleStatus, 'draft'>, by: string | null, at: Date): Promise<Article | undefined>;
  listArticles(filter: { readonly statuses?: readonly ArticleStatus[]; readonly limit: number }): Promise<Article[]>;

  insertAnnouncement(a: {
    readonly ref: string;
    readonly authorId: string;
    readonly body: string;
    readonly status: AnnouncementStatus;
    readonly createdAt: Date;
  }): Promise<Announcement>;
  findAnnouncement(ref: string): Promise<Announcement | undefined>;
  /** Decides a pending announcement once: undefined when it was decided already. */
  decideAnnouncement(
    id: string,
    status: Exclude<AnnouncementStatus, 'pending'>,
    by: string | null,
    reason: string,
    at: Date,
  ): Promise<Announcement | undefined>;
  listAnnouncements(status: AnnouncementStatus, limit: number): Promise<Announcement[]>;

  recordModeration(e: ModerationEntry): Promise<void>;
  /** The moderation log, newest first (of one target, when given). */
  listModeration(filter: { readonly targetRef?: string; readonly limit: number }): Promise<ModerationEntry[]>;

  /**
   * For each word, the vocabulary word closest to it by trigram similarity (itself when known),
   * with the similarity; words with nothing similar are left out.
   */
  closestWords(words: readonly string[]): Promise<Map<string, { readonly word: string; readonly similarity: number }>>;
  search(q: SearchQuery): Promise<SearchHit[]>;

  recordOffer(o: {
    readonly source: DeflectionSource;
    readonly personId: string;
    readonly platform: Platform;
    readonly query: string;
    readonly offered: readonly string[];
    readonly createdAt: Date;
  }): Promise<DeflectionOffer>;
  findOffer(id: string): Promise<DeflectionOffer | undefined>;
  /** Records the outcome of an open offer once: false when it had one already. */
  settleOffer(id: string, outcome: DeflectionOutcome, at: Date): Promise<boolean>;
  /** The ticket opened after the offer was declined. */
  linkOfferTicket(id: string, ticketId: string): Promise<void>;
  /** The funnel of offers made since `since`; a ticket within `recontactMs` of "solved" counts as a recontact. */
  deflectionStats(since: Date, recontactMs: number): Promise<DeflectionStats[]>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly community: CommunityRepository;
  }
}
