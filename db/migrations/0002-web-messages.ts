/** Messages of the built-in web chat: the web adapter's "platform" keeps them here. */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('web_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    // 'dm:<handle>' for a direct conversation, the channel id otherwise.
    .addColumn('conversation', 'text', (c) => c.notNull())
    .addColumn('thread_of', 'uuid')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('ephemeral_to', 'text')
    .addColumn('message', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('web_messages_conversation_idx').on('web_messages').columns(['conversation', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('web_messages').execute();
}
