import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { createDatabase } from './database.ts';
import { PREPARED } from './prepared-statements.ts';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase({ migrate: false });
});

afterAll(async () => {
  await tdb?.drop();
});

describe('statements marked PREPARED', () => {
  it('are prepared once per connection and run with their parameters; others are not prepared', async () => {
    const db = createDatabase(tdb.url, { max: 1 });
    try {
      const marked = (n: number) => sql<{ twice: number }>`${sql.raw(PREPARED)} select ${n}::int * 2 as twice`.execute(db);
      expect((await marked(21)).rows).toEqual([{ twice: 42 }]);
      expect((await marked(5)).rows).toEqual([{ twice: 10 }]);
      await sql`select ${1}::int as one`.execute(db);
      const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
      expect(prepared.rows.map((r) => r.statement)).toEqual([`${PREPARED} select $1::int * 2 as twice`]);
    } finally {
      await db.destroy();
    }
  });

  it('still work on a connection where a first use failed on a value node-pg could not send', async () => {
    const db = createDatabase(tdb.url, { max: 1 });
    try {
      const unsendable = {
        toPostgres: () => {
          throw new Error('no wire form');
        },
      };
      const marked = (v: unknown) => sql<{ v: string }>`${sql.raw(PREPARED)} select ${v}::text as v`.execute(db);
      // node-pg sent the Parse, then a Close instead of the Bind: the statement does not stay.
      await expect(marked(unsendable)).rejects.toThrow(/no wire form/);
      expect((await marked('dopo')).rows).toEqual([{ v: 'dopo' }]);
      expect((await marked('ancora')).rows).toEqual([{ v: 'ancora' }]);
      // In a transaction too, where the held begin goes with the first statement.
      await expect(
        db.transaction().execute(async (trx) => sql`${sql.raw(PREPARED)} select ${unsendable}::text as w`.execute(trx)),
      ).rejects.toThrow(/no wire form/);
      const inTransaction = await db
        .transaction()
        .execute(async (trx) => sql<{ w: string }>`${sql.raw(PREPARED)} select ${'ok'}::text as w`.execute(trx));
      expect(inTransaction.rows).toEqual([{ w: 'ok' }]);
    } finally {
      await db.destroy();
    }
  });
});
