import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Undelivered outbox entries per platform, for the `sportello_outbox_pending` gauge. */
export async function countPendingOutbox(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('outbox')
    .select(['platform', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'pending')
    .groupBy('platform')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.platform, Number(r.n)]));
}
