/**
 * The inbox of verified platform events (Slack's Events API): stored before the platform is
 * answered, deleted once the engine committed them (or they were ignored). `leased_until` is
 * when another process (the replay sweep) may take a row: the receiving process holds it
 * until then, so only events left by a crash or a failed engine run are replayed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbound_inbox')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('leased_until', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('inbound_inbox_pkey', ['platform', 'delivery_id'])
    .execute();
  await db.schema.createIndex('inbound_inbox_due').on('inbound_inbox').columns(['platform', 'leased_until']).execute();
  // Rows live seconds: the default autovacuum thresholds would let dead ones pile up under load.
  await sql`alter table inbound_inbox set (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 1000)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbound_inbox').execute();
}
