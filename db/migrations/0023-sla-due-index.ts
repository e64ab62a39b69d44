/**
 * One index on the unfired SLA events' due time where there were two: the reconciliation
 * sweep and the firing batch (`lockDue`, `listDue`: unfired events by `due_at`) and the timer
 * pump (`claimForTimers`: those of them without a timer, `queued_at` null) both scan
 * `(due_at, queued_at) where fired_at is null` — the pump's `queued_at is null` is checked in
 * the index, so events that already have a timer cost it an index entry, not a heap fetch. A
 * ticket's opening writes 8 events: 8 index entries fewer.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sla_events_untimed_due_idx').execute();
  await db.schema.dropIndex('sla_events_unfired_due_idx').execute();
  await db.schema
    .createIndex('sla_events_unfired_due_idx')
    .on('sla_events')
    .columns(['due_at', 'queued_at'])
    .where(sql.ref('fired_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sla_events_unfired_due_idx').execute();
  await db.schema
    .createIndex('sla_events_unfired_due_idx')
    .on('sla_events')
    .column('due_at')
    .where(sql.ref('fired_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('sla_events_untimed_due_idx')
    .on('sla_events')
    .column('due_at')
    .where(sql<boolean>`fired_at is null and queued_at is null`)
    .execute();
}
