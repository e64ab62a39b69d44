/**
 * Privacy rights (GDPR): the register of exports and erasures (who asked, who acted, when, why),
 * the one-time links that deliver a person's export asked for in chat (only the SHA-256 of the
 * token is stored), the mark of an erased person, and the mark of a closed ticket whose personal
 * data the retention job removed.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // Orders requests written at the same instant.
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('export', 'erase', 'retention')`))
    // Null for the retention job, which is about tickets rather than one person.
    .addColumn('person_id', 'uuid', (c) => c.references('people.id'))
    // Null: the system (the CLI operator, the scheduled job).
    .addColumn('requested_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('cli', 'chat', 'job')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('privacy_requests_person_idx').on('privacy_requests').columns(['person_id', 'at']).execute();

  await db.schema
    .createTable('privacy_export_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema.alterTable('people').addColumn('erased_at', 'timestamptz').execute();
  await db.schema.alterTable('tickets').addColumn('personal_data_removed_at', 'timestamptz').execute();
  // The retention job's scan: closed tickets not yet cleared, oldest first.
  await sql`create index tickets_retention_idx on tickets (closed_at) where personal_data_removed_at is null and closed_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index tickets_retention_idx`.execute(db);
  await db.schema.alterTable('tickets').dropColumn('personal_data_removed_at').execute();
  await db.schema.alterTable('people').dropColumn('erased_at').execute();
  await db.schema.dropTable('privacy_export_links').execute();
  await db.schema.dropTable('privacy_requests').execute();
}
