/**
 * The initial schema. Enum values are spelled out here rather than imported from `core/`: a
 * migration is a snapshot, and a later change to a domain list needs its own migration.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';

const TICKET_KINDS = ['incident', 'service_request', 'change'];
const TICKET_STATUSES = [
  'new',
  'assigned',
  'in_progress',
  'pending',
  'resolved',
  'closed',
  'cancelled',
  'awaiting_approval',
  'approved',
  'rejected',
  'scheduled',
  'implemented',
];
const ROLES = ['requester', 'ict_lead', 'volunteer', 'moderator', 'vendor', 'committee', 'observer'];
const CHANNEL_PURPOSES = ['volunteers', 'alerts', 'committee', 'community'];
/** One sequence per human-id prefix; `prb` is reserved for problem records (no kind yet). */
const REF_SEQUENCES = ['inc', 'req', 'rfc', 'prb'] as const;

const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
const uuidPk = sql`gen_random_uuid()`;

/** Applies the initial schema. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('fiscal_code', 'text', (c) => c.notNull().unique())
    .addColumn('runts_number', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('people')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('it'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('people_locale_check', oneOf('locale', ['it', 'en']))
    .execute();

  // Platforms get no CHECK: adding an adapter should not need a migration.
  await db.schema
    .createTable('identities')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('identities_pkey', ['platform', 'external_id'])
    .execute();
  await db.schema.createIndex('identities_person_idx').on('identities').column('person_id').execute();

  await db.schema
    .createTable('role_grants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('granted_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('revoke_reason', 'text')
    .addCheckConstraint('role_grants_role_check', oneOf('role', ROLES))
    .addCheckConstraint('role_grants_org_scope_check', sql`role not in ('requester', 'ict_lead') or organisation_id is not null`)
    .addCheckConstraint('role_grants_revocation_check', sql`revoked_at is not null or (revoked_by is null and revoke_reason is null)`)
    .execute();
  await db.schema
    .createIndex('role_grants_active_idx')
    .on('role_grants')
    .columns(['person_id', 'role', 'organisation_id'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('role_grants_active_role_idx')
    .on('role_grants')
    .column('role')
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('impact', 'smallint', (c) => c.notNull())
    .addColumn('urgency', 'smallint', (c) => c.notNull())
    .addColumn('priority', 'smallint', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pending_on', 'text')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('requester_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('assignee_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('configuration_item', 'text')
    .addColumn('rating', 'smallint')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint('tickets_kind_check', oneOf('kind', TICKET_KINDS))
    .addCheckConstraint('tickets_status_check', oneOf('status', TICKET_STATUSES))
    .addCheckConstraint('tickets_tier_check', oneOf('tier', ['volunteer', 'vendor']))
    .addCheckConstraint('tickets_pending_on_check', sql`pending_on is null or ${oneOf('pending_on', ['requester', 'vendor'])}`)
    .addCheckConstraint('tickets_impact_check', sql`impact between 1 and 3`)
    .addCheckConstraint('tickets_urgency_check', sql`urgency between 1 and 3`)
    .addCheckConstraint('tickets_priority_check', sql`priority between 1 and 5`)
    .addCheckConstraint('tickets_rating_check', sql`rating is null or rating between 1 and 5`)
    .execute();
  await db.schema.createIndex('tickets_org_status_idx').on('tickets').columns(['organisation_id', 'status']).execute();
  await db.schema.createIndex('tickets_requester_idx').on('tickets').columns(['requester_id', 'status']).execute();
  await db.schema.createIndex('tickets_assignee_idx').on('tickets').columns(['assignee_id', 'status']).execute();
  await db.schema.createIndex('tickets_status_created_idx').on('tickets').columns(['status', 'created_at']).execute();

  for (const prefix of REF_SEQUENCES) {
    await sql`create sequence ${sql.id(`ticket_ref_${prefix}_seq`)} as bigint start 1`.execute(db);
  }

  // `seq` orders rows written in one transaction, which share their timestamp.
  await db.schema
    .createTable('ticket_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('actor_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('ticket_events_ticket_idx').on('ticket_events').columns(['ticket_id', 'seq']).execute();

  await db.schema
    .createTable('ticket_comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('internal', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_comments_ticket_idx').on('ticket_comments').columns(['ticket_id', 'seq']).execute();

  await db.schema
    .createTable('channel_bindings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text')
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('bound_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('bound_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('channel_bindings_conversation_purpose_key', ['platform', 'conversation_id', 'purpose'])
    .addCheckConstraint('channel_bindings_purpose_check', oneOf('purpose', CHANNEL_PURPOSES))
    .execute();

  await db.schema
    .createTable('dialogs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dialogs_expires_idx').on('dialogs').column('expires_at').execute();

  await db.schema
    .createTable('inbound_deliveries')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_deliveries_pkey', ['platform', 'delivery_id'])
    .execute();

  await db.schema
    .createTable('one_time_codes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('address', 'jsonb', (c) => c.notNull())
    // Generated so it can never disagree with the address it orders by.
    .addColumn('conversation_key', 'text', (c) =>
      c.notNull().generatedAlwaysAs(sql`platform || ':' || (address ->> 'conversationId')`).stored(),
    )
    .addColumn('ref', 'text')
    .addColumn('message', 'jsonb', (c) => c.notNull())
    .addColumn('ephemeral_to', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('leased_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('platform_message_id', 'text')
    .addCheckConstraint('outbox_status_check', oneOf('status', ['pending', 'delivered', 'failed']))
    .execute();
  await db.schema.createIndex('outbox_status_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
  // Serves the "no older pending entry in this conversation" test of every lease.
  await db.schema
    .createIndex('outbox_pending_conversation_idx')
    .on('outbox')
    .columns(['conversation_key', 'seq'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('platform_messages')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_messages_pkey', ['platform', 'conversation_id', 'ref'])
    .execute();
  await db.schema
    .createIndex('platform_messages_message_idx')
    .on('platform_messages')
    .columns(['platform', 'conversation_id', 'message_id'])
    .execute();
}

/** Drops everything `up` created. */
export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    'platform_messages',
    'outbox',
    'one_time_codes',
    'inbound_deliveries',
    'dialogs',
    'channel_bindings',
    'ticket_comments',
    'ticket_events',
    'tickets',
    'role_grants',
    'identities',
    'people',
    'organisations',
  ];
  for (const table of tables) await db.schema.dropTable(table).execute();
  for (const prefix of REF_SEQUENCES) {
    await sql`drop sequence ${sql.id(`ticket_ref_${prefix}_seq`)}`.execute(db);
  }
}
