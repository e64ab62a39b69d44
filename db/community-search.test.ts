import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchQuery } from '../core/community/ports.ts';
import { seedPerson, seedQuestion } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import type { CommunityTables } from './community.tables.ts';
import { SearchIndex } from './community-search.ts';
import { createDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import { PREPARED } from './prepared-statements.ts';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  const anna = await seedPerson(store, 'Anna Romano');
  for (const [title, body] of [
    ['La stampante non stampa', 'Da ieri la stampante della segreteria non stampa più'],
    ['Il wifi è lento', 'La rete wifi in ufficio è lentissima'],
  ] as const)
    await seedQuestion(store, anna.id, title, body);
});

afterAll(async () => {
  await tdb?.drop();
});

const query = (groups: string[][]): SearchQuery => ({
  groups,
  unmatched: 0,
  kinds: ['question', 'answer', 'article'],
  only: 'all',
  minScore: 0,
  limit: 5,
});

describe('SearchIndex', () => {
  it('prepares the spelling correction and each shape of the ranked query once per connection, its words bound as parameters', async () => {
    // One connection, so that what it prepared is what pg_prepared_statements shows.
    const root = createDatabase(tdb.url, { max: 1 });
    const db = root.withTables<CommunityTables>();
    try {
      const titles = async (groups: string[][]) => (await SearchIndex.search(db, query(groups))).map((h) => h.title);
      expect(await titles([['stampante']])).toEqual(['La stampante non stampa']);
      expect(await titles([['wifi']])).toEqual(['Il wifi è lento']);
      expect(await titles([['stampante'], ['segreteria']])).toEqual(['La stampante non stampa']);
      expect([...(await SearchIndex.closestWords(db, ['stampnte', 'segretria']))]).toEqual([
        ['stampnte', { word: 'stampante', similarity: expect.any(Number) }],
        ['segretria', { word: 'segreteria', similarity: expect.any(Number) }],
      ]);
      expect([...(await SearchIndex.closestWords(db, ['wiifi']))].map(([tok, c]) => [tok, c.word])).toEqual([['wiifi', 'wifi']]);
      const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
      const prepared = rows.map((r) => r.statement);
      expect(prepared.every((s) => s.startsWith(PREPARED))).toBe(true);
      // The ranked query of one group (both such searches shared it), of two groups covering both
      // and of two groups covering either (the search's fallback tier); one correction.
      expect(prepared.filter((s) => s.includes('community_search s'))).toHaveLength(3);
      expect(prepared.filter((s) => s.includes('community_words w'))).toHaveLength(1);
    } finally {
      await root.destroy();
    }
  });
});
