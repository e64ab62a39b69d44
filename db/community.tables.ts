/**
 * Kysely row types of the community tables (migration 0008). Kept beside the community
 * repository, which adds them to the database type with `db.withTables<CommunityTables>()`.
 */
import type { ColumnType, Generated } from 'kysely';
import type {
  AnnouncementStatus,
  ArticleStatus,
  DeflectionOutcome,
  DeflectionSource,
  ModerationAction,
  SearchKind,
} from '../core/community/model.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { Json, ReadOnly } from './schema.ts';

export interface CommunityQuestionsTable {
  id: Generated<string>;
  ref: string;
  title: string;
  body: string;
  tags: string[];
  author_id: string;
  organisation_id: string | null;
  platform: Platform;
  idempotency_key: string | null;
  locked_at: Date | null;
  hidden_at: Date | null;
  merged_into_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface CommunityAnswersTable {
  id: Generated<string>;
  ref: string;
  question_id: string;
  thread_question_id: string;
  author_id: string;
  body: string;
  platform: Platform;
  idempotency_key: string | null;
  accepted_at: Date | null;
  accepted_by: string | null;
  useful_count: Generated<number>;
  worked: boolean | null;
  feedback: string | null;
  feedback_at: Date | null;
  hidden_at: Date | null;
  created_at: Date;
}

export interface CommunityVotesTable {
  answer_id: string;
  person_id: string;
  created_at: Date;
}

export interface KbArticlesTable {
  id: Generated<string>;
  ref: string;
  title: string;
  body: string;
  tags: string[];
  status: ArticleStatus;
  author_id: string | null;
  requester_id: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  published_at: Date | null;
  hidden_at: Date | null;
  created_at: Date;
}

export interface KbArticleTicketsTable {
  article_id: string;
  ticket_id: string;
  linked_at: Date;
}

export interface CommunityAnnouncementsTable {
  id: Generated<string>;
  ref: string;
  author_id: string;
  body: string;
  status: AnnouncementStatus;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
  created_at: Date;
}

export interface CommunityModerationTable {
  id: ReadOnly<string>;
  target_ref: string;
  action: ModerationAction;
  actor_id: string | null;
  reason: string;
  details: Json<Record<string, string>>;
  at: Date;
}

export interface DeflectionOffersTable {
  id: Generated<string>;
  source: DeflectionSource;
  person_id: string;
  platform: Platform;
  query: string;
  offered: string[];
  outcome: DeflectionOutcome | null;
  outcome_at: Date | null;
  ticket_id: string | null;
  created_at: Date;
}

export interface CommunitySearchTable {
  ref: string;
  kind: SearchKind;
  root_ref: string;
  title: string;
  body: string;
  tags: string[];
  accepted: boolean;
  answered: boolean;
  useful: number;
  /** Written only by the repository's rebuild statements (raw SQL). */
  tsv: ColumnType<string, never, never>;
  created_at: Date;
}

export interface CommunityWordsTable {
  word: string;
}

export type CommunityTables = {
  community_questions: CommunityQuestionsTable;
  community_answers: CommunityAnswersTable;
  community_votes: CommunityVotesTable;
  kb_articles: KbArticlesTable;
  kb_article_tickets: KbArticleTicketsTable;
  community_announcements: CommunityAnnouncementsTable;
  community_moderation: CommunityModerationTable;
  deflection_offers: DeflectionOffersTable;
  community_search: CommunitySearchTable;
  community_words: CommunityWordsTable;
};
