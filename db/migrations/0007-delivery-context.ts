/**
 * Delivery from any process: what the adapters learn on the inbound side and the outbound side
 * needs, in the database instead of one process's memory (see core/kernel/delivery-context.ts).
 * - `platform_dm_channels`: the DM channel a platform gave a user (Slack, Discord);
 * - `platform_interactions`: the acknowledged interactions of the last minutes (Discord's
 *   interaction token, 15 minutes), with whether the deferred placeholder was used;
 * - web chat messages notify `sportello_web_messages` when written, so the process holding a
 *   browser's live stream shows a message another process stored.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('platform_dm_channels')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_dm_channels_pkey', ['platform', 'user_id'])
    .execute();

  await db.schema
    .createTable('platform_interactions')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('channel_key', 'text', (c) => c.notNull())
    .addColumn('interaction_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('command', 'component')`))
    .addColumn('original_used', 'boolean', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_interactions_pkey', ['platform', 'token'])
    .execute();
  await db.schema
    .createIndex('platform_interactions_user_idx')
    .on('platform_interactions')
    .columns(['platform', 'user_id', 'channel_key', 'expires_at'])
    .execute();
  await db.schema.createIndex('platform_interactions_expires_idx').on('platform_interactions').column('expires_at').execute();

  await sql`
    create function notify_web_message() returns trigger language plpgsql as $$
    begin
      perform pg_notify('sportello_web_messages', new.id::text);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger web_messages_notify after insert or update on web_messages
    for each row execute function notify_web_message()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists web_messages_notify on web_messages`.execute(db);
  await sql`drop function if exists notify_web_message()`.execute(db);
  await db.schema.dropTable('platform_interactions').execute();
  await db.schema.dropTable('platform_dm_channels').execute();
}
