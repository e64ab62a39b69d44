/**
 * ITIL beyond incidents: the configuration items of every kind with their history and relations,
 * tickets pointing at a configuration item by key (the free-text device becomes a foreign key),
 * problems with their linked incidents and changes, changes with their type, approvals, window
 * and the configuration items they touch, and the silences a change window sets.
 *
 * The old free-text `tickets.configuration_item` is matched to the organisation's configuration
 * items by number (`CI-000007`) or name; what matches nothing is kept in the description, so no
 * word a requester typed is lost.
 */
import { type Kysely, sql } from 'kysely';

const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
const uuidPk = sql`gen_random_uuid()`;

const CI_KINDS = ['computer', 'server', 'network_device', 'printer', 'application', 'site', 'licence'];
const CI_STATUSES = ['active', 'maintenance', 'retired'];
const RELATION_KINDS = ['runs_on', 'depends_on', 'connected_to', 'located_at'];
const PROBLEM_STATUSES = ['new', 'investigating', 'known_error', 'resolved', 'closed'];
const CHANGE_TYPES = ['standard', 'normal', 'emergency'];
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
  'failed',
];

export async function up(db: Kysely<any>): Promise<void> {
  // Configuration items of every kind.
  await sql`alter table configuration_items drop constraint configuration_items_kind_check`.execute(db);
  await sql`alter table configuration_items add constraint configuration_items_kind_check check (${oneOf('kind', CI_KINDS)})`.execute(db);
  await db.schema
    .alterTable('configuration_items')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('notes', 'text')
    .addColumn('renewal_on', 'date')
    .addColumn('renewal_reminded_on', 'date')
    .addColumn('created_by', 'uuid', (c) => c.references('people.id'))
    .execute();
  await sql`alter table configuration_items add constraint configuration_items_status_check check (${oneOf('status', CI_STATUSES)})`.execute(
    db,
  );
  await sql`create index configuration_items_renewal_idx on configuration_items (renewal_on) where renewal_on is not null and status <> 'retired'`.execute(
    db,
  );

  // Every change to a configuration item: who (null for its agent), what, and why.
  await db.schema
    .createTable('configuration_item_history')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addColumn('configuration_item_id', 'uuid', (c) => c.notNull().references('configuration_items.id'))
    .addColumn('actor_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createIndex('configuration_item_history_item_idx')
    .on('configuration_item_history')
    .columns(['configuration_item_id', 'seq'])
    .execute();

  // "source needs target": A runs on B, depends on B, is connected to B, is located at B. The
  // impact of B is every source that reaches it; cycles are refused by the use case.
  await db.schema
    .createTable('configuration_item_relations')
    .addColumn('source_id', 'uuid', (c) => c.notNull().references('configuration_items.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'uuid', (c) => c.notNull().references('configuration_items.id'))
    .addColumn('created_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('configuration_item_relations_pkey', ['source_id', 'kind', 'target_id'])
    .addCheckConstraint('configuration_item_relations_kind_check', oneOf('kind', RELATION_KINDS))
    .addCheckConstraint('configuration_item_relations_not_self', sql`source_id <> target_id`)
    .execute();
  await db.schema
    .createIndex('configuration_item_relations_target_idx')
    .on('configuration_item_relations')
    .columns(['target_id', 'source_id'])
    .execute();

  // Tickets point at a configuration item by key.
  await db.schema
    .alterTable('tickets')
    .addColumn('configuration_item_id', 'uuid', (c) => c.references('configuration_items.id'))
    .execute();
  await sql`update tickets t set configuration_item_id = (
      select ci.id from configuration_items ci
       where ci.organisation_id = t.organisation_id
         and (lower(ci.name) = lower(trim(t.configuration_item))
              or ('CI-' || lpad(ci.number::text, 6, '0')) = upper(trim(t.configuration_item)))
       order by ci.number limit 1)
     where t.configuration_item is not null`.execute(db);
  await sql`update tickets set description = description || E'\n\n(' || configuration_item || ')'
     where configuration_item is not null and configuration_item_id is null`.execute(db);
  await sql`alter table tickets drop column configuration_item`.execute(db);
  await sql`create index tickets_ci_created_idx on tickets (configuration_item_id, created_at) where configuration_item_id is not null`.execute(
    db,
  );
  await sql`create index tickets_kind_created_idx on tickets (kind, created_at)`.execute(db);

  // A change can fail (backed out): a final status of its own.
  await sql`alter table tickets drop constraint tickets_status_check`.execute(db);
  await sql`alter table tickets add constraint tickets_status_check check (${oneOf('status', TICKET_STATUSES)})`.execute(db);

  // Problems: PRB- refs from the sequence reserved since 0001.
  await db.schema
    .createTable('problems')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    // Null when the problem spans organisations.
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('category', 'text')
    .addColumn('configuration_item_id', 'uuid', (c) => c.references('configuration_items.id'))
    .addColumn('root_cause', 'text')
    .addColumn('workaround', 'text')
    .addColumn('resolution', 'text')
    .addColumn('kb_article_id', 'uuid', (c) => c.references('kb_articles.id'))
    .addColumn('created_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('known_error_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint('problems_status_check', oneOf('status', PROBLEM_STATUSES))
    .execute();
  await db.schema.createIndex('problems_status_idx').on('problems').columns(['status', 'created_at']).execute();

  // The incidents and changes linked to a problem; a ticket belongs to at most one problem.
  await db.schema
    .createTable('problem_links')
    .addColumn('problem_id', 'uuid', (c) => c.notNull().references('problems.id'))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().unique().references('tickets.id'))
    .addColumn('linked_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('problem_links_pkey', ['problem_id', 'ticket_id'])
    .execute();

  await db.schema
    .createTable('problem_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addColumn('problem_id', 'uuid', (c) => c.notNull().references('problems.id'))
    .addColumn('actor_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('problem_events_problem_idx').on('problem_events').columns(['problem_id', 'seq']).execute();

  // What the proactive scan suggested (basis ci | category | alert, with its key), so a pattern
  // is suggested once per window and the evidence stays on record.
  await db.schema
    .createTable('problem_suggestions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('evidence', 'jsonb', (c) => c.notNull())
    .addColumn('suggested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('problem_id', 'uuid', (c) => c.references('problems.id'))
    .addCheckConstraint('problem_suggestions_basis_check', oneOf('basis', ['ci', 'category', 'alert']))
    .execute();
  await db.schema.createIndex('problem_suggestions_key_idx').on('problem_suggestions').columns(['basis', 'key', 'suggested_at']).execute();

  // Changes: one row per RFC ticket.
  await db.schema
    .createTable('change_details')
    .addColumn('ticket_id', 'uuid', (c) => c.primaryKey().references('tickets.id'))
    .addColumn('change_type', 'text', (c) => c.notNull())
    // The pre-approved change a standard one follows.
    .addColumn('standard_key', 'text')
    .addColumn('shared_infrastructure', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_end', 'timestamptz')
    .addColumn('backout_plan', 'text')
    .addColumn('outcome', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('reviewed_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('review_note', 'text')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('change_details_type_check', oneOf('change_type', CHANGE_TYPES))
    .addCheckConstraint('change_details_window_check', sql`window_end is null or window_end > window_start`)
    .execute();
  await sql`create index change_details_window_idx on change_details (window_start, window_end) where window_start is not null`.execute(db);

  // One decision per approver slot: the organisation's ICT lead, and the committee for shared infrastructure.
  await db.schema
    .createTable('change_approvals')
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('note', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('change_approvals_pkey', ['ticket_id', 'slot'])
    .addCheckConstraint('change_approvals_slot_check', oneOf('slot', ['organisation', 'committee']))
    .addCheckConstraint('change_approvals_decision_check', oneOf('decision', ['approved', 'rejected']))
    .execute();

  await db.schema
    .createTable('change_items')
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('configuration_item_id', 'uuid', (c) => c.notNull().references('configuration_items.id'))
    .addPrimaryKeyConstraint('change_items_pkey', ['ticket_id', 'configuration_item_id'])
    .execute();
  await db.schema.createIndex('change_items_ci_idx').on('change_items').column('configuration_item_id').execute();

  // A silence set by a change window belongs to the change: moved or ended with it.
  await db.schema
    .alterTable('silences')
    .addColumn('change_id', 'uuid', (c) => c.references('tickets.id'))
    .execute();
  await sql`create index silences_change_idx on silences (change_id) where change_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table silences drop column change_id`.execute(db);
  for (const table of [
    'change_items',
    'change_approvals',
    'change_details',
    'problem_suggestions',
    'problem_events',
    'problem_links',
    'problems',
    'configuration_item_relations',
    'configuration_item_history',
  ])
    await db.schema.dropTable(table).execute();
  await sql`update tickets set status = 'cancelled' where status = 'failed'`.execute(db);
  await sql`alter table tickets drop constraint tickets_status_check`.execute(db);
  await sql`alter table tickets add constraint tickets_status_check check (${oneOf('status', TICKET_STATUSES.slice(0, -1))})`.execute(db);
  await sql`drop index tickets_kind_created_idx`.execute(db);
  await sql`alter table tickets add column configuration_item text`.execute(db);
  await sql`update tickets t set configuration_item = (select 'CI-' || lpad(ci.number::text, 6, '0') from configuration_items ci where ci.id = t.configuration_item_id)`.execute(
    db,
  );
  await sql`alter table tickets drop column configuration_item_id`.execute(db);
  await sql`delete from configuration_items where kind <> 'computer'`.execute(db);
  await db.schema
    .alterTable('configuration_items')
    .dropColumn('status')
    .dropColumn('notes')
    .dropColumn('renewal_on')
    .dropColumn('renewal_reminded_on')
    .dropColumn('created_by')
    .execute();
  await sql`alter table configuration_items drop constraint configuration_items_kind_check`.execute(db);
  await sql`alter table configuration_items add constraint configuration_items_kind_check check (${oneOf('kind', ['computer'])})`.execute(
    db,
  );
}
