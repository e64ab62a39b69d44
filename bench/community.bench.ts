/**
 * Community search at scale: 100,000 posts (questions and answers written from everyday IT
 * problems, a third of the answers accepted) plus the labelled corpus, on one PostgreSQL.
 * Measured one at a time, as a person waits for an answer in chat:
 * - search: every labelled query through `searchCommunity` (synonyms, spelling correction against
 *   the vocabulary, the ranked query), p50/p99; beside it the floor, a bare full-text query on
 *   the same index (`@@` plus `ts_rank_cd`, top 5) with no synonyms, spelling or grouping;
 * - the similar-question lookup shown while asking (answered only, best three);
 * - recall@3 and MRR on the labelled set, on the corpus alone and among the 100,000 posts;
 * - the deflection offer at intake: a requester's first message through the whole engine (one
 *   transaction: person, search, offer recorded, dialog saved, reply in the outbox).
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { findSimilar } from '../core/community/ask-question.ts';
import { searchCommunity } from '../core/community/search.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { CommunityTables } from '../db/community.tables.ts';
import { SearchIndex } from '../db/community-search.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import type { Database } from '../db/schema.ts';
import { CORPUS } from '../test/fixtures/community-corpus.ts';
import { evaluateSearch, loadCorpus } from '../test/fixtures/community-eval.ts';
import { QUERIES } from '../test/fixtures/community-queries.ts';
import { seedPerson } from '../test/fixtures/repository-fixtures.ts';
import { createStack } from '../test/stack.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { round, summarize } from './stats.ts';

const POSTS = Number(process.env.BENCH_COMMUNITY_POSTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_COMMUNITY_ROUNDS ?? 7);
const FIRST_MESSAGES = Number(process.env.BENCH_COMMUNITY_INTAKES ?? 300);

/** A small deterministic PRNG (mulberry32), so every run writes the same posts. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = [
  'la stampante',
  'il pc',
  'il portatile',
  'la posta',
  'Outlook',
  'il wifi',
  'il router',
  'il NAS',
  'il server',
  'lo scanner',
  'il sito',
  'WordPress',
  'Teams',
  'Zoom',
  'il gestionale',
  'Excel',
  'OneDrive',
  'il telefono',
  'il centralino',
  'il proiettore',
  'il monitor',
  'la tastiera',
  'la PEC',
  'il backup',
  "l'antivirus",
  'Windows',
  'Office',
  'Google Drive',
  'il firewall',
  'lo smartphone',
  'la webcam',
  'il disco esterno',
];
const PROBLEMS = [
  'non funziona',
  'non si accende',
  'è lentissimo',
  'dà un errore',
  'si blocca',
  'non si collega',
  'chiede sempre la password',
  'non sincronizza',
  'non stampa',
  'non riceve i messaggi',
  'si riavvia da solo',
  'non si aggiorna',
  'ha perso dei file',
  'va configurato da capo',
  'va sostituito',
  'fa un rumore strano',
];
const CONTEXTS = [
  'in segreteria',
  'in sala riunioni',
  "dopo l'aggiornamento",
  'da ieri',
  'da lunedì',
  'per i volontari',
  'nella sede nuova',
  'con il nuovo contratto',
  'dopo il temporale',
  'quando siamo in tanti',
  'solo la mattina',
  'al magazzino',
];
const QUESTION_FORMS = [
  (s: string, p: string, c: string) => `${s} ${p} ${c}: come risolvo?`,
  (s: string, p: string, c: string) => `Qualcuno sa perché ${s} ${p} ${c}?`,
  (s: string, p: string, c: string) => `Aiuto, ${s} ${p} ${c}`,
];
const DETAILS = [
  'Abbiamo già provato a riavviare tutto.',
  'Il tecnico che ci aiutava non è più disponibile.',
  'Siamo una piccola associazione di dieci volontari.',
  'Usiamo quasi tutti PC con Windows 10.',
  'Il problema si ripresenta ogni settimana.',
  'Non sappiamo chi abbia configurato il sistema.',
  'Ci serve una soluzione economica.',
  'Prima funzionava senza problemi.',
  'Capita soprattutto il lunedì mattina.',
  'Abbiamo chiamato il fornitore ma non risponde.',
  'Ci hanno consigliato di cambiare tutto, ma non abbiamo budget.',
  'Succede a più persone in ufficio.',
  'Non abbiamo un contratto di assistenza.',
  'Il manuale non dice niente.',
  'Ho letto qualcosa online ma non ho capito.',
];
const FIXES = [
  'prova a riavviarlo',
  'controlla i cavi e la presa',
  'aggiorna il driver',
  'reinstalla il programma',
  'verifica utente e password',
  'chiedi al provider',
  'controlla lo spazio su disco',
  "disattiva un momento l'antivirus",
  'cambia il canale del wifi',
  'prova con un altro account',
  'svuota la cache',
  'ripristina le impostazioni di fabbrica',
  'guarda il registro degli eventi',
  'aggiorna il firmware',
];

/** Writes `posts` questions and answers (two fifths questions, a third of the answers accepted) and indexes everything. */
export async function loadPosts(db: Kysely<Database & CommunityTables>, askerId: string, answererId: string, posts: number): Promise<void> {
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const questions = Math.round(posts * 0.4);
  const created = new Date('2025-06-01T09:00:00Z');
  const questionIds: string[] = [];
  for (let i = 0; i < questions; i += 2000) {
    const rows = Array.from({ length: Math.min(2000, questions - i) }, () => {
      const [s, p, c] = [pick(SUBJECTS), pick(PROBLEMS), pick(CONTEXTS)];
      const text = pick(QUESTION_FORMS)(s, p, c);
      return {
        ref: sql<string>`'Q-' || lpad(nextval('community_question_ref_seq')::text, 6, '0')`,
        title: text,
        body: `${text} ${pick(DETAILS)} ${pick(DETAILS)}`,
        tags: [],
        author_id: askerId,
        organisation_id: null,
        platform: 'web' as const,
        idempotency_key: null,
        locked_at: null,
        hidden_at: null,
        merged_into_id: null,
        created_at: created,
        updated_at: created,
      };
    });
    questionIds.push(...(await db.insertInto('community_questions').values(rows).returning('id').execute()).map((r) => r.id));
  }
  const answers = posts - questions;
  for (let i = 0; i < answers; i += 2000) {
    const rows = Array.from({ length: Math.min(2000, answers - i) }, () => {
      const questionId = pick(questionIds);
      const accepted = rnd() < 1 / 3;
      return {
        ref: sql<string>`'A-' || lpad(nextval('community_answer_ref_seq')::text, 6, '0')`,
        question_id: questionId,
        thread_question_id: questionId,
        author_id: answererId,
        body: `${pick(FIXES)}, poi ${pick(FIXES)}; ${pick(SUBJECTS)} ${pick(CONTEXTS)}.`,
        platform: 'web' as const,
        idempotency_key: null,
        accepted_at: accepted ? created : null,
        accepted_by: accepted ? askerId : null,
        worked: null,
        feedback: null,
        feedback_at: null,
        hidden_at: null,
        created_at: created,
      };
    });
    await db.insertInto('community_answers').values(rows).execute();
  }
  await SearchIndex.all(db);
  await sql`vacuum analyze`.execute(db);
}

/** Recall@3 and MRR on the labelled corpus alone, in a database of its own. */
async function cleanQuality() {
  const tdb = await createTestDatabase();
  try {
    const store = new KyselyStore(tdb.db);
    const refs = await loadCorpus(store, (await seedPerson(store, 'Anna Bench')).id, (await seedPerson(store, 'Vera Bench')).id);
    return await evaluateSearch(store, refs);
  } finally {
    await tdb.drop();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const clean = await cleanQuality();
  const stack = await createStack();
  await stack.dispatcher.stop();
  const db = stack.tdb.db.withTables<CommunityTables>();
  try {
    const orgId = await stack.org('Associazione Bench ODV', '97999999997');
    const asker = await seedPerson(stack.store, 'Anna Bench');
    const answerer = await seedPerson(stack.store, 'Vera Bench');
    for (let i = 0; i < 20; i++)
      await stack.person({ platform: 'web', externalId: `req${i}`, name: `Richiedente ${i}`, roles: ['requester'], orgId });

    // 100,000 posts: two fifths questions, the rest answers (a third of them accepted).
    const load0 = performance.now();
    const rnd = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    await loadPosts(db, asker.id, answerer.id, POSTS);
    // The labelled entries go in last: read last by a scan, they get no head start over the posts.
    const refs = await loadCorpus(stack.store, asker.id, answerer.id);
    await sql`vacuum analyze`.execute(db);
    const loadS = (performance.now() - load0) / 1000;
    const indexed = Number((await sql<{ n: string }>`select count(*) as n from community_search`.execute(db)).rows[0]!.n);

    const time = async (work: () => Promise<unknown>, out: number[]) => {
      const t0 = performance.now();
      await work();
      out.push(performance.now() - t0);
    };
    // Warm-up, then measured rounds over every labelled query.
    for (const [q] of QUERIES) await searchCommunity(stack.store, q);
    const search: number[] = [];
    const floor: number[] = [];
    const similar: number[] = [];
    for (let r = 0; r < ROUNDS; r++)
      for (const [q] of QUERIES) {
        await time(() => searchCommunity(stack.store, q), search);
        await time(
          () =>
            sql`select ref, ts_rank_cd(tsv, q) as rank from community_search, plainto_tsquery('sportello_it', ${q}) q where tsv @@ q order by rank desc limit 5`.execute(
              db,
            ),
          floor,
        );
      }
    const askCtx = {
      repos: stack.store,
      clock: stack.clock,
      actor: Actor.system(),
      notifier: new Notifier(stack.store, 'it'),
      defaultLocale: 'it' as const,
    };
    for (let r = 0; r < ROUNDS; r++)
      for (const [q] of QUERIES) await time(() => findSimilar(askCtx, `Come posso risolvere: ${q}?`), similar);
    const noisy = await evaluateSearch(stack.store, refs);

    // Deflection at intake: first messages through the engine; each requester cancels before the next.
    const intake: number[] = [];
    let offers = 0;
    for (let i = 0; i < FIRST_MESSAGES; i++) {
      const who = `req${i % 20}`;
      const e = pick(CORPUS);
      const before = Number((await sql<{ n: string }>`select count(*) as n from deflection_offers`.execute(db)).rows[0]!.n);
      await time(
        () =>
          stack.engine.handle({
            platform: 'web',
            deliveryId: randomUUID(),
            conversation: { id: who, kind: 'dm' },
            sender: { externalId: who },
            text: `${e.title}. ${e.body}`,
          }),
        intake,
      );
      offers += Number((await sql<{ n: string }>`select count(*) as n from deflection_offers`.execute(db)).rows[0]!.n) - before;
      await stack.engine.handle({
        platform: 'web',
        deliveryId: randomUUID(),
        conversation: { id: who, kind: 'dm' },
        sender: { externalId: who },
        text: 'annulla',
      });
    }

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const s = summarize('search', search);
    const f = summarize('floor_fts', floor);
    return {
      posts: POSTS,
      search_rows: indexed,
      load_s: round(loadS, 1),
      searches: search.length,
      ...s,
      ...f,
      // One query at a time, so throughput is 1 / mean latency: the product's searches per second over the floor's.
      searches_per_s: round(1000 / mean(search), 1),
      floor_fts_per_s: round(1000 / mean(floor), 1),
      ratio_to_floor: round(mean(floor) / Math.max(0.001, mean(search)), 3),
      ...summarize('similar', similar),
      queries: clean.queries,
      recall_at_3: clean.recallAt3,
      mrr: clean.mrr,
      recall_at_3_among_100k: noisy.recallAt3,
      mrr_among_100k: noisy.mrr,
      ...summarize('deflection_offer', intake),
      deflection_offers_made: offers,
      first_messages: FIRST_MESSAGES,
    };
  } finally {
    await stack.close();
  }
}
