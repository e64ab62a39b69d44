/**
 * Search quality on the labelled Italian set (test/fixtures/community-queries.ts: paraphrases,
 * typos, missing accents, English words) against the corpus of community-corpus.ts, in a real
 * PostgreSQL with the `sportello_it` configuration, unaccent and pg_trgm. The floors sit a little
 * under what the search reaches today, so a change that makes it worse fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFLECTION_MIN_SCORE } from '../core/community/search.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { type DeflectionQuality, evaluateDeflection, evaluateSearch, loadCorpus, type SearchQuality } from './fixtures/community-eval.ts';
import { seedPerson } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
let quality: SearchQuality;
let deflection: DeflectionQuality;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  const [asker, answerer] = [await seedPerson(store, 'Anna Romano'), await seedPerson(store, 'Vera Volontaria')];
  const refs = await loadCorpus(store, asker.id, answerer.id);
  quality = await evaluateSearch(store, refs);
  deflection = await evaluateDeflection(store, refs, DEFLECTION_MIN_SCORE);
}, 60_000);

afterAll(() => tdb?.drop());

describe('community search quality', () => {
  it('labels at least 100 queries', () => {
    expect(quality.queries).toBeGreaterThanOrEqual(100);
  });

  it('finds the right answer among the first three for at least 95% of the queries, MRR at least 0.9', () => {
    console.log(
      `community search: recall@3 ${quality.recallAt3}, MRR ${quality.mrr} over ${quality.queries} queries; misses: ${JSON.stringify(quality.misses)}`,
    );
    expect(quality.recallAt3).toBeGreaterThanOrEqual(0.95);
    expect(quality.mrr).toBeGreaterThanOrEqual(0.9);
  });

  it('at intake, offers the solution of nearly every solvable first message, and almost never one for something else', () => {
    console.log(`deflection offers: ${JSON.stringify(deflection)}`);
    expect(deflection.solvable).toBeGreaterThanOrEqual(20);
    expect(deflection.offeredRight / deflection.solvable).toBeGreaterThanOrEqual(0.9);
    expect(deflection.offeredWrongly).toBeLessThanOrEqual(1);
  });
});
