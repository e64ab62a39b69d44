/**
 * The paid tier and the committee's control: the register of vendors (albo), their members (a
 * `vendor` grant scoped to the company), catalogue offers with an Italian full-text index,
 * engagements (one live per ticket), reviews (one per engagement), complaints, the
 * organisations' spending caps, and the committee's ledger of decisions. Certifications of
 * volunteers and moderators gain an expiry (12 months from today for those already granted).
 *
 * Catalogue search: `catalogue_it` is the `italian` text search configuration with `unaccent`
 * in front of the Italian stemmer ("più" and "piu" are one word); `pg_trgm` catches typos in
 * titles. Both extensions ship with PostgreSQL (and the embedded one) and are trusted. The
 * community search (0008) builds the same configuration under its own name; see the README.
 */
import { type Kysely, sql } from 'kysely';

const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
const uuidPk = sql`gen_random_uuid()`;
const NO_ID = sql`'00000000-0000-0000-0000-000000000000'::uuid`;

const VENDOR_STATUSES = ['applied', 'certified', 'rejected', 'suspended', 'revoked', 'lapsed'];
const ENGAGEMENT_STATUSES = [
  'requested',
  'proposed',
  'picked',
  'quoted',
  'awaiting_second_approval',
  'active',
  'declined',
  'cancelled',
  'handed_back',
];
const LIVE = ['requested', 'proposed', 'picked', 'quoted', 'awaiting_second_approval', 'active'];
const DECISIONS = ['certify', 'renew', 'suspend', 'reinstate', 'revoke', 'lapse', 'approve', 'reject', 'close_case'];
const SEQUENCES = ['vendor_ref_seq', 'vendor_offer_ref_seq', 'vendor_complaint_ref_seq'];
/** The Italian word of each field of work, indexed beside its code (frozen here: a migration does not follow later renames). */
const CATEGORY_WORDS = `case category when 'network' then 'rete' when 'security' then 'sicurezza' when 'web' then 'sito web' when 'management' then 'gestionale'
  when 'training' then 'formazione' when 'telephony' then 'telefonia centralino' else '' end`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create text search configuration catalogue_it (copy = italian)`.execute(db);
  await sql`alter text search configuration catalogue_it alter mapping for hword, hword_part, word with unaccent, italian_stem`.execute(db);
  // unaccent() is only STABLE (its dictionary could change); an index needs an IMMUTABLE wrapper.
  await sql`create function catalogue_fold(text) returns text language sql immutable parallel safe strict
    as $$ select lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$`.execute(db);
  for (const s of SEQUENCES) await sql`create sequence ${sql.id(s)} as bigint start 1`.execute(db);

  await db.schema
    .createTable('vendors')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('vat_number', 'text', (c) => c.notNull().unique())
    .addColumn('regions', sql`text[]`, (c) => c.notNull())
    .addColumn('categories', sql`text[]`, (c) => c.notNull())
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('certified_until', 'timestamptz')
    .addColumn('applied_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('vendors_status_check', oneOf('status', VENDOR_STATUSES))
    .addCheckConstraint('vendors_vat_check', sql`vat_number ~ '^[0-9]{11}$'`)
    .addCheckConstraint('vendors_certified_until_check', sql`status <> 'certified' or certified_until is not null`)
    .execute();
  await sql`create index vendors_expiry_idx on vendors (certified_until) where status = 'certified'`.execute(db);

  // Members hold the vendor role for one company; their grants say which.
  await sql`alter table role_grants add column vendor_id uuid references vendors(id)`.execute(db);
  await sql`alter table role_grants add column expires_at timestamptz`.execute(db);
  await sql`drop index role_grants_one_active_idx`.execute(db);
  await sql`create unique index role_grants_one_active_idx on role_grants (person_id, role, coalesce(organisation_id, ${NO_ID}), coalesce(vendor_id, ${NO_ID})) where revoked_at is null`.execute(
    db,
  );
  await sql`create index role_grants_expiry_idx on role_grants (expires_at) where revoked_at is null and expires_at is not null`.execute(
    db,
  );
  // Certifications granted before expiries existed run a full term from today (local midnight of
  // the anniversary, as CertificationTerm computes): nobody lapses the day this is deployed.
  await sql`update role_grants
    set expires_at = (date_trunc('day', now() at time zone 'Europe/Rome') + interval '12 months') at time zone 'Europe/Rome'
    where role in ('volunteer', 'moderator') and revoked_at is null and expires_at is null`.execute(db);
  await sql`create index role_grants_vendor_idx on role_grants (vendor_id) where revoked_at is null and vendor_id is not null`.execute(db);

  await sql`alter table tickets add column vendor_id uuid references vendors(id)`.execute(db);
  await sql`create index tickets_vendor_idx on tickets (vendor_id) where vendor_id is not null`.execute(db);

  await db.schema
    .createTable('vendor_offers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('vendor_id', 'uuid', (c) => c.notNull().references('vendors.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('price_terms', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('withdrawn_at', 'timestamptz')
    .addCheckConstraint('vendor_offers_kind_check', oneOf('kind', ['service', 'solution']))
    .execute();
  // The title weighs most; the field (its code and Italian word) and the conditions are searched
  // too ("gratuito", "sconto"), then the price terms.
  await sql`alter table vendor_offers add column search tsvector generated always as (
      setweight(to_tsvector('catalogue_it', title), 'A') ||
      setweight(to_tsvector('catalogue_it', category || ' ' || ${sql.raw(CATEGORY_WORDS)} || ' ' || conditions), 'B') ||
      setweight(to_tsvector('catalogue_it', price_terms), 'C')
    ) stored`.execute(db);
  await sql`create index vendor_offers_search_idx on vendor_offers using gin (search)`.execute(db);
  await sql`create index vendor_offers_title_trgm_idx on vendor_offers using gin (catalogue_fold(title) gin_trgm_ops)`.execute(db);

  await db.schema
    .createTable('engagements')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('tickets.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('region', 'text')
    .addColumn('requested_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('proposed_vendor_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('proposed_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('vendor_id', 'uuid', (c) => c.references('vendors.id'))
    .addColumn('picked_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('quote_amount_cents', 'integer')
    .addColumn('quote_days', 'integer')
    .addColumn('quote_note', 'text')
    .addColumn('quoted_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('quoted_at', 'timestamptz')
    .addColumn('approved_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('second_approved_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('engagements_status_check', oneOf('status', ENGAGEMENT_STATUSES))
    .addCheckConstraint(
      'engagements_quote_check',
      sql`(quote_amount_cents is null) = (quote_days is null) and (quote_amount_cents is null or quote_amount_cents > 0)`,
    )
    .execute();
  await sql`create unique index engagements_one_live_idx on engagements (ticket_id) where ${oneOf('status', LIVE)}`.execute(db);
  await sql`create index engagements_vendor_idx on engagements (vendor_id, status)`.execute(db);

  await db.schema
    .createTable('vendor_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('engagement_id', 'uuid', (c) => c.notNull().unique().references('engagements.id'))
    .addColumn('vendor_id', 'uuid', (c) => c.notNull().references('vendors.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id'))
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('rating', 'smallint', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('vendor_reviews_rating_check', sql`rating between 1 and 5`)
    .execute();
  await sql`create index vendor_reviews_vendor_idx on vendor_reviews (vendor_id)`.execute(db);

  await db.schema
    .createTable('complaints')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'uuid', (c) => c.notNull())
    .addColumn('subject_label', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('filed_by', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('filed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('closed_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('closed_at', 'timestamptz')
    .addCheckConstraint('complaints_subject_check', oneOf('subject_kind', ['vendor', 'person']))
    .addCheckConstraint('complaints_status_check', oneOf('status', ['open', 'closed']))
    .addCheckConstraint('complaints_decision_check', sql`(status = 'closed') = (decision is not null)`)
    .execute();
  await sql`create index complaints_subject_idx on complaints (subject_id)`.execute(db);

  await db.schema
    .createTable('vendor_budget_caps')
    .addColumn('organisation_id', 'uuid', (c) => c.primaryKey().references('organisations.id'))
    .addColumn('cap_cents', 'integer', (c) => c.notNull())
    .addColumn('set_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('vendor_budget_caps_positive', sql`cap_cents > 0`)
    .execute();

  await db.schema
    .createTable('committee_decisions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(uuidPk))
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'uuid', (c) => c.notNull())
    .addColumn('subject_label', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('role', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
    .addColumn('valid_until', 'timestamptz')
    .addCheckConstraint('committee_decisions_subject_check', oneOf('subject_kind', ['person', 'vendor', 'complaint']))
    .addCheckConstraint('committee_decisions_decision_check', oneOf('decision', DECISIONS))
    .execute();
  await sql`create index committee_decisions_subject_idx on committee_decisions (subject_id, decided_at desc)`.execute(db);
  await sql`create index committee_decisions_time_idx on committee_decisions (decided_at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['committee_decisions', 'vendor_budget_caps', 'complaints', 'vendor_reviews', 'engagements', 'vendor_offers'])
    await db.schema.dropTable(table).execute();
  await sql`alter table tickets drop column vendor_id`.execute(db);
  await sql`drop index role_grants_one_active_idx`.execute(db);
  await sql`alter table role_grants drop column vendor_id`.execute(db);
  await sql`alter table role_grants drop column expires_at`.execute(db);
  await sql`create unique index role_grants_one_active_idx on role_grants (person_id, role, coalesce(organisation_id, ${NO_ID})) where revoked_at is null`.execute(
    db,
  );
  await db.schema.dropTable('vendors').execute();
  for (const s of SEQUENCES) await sql`drop sequence ${sql.id(s)}`.execute(db);
  await sql`drop function catalogue_fold(text)`.execute(db);
  await sql`drop text search configuration catalogue_it`.execute(db);
}
