/**
 * Failures that are not rate limits, counted apart from `attempts`: the backoff grows with these
 * only. `attempts` also counts leases (it fences the marks), so a burst of 429s used to push a
 * later ordinary retry minutes away and stall the whole conversation behind it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('failures').execute();
}
