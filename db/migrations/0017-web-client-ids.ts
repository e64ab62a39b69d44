/**
 * The web chat remembers the browser's id of each message a person sent: a send retried with the
 * same id (the page resends after a network error) is one message in the history, as it is one
 * event for the engine.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('web_messages').addColumn('client_id', 'text').execute();
  await sql`create unique index web_messages_client_idx on web_messages (author, client_id) where client_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('web_messages').dropColumn('client_id').execute();
}
