/**
 * SLA: editable policies and settings, the planned SLA events of every ticket (the source of
 * truth for deadlines; job-queue timers only make them fire on time), and the ledger that lets
 * a scheduled run (the morning digest of a day) happen once however many workers run it.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';

const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;

const TARGETS = ['response', 'resolution', 'unclaimed'];
const KINDS = ['warn_75', 'warn_90', 'breach', 'reannounce', 'report'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sla_policies')
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('priority', 'smallint', (c) => c.notNull())
    // Business minutes; fractions allowed.
    .addColumn('response_minutes', 'double precision', (c) => c.notNull())
    .addColumn('resolution_minutes', 'double precision', (c) => c.notNull())
    .addColumn('all_hours', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'uuid', (c) => c.references('people.id'))
    .addPrimaryKeyConstraint('sla_policies_pkey', ['tier', 'priority'])
    .addCheckConstraint('sla_policies_tier_check', oneOf('tier', ['volunteer', 'vendor']))
    .addCheckConstraint('sla_policies_priority_check', sql`priority between 1 and 5`)
    .addCheckConstraint('sla_policies_minutes_check', sql`response_minutes > 0 and resolution_minutes > 0`)
    .execute();

  // One row (id = 1) when someone changed the defaults.
  await db.schema
    .createTable('sla_settings')
    .addColumn('id', 'smallint', (c) => c.primaryKey().defaultTo(1))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('hours', 'text', (c) => c.notNull())
    .addColumn('local_holidays', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('reannounce_after', 'double precision', (c) => c.notNull())
    .addColumn('report_after', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'uuid', (c) => c.references('people.id'))
    .addCheckConstraint('sla_settings_single_row_check', sql`id = 1`)
    .execute();

  await db.schema
    .createTable('sla_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz')
    // When a job-queue timer was set for it; null again if the queue lost its state.
    .addColumn('queued_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('sla_events_target_check', oneOf('target', TARGETS))
    .addCheckConstraint('sla_events_kind_check', oneOf('kind', KINDS))
    .execute();
  await db.schema.createIndex('sla_events_ticket_idx').on('sla_events').columns(['ticket_id', 'due_at']).execute();
  // At most one pending event per ticket, clock and kind: a rewrite can never leave two.
  await db.schema
    .createIndex('sla_events_pending_key')
    .unique()
    .on('sla_events')
    .columns(['ticket_id', 'target', 'kind'])
    .where(sql.ref('fired_at'), 'is', null)
    .execute();
  // The reconciliation sweep: unfired events by due time.
  await db.schema
    .createIndex('sla_events_unfired_due_idx')
    .on('sla_events')
    .column('due_at')
    .where(sql.ref('fired_at'), 'is', null)
    .execute();
  // The timer pump: unfired events without a timer yet.
  await db.schema
    .createIndex('sla_events_untimed_due_idx')
    .on('sla_events')
    .column('due_at')
    .where(sql<boolean>`fired_at is null and queued_at is null`)
    .execute();

  await db.schema
    .createTable('scheduled_runs')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('run_key', 'text', (c) => c.notNull())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('scheduled_runs_pkey', ['name', 'run_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['scheduled_runs', 'sla_events', 'sla_settings', 'sla_policies']) await db.schema.dropTable(table).execute();
}
