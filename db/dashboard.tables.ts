/**
 * Kysely row types of the dashboard's tables (migration 0014), added to the database type by the
 * dashboard repository with `db.withTables<DashboardTables>()`.
 */

export interface DashboardLinksTable {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  person_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface DashboardSessionsTable {
  token_hash: string;
  person_id: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  revoked_at: Date | null;
}

export type DashboardTables = {
  dashboard_links: DashboardLinksTable;
  dashboard_sessions: DashboardSessionsTable;
};
