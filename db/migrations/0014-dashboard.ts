/**
 * The dashboard (`/cruscotto`): one-time login links asked for in chat and the browser sessions
 * they open. Only a SHA-256 of each token is stored, so a copy of the database opens nothing.
 * Changes to what the dashboard shows (tickets, alerts, engagements, committee decisions) notify
 * `sportello_dashboard` once per statement, so the open pages refresh without polling.
 */
import { type Kysely, sql } from 'kysely';

const WATCHED = ['tickets', 'alerts', 'engagements', 'committee_decisions'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dashboard_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('dashboard_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await sql`create index dashboard_sessions_person_idx on dashboard_sessions (person_id) where revoked_at is null`.execute(db);
  // Old links and sessions are only ever looked up by hash; the index lets a sweep find them.
  await sql`create index dashboard_links_expiry_idx on dashboard_links (expires_at)`.execute(db);
  await sql`create index dashboard_sessions_expiry_idx on dashboard_sessions (expires_at)`.execute(db);

  await sql`
    create function notify_dashboard() returns trigger language plpgsql as $$
    begin
      perform pg_notify('sportello_dashboard', '');
      return null;
    end $$`.execute(db);
  for (const table of WATCHED)
    await sql`create trigger ${sql.raw(`${table}_dashboard_notify`)} after insert or update or delete on ${sql.table(table)}
      for each statement execute function notify_dashboard()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of WATCHED) await sql`drop trigger if exists ${sql.raw(`${table}_dashboard_notify`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists notify_dashboard()`.execute(db);
  await db.schema.dropTable('dashboard_sessions').execute();
  await db.schema.dropTable('dashboard_links').execute();
}
