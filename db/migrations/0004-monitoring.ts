/**
 * Monitoring: enrolled agents, the configuration items they keep current, the nonces and batch
 * ids that make replays and resends harmless, check results and states, alerts and silences.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';

const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
const uuidPk = sql`gen_random_uuid()`;

const CHECK_STATUSES = ['ok', 'warn', 'crit', 'unknown'];
const CHECK_KINDS = ['cpu', 'load', 'memory', 'disk', 'process', 'log', 'http', 'tls', 'file_age'];
const ALERT_KINDS = [...CHECK_KINDS, 'agent_offline'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitoring_agents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // The HMAC key the agent signs with; the server needs it in clear to verify.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('heartbeat_seconds', 'integer', (c) => c.notNull())
    .addColumn('grace_seconds', 'integer', (c) => c.notNull())
    .addColumn('agent_version', 'text')
    .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('enrolled_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('last_seen_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('dropped_batches', 'bigint', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('monitoring_agents_heartbeat_check', sql`heartbeat_seconds > 0 and grace_seconds >= 0`)
    .execute();
  await db.schema.createIndex('monitoring_agents_org_idx').on('monitoring_agents').column('organisation_id').execute();

  await db.schema
    .createTable('configuration_items')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('number', 'bigserial', (c) => c.notNull().unique())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb')
    .addColumn('agent_id', 'uuid', (c) => c.unique().references('monitoring_agents.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('configuration_items_kind_check', oneOf('kind', ['computer']))
    .execute();
  await db.schema.createIndex('configuration_items_org_name_idx').on('configuration_items').columns(['organisation_id', 'name']).execute();

  // Seen request nonces, kept for the clock-skew window: a replayed request finds its nonce.
  await db.schema
    .createTable('agent_nonces')
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('monitoring_agents.id'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_nonces_pkey', ['agent_id', 'nonce'])
    .execute();
  await db.schema.createIndex('agent_nonces_seen_idx').on('agent_nonces').column('seen_at').execute();

  // Stored batch ids: a batch resent after a lost answer is recognised and skipped.
  await db.schema
    .createTable('agent_batches')
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('monitoring_agents.id'))
    .addColumn('batch_id', 'uuid', (c) => c.notNull())
    .addColumn('results', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_batches_pkey', ['agent_id', 'batch_id'])
    .execute();
  await db.schema.createIndex('agent_batches_received_idx').on('agent_batches').column('received_at').execute();

  await db.schema
    .createTable('check_results')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('agent_id', 'uuid', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('observed_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('check_results_status_check', oneOf('status', CHECK_STATUSES))
    .execute();
  await db.schema.createIndex('check_results_fingerprint_idx').on('check_results').columns(['fingerprint', 'observed_at']).execute();
  // Append-mostly in time order: a BRIN index makes the retention purge cheap.
  await sql`create index check_results_observed_brin on check_results using brin (observed_at)`.execute(db);

  await db.schema
    .createTable('check_states')
    .addColumn('fingerprint', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('monitoring_agents.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('check_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('bad_since', 'timestamptz')
    .addColumn('crit_since', 'timestamptz')
    .addColumn('good_since', 'timestamptz')
    .addColumn('last_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_value', 'double precision')
    .addColumn('unit', 'text')
    .addColumn('last_message', 'text', (c) => c.notNull())
    .addColumn('evidence', 'jsonb')
    .addColumn('for_seconds', 'integer', (c) => c.notNull())
    .addColumn('recovery_seconds', 'integer', (c) => c.notNull())
    .addCheckConstraint('check_states_status_check', oneOf('status', CHECK_STATUSES))
    .addCheckConstraint('check_states_kind_check', oneOf('kind', CHECK_KINDS))
    .execute();
  await db.schema.createIndex('check_states_agent_idx').on('check_states').column('agent_id').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('number', 'bigserial', (c) => c.notNull().unique())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('agent_id', 'uuid', (c) => c.notNull().references('monitoring_agents.id'))
    .addColumn('configuration_item_id', 'uuid', (c) => c.references('configuration_items.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('check_id', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('last_value', 'double precision')
    .addColumn('unit', 'text')
    .addColumn('evidence', 'jsonb')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('snoozed_until', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('incident_id', 'uuid', (c) => c.references('tickets.id'))
    .addColumn('false_alarm_at', 'timestamptz')
    .addColumn('false_alarm_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('flaps', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('notified_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('alerts_kind_check', oneOf('kind', ALERT_KINDS))
    .addCheckConstraint('alerts_severity_check', oneOf('severity', ['warn', 'crit']))
    .addCheckConstraint('alerts_state_check', oneOf('state', ['firing', 'acknowledged', 'resolved']))
    .execute();
  // Dedupe: at most one open alert per fingerprint (agent + check + target).
  await db.schema
    .createIndex('alerts_open_fingerprint_key')
    .unique()
    .on('alerts')
    .column('fingerprint')
    .where(sql.ref('state'), '<>', 'resolved')
    .execute();
  await db.schema.createIndex('alerts_fingerprint_resolved_idx').on('alerts').columns(['fingerprint', 'resolved_at']).execute();
  await db.schema.createIndex('alerts_agent_state_idx').on('alerts').columns(['agent_id', 'state']).execute();
  await db.schema.createIndex('alerts_org_opened_idx').on('alerts').columns(['organisation_id', 'opened_at']).execute();
  await db.schema
    .createIndex('alerts_snoozed_idx')
    .on('alerts')
    .column('snoozed_until')
    .where(sql.ref('snoozed_until'), 'is not', null)
    .execute();

  await db.schema
    .createTable('silences')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('configuration_item_id', 'uuid', (c) => c.references('configuration_items.id'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('people.id'))
    .addCheckConstraint('silences_window_check', sql`ends_at > starts_at`)
    .execute();
  await db.schema.createIndex('silences_org_ends_idx').on('silences').columns(['organisation_id', 'ends_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'silences',
    'alerts',
    'check_states',
    'check_results',
    'agent_batches',
    'agent_nonces',
    'configuration_items',
    'monitoring_agents',
  ])
    await db.schema.dropTable(table).execute();
}
