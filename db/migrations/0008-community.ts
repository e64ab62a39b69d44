/**
 * The community tier: questions and answers (votes, acceptance, the asker's feedback), knowledge
 * base articles made from resolved tickets, observers' announcements, the moderation log, the
 * deflection offers made at intake, and the search index over all of it.
 *
 * Search runs in PostgreSQL: `sportello_it` is the `italian` text search configuration with
 * `unaccent` in front of the Italian stemmer (so "perché" and "perche" are one word), and
 * `community_words` is the vocabulary a misspelt query word is corrected against with
 * `pg_trgm`. Both extensions ship with PostgreSQL (and the embedded one) and are trusted, so a
 * database owner may create them.
 */
import { type Kysely, sql } from 'kysely';

const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;

/** One sequence per human id: Q-000001, A-000001, KB-000001, AN-000001. */
const SEQUENCES = ['community_question_ref_seq', 'community_answer_ref_seq', 'kb_article_ref_seq', 'community_announcement_ref_seq'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create text search configuration sportello_it (copy = italian)`.execute(db);
  await sql`alter text search configuration sportello_it alter mapping for hword, hword_part, word with unaccent, italian_stem`.execute(db);
  for (const s of SEQUENCES) await sql`create sequence ${sql.id(s)} as bigint start 1`.execute(db);

  await db.schema
    .createTable('community_questions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisations.id'))
    .addColumn('platform', 'text', (c) => c.notNull())
    // The draft or delivery that posted it: a repeated press stores one question.
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('locked_at', 'timestamptz')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('merged_into_id', 'uuid', (c) => c.references('community_questions.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('community_questions_not_merged_into_itself', sql`merged_into_id is distinct from id`)
    .execute();

  await db.schema
    .createTable('community_answers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('question_id', 'uuid', (c) => c.notNull().references('community_questions.id'))
    // Where its message was posted: a merge moves the answer, its message stays in that thread.
    .addColumn('thread_question_id', 'uuid', (c) => c.notNull().references('community_questions.id'))
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('useful_count', 'integer', (c) => c.notNull().defaultTo(0))
    // The asker's word on whether it worked, with their comment.
    .addColumn('worked', 'boolean')
    .addColumn('feedback', 'text')
    .addColumn('feedback_at', 'timestamptz')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('community_answers_question_idx').on('community_answers').columns(['question_id', 'created_at']).execute();

  await db.schema
    .createTable('community_votes')
    .addColumn('answer_id', 'uuid', (c) => c.notNull().references('community_answers.id'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_votes_pkey', ['answer_id', 'person_id'])
    .execute();

  await db.schema
    .createTable('kb_articles')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('author_id', 'uuid', (c) => c.references('people.id'))
    // Whose ticket it came from: their consent publishes it.
    .addColumn('requester_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('decided_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('published_at', 'timestamptz')
    .addColumn('hidden_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('kb_articles_status_check', oneOf('status', ['draft', 'published', 'declined']))
    .execute();

  // The tickets an article solved; a ticket feeds at most one article.
  await db.schema
    .createTable('kb_article_tickets')
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('kb_articles.id'))
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().unique().references('tickets.id'))
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_article_tickets_pkey', ['article_id', 'ticket_id'])
    .execute();

  await db.schema
    .createTable('community_announcements')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('community_announcements_status_check', oneOf('status', ['pending', 'approved', 'rejected']))
    .execute();

  await db.schema
    .createTable('community_moderation')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('target_ref', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('community_moderation_target_idx').on('community_moderation').columns(['target_ref', 'id']).execute();

  await db.schema
    .createTable('deflection_offers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('offered', sql`text[]`, (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('outcome_at', 'timestamptz')
    // The ticket opened anyway after the offer.
    .addColumn('ticket_id', 'uuid', (c) => c.references('tickets.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('deflection_offers_source_check', oneOf('source', ['intake', 'question']))
    .addCheckConstraint('deflection_offers_outcome_check', sql`outcome is null or ${oneOf('outcome', ['resolved', 'declined'])}`)
    .execute();
  await db.schema.createIndex('deflection_offers_created_idx').on('deflection_offers').column('created_at').execute();

  // What search reads: one row per visible question, answer and published article. Answers
  // carry their question's title (weight A) and body (C), so "the printer does not print" finds
  // the accepted answer that says "reinstall the driver". Rebuilt by the repository in the same
  // transaction as the change.
  await db.schema
    .createTable('community_search')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('root_ref', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('accepted', 'boolean', (c) => c.notNull())
    .addColumn('answered', 'boolean', (c) => c.notNull())
    .addColumn('useful', 'integer', (c) => c.notNull())
    .addColumn('tsv', sql`tsvector`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('community_search_kind_check', oneOf('kind', ['question', 'answer', 'article']))
    .execute();
  await sql`create index community_search_tsv_idx on community_search using gin (tsv)`.execute(db);
  // Articles and accepted answers (and the questions they answer), searched first.
  await sql`create index community_search_accepted_tsv_idx on community_search using gin (tsv) where accepted`.execute(db);
  await db.schema.createIndex('community_search_root_idx').on('community_search').column('root_ref').execute();

  await db.schema
    .createTable('community_words')
    .addColumn('word', 'text', (c) => c.primaryKey())
    .execute();
  await sql`create index community_words_trgm_idx on community_words using gin (word gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'community_words',
    'community_search',
    'deflection_offers',
    'community_moderation',
    'community_announcements',
    'kb_article_tickets',
    'kb_articles',
    'community_votes',
    'community_answers',
    'community_questions',
  ])
    await db.schema.dropTable(t).execute();
  for (const s of SEQUENCES) await sql`drop sequence ${sql.id(s)}`.execute(db);
  await sql`drop text search configuration sportello_it`.execute(db);
}
