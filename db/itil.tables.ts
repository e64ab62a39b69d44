/**
 * Kysely row types of the CMDB's history and relations, problems and changes (migration 0010).
 * Kept beside their repositories, which add them with `db.withTables<ItilTables>()`.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Json, ReadOnly } from './schema.ts';

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type RelationKind = 'runs_on' | 'depends_on' | 'connected_to' | 'located_at';
export type ProblemStatus = 'new' | 'investigating' | 'known_error' | 'resolved' | 'closed';
export type ChangeType = 'standard' | 'normal' | 'emergency';
export type ApprovalSlot = 'organisation' | 'committee';
export type SuggestionBasis = 'ci' | 'category' | 'alert';

export interface ConfigurationItemHistoryTable {
  id: Generated<string>;
  seq: ReadOnly<number>;
  configuration_item_id: string;
  actor_id: string | null;
  at: Date;
  field: string;
  from_value: string | null;
  to_value: string | null;
  reason: string | null;
}

export interface ConfigurationItemRelationsTable {
  source_id: string;
  kind: RelationKind;
  target_id: string;
  created_by: string | null;
  created_at: Date;
}

export interface ProblemsTable {
  id: Generated<string>;
  ref: string;
  organisation_id: string | null;
  title: string;
  description: Generated<string>;
  status: ProblemStatus;
  owner_id: Nullable<string>;
  category: Nullable<string>;
  configuration_item_id: Nullable<string>;
  root_cause: Nullable<string>;
  workaround: Nullable<string>;
  resolution: Nullable<string>;
  kb_article_id: Nullable<string>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  known_error_at: Nullable<Date>;
  resolved_at: Nullable<Date>;
  closed_at: Nullable<Date>;
}

export interface ProblemLinksTable {
  problem_id: string;
  ticket_id: string;
  linked_by: string | null;
  linked_at: Date;
}

export interface ProblemEventsTable {
  id: Generated<string>;
  seq: ReadOnly<number>;
  problem_id: string;
  actor_id: string | null;
  at: Date;
  field: string;
  from_value: string | null;
  to_value: string | null;
  note: string | null;
}

export interface ProblemSuggestionsTable {
  id: Generated<string>;
  basis: SuggestionBasis;
  key: string;
  organisation_id: string | null;
  evidence: Json<unknown>;
  suggested_at: Date;
  problem_id: Nullable<string>;
}

export interface ChangeDetailsTable {
  ticket_id: string;
  change_type: ChangeType;
  standard_key: Nullable<string>;
  shared_infrastructure: Generated<boolean>;
  window_start: Nullable<Date>;
  window_end: Nullable<Date>;
  backout_plan: Nullable<string>;
  outcome: Nullable<string>;
  reviewed_at: Nullable<Date>;
  reviewed_by: Nullable<string>;
  review_note: Nullable<string>;
  submitted_at: Nullable<Date>;
  updated_at: Date;
}

export interface ChangeApprovalsTable {
  ticket_id: string;
  slot: ApprovalSlot;
  decision: 'approved' | 'rejected';
  approver_id: string;
  note: string | null;
  at: Date;
}

export interface ChangeItemsTable {
  ticket_id: string;
  configuration_item_id: string;
}

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type ItilTables = {
  configuration_item_history: ConfigurationItemHistoryTable;
  configuration_item_relations: ConfigurationItemRelationsTable;
  problems: ProblemsTable;
  problem_links: ProblemLinksTable;
  problem_events: ProblemEventsTable;
  problem_suggestions: ProblemSuggestionsTable;
  change_details: ChangeDetailsTable;
  change_approvals: ChangeApprovalsTable;
  change_items: ChangeItemsTable;
};
