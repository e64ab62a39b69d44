/**
 * The outbox's due rows found through a partial index of the pending ones, in place of
 * `outbox_status_due_idx` over every row ever written (status, next_attempt_at): that one got an
 * entry for every delivered mark (an UPDATE of `status` is never a HOT update: PostgreSQL makes
 * a new row version and adds it to every index whose key or predicate the update touches,
 * unless the new version falls outside a partial index's predicate) and grew with the delivered
 * rows kept, which no lease reads. Now a mark adds the new version to the primary key only, and
 * the index holds the few pending rows. The lease (`status = 'pending' and next_attempt_at <= now`)
 * and the pending gauge use it; nothing read delivered or failed rows through the old one.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index outbox_pending_due_idx on outbox (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`drop index outbox_status_due_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index outbox_status_due_idx on outbox (status, next_attempt_at)`.execute(db);
  await sql`drop index outbox_pending_due_idx`.execute(db);
}
