import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../core/kernel/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';
import type { Database } from './schema.ts';

let tdb: TestDatabase;
let db: Kysely<Database>;
let store: KyselyStore;
/** Every statement sent, in order, to tell the round trips apart. */
const sent: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: tdb.url, max: 4 }) }),
    log: (e) => void sent.push(e.query.sql),
  });
  store = new KyselyStore(db);
});

afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

const T = new Date('2026-03-02T09:00:00Z');
const entry = (text: string): OutboxEntry => ({ address: { platform: 'web', kind: 'dm', conversationId: 'c1' }, message: { text } });

describe('deferred writes in a transaction', () => {
  it('sends the dialog state and the outbox rows of a turn as one statement, before the commit', async () => {
    sent.length = 0;
    await store.transaction(async (repos) => {
      await repos.dialogs.put('web:c1:u1', { step: 1 }, new Date(T.getTime() + 60_000));
      await repos.outbox.enqueue([entry('uno')], T);
      await repos.outbox.enqueue([entry('due'), entry('tre')], T);
    });
    expect(sent).toHaveLength(3);
    expect(sent[0]).toBe('begin');
    expect(sent[1]).toMatch(/^\/\* prepared \*\/ with "w0" as \(insert into dialogs .*"w1" as \(insert into outbox/s);
    expect(sent[2]).toBe('commit');
    const rows = await db.selectFrom('outbox').select('message').orderBy('seq').execute();
    expect(rows.map((r) => (r.message as { text: string }).text)).toEqual(['uno', 'due', 'tre']);
    expect(await store.dialogs.get('web:c1:u1', T)).toEqual({ step: 1 });
  });

  it('writes them before any later query, so a read in the same transaction sees them', async () => {
    await store.transaction(async (repos) => {
      await repos.dialogs.put('web:c2:u1', { step: 'a' }, new Date(T.getTime() + 60_000));
      expect(await repos.dialogs.get('web:c2:u1', T)).toEqual({ step: 'a' });
      await repos.outbox.enqueue([{ ...entry('visibile'), address: { platform: 'web', kind: 'dm', conversationId: 'c2' } }], T);
      const leased = await repos.outbox.lease(T, 10, 60_000, ['web']);
      expect(leased.map((r) => (r.message as { text: string }).text)).toContain('visibile');
    });
  });

  it('keeps only the last write of a dialog: saved then deleted leaves nothing', async () => {
    await store.dialogs.put('web:c3:u1', { step: 0 }, new Date(T.getTime() + 60_000));
    await store.transaction(async (repos) => {
      await repos.dialogs.put('web:c3:u1', { step: 1 }, new Date(T.getTime() + 60_000));
      await repos.dialogs.delete('web:c3:u1');
    });
    expect(await store.dialogs.get('web:c3:u1', T)).toBeUndefined();
  });

  it('rolls everything back when the transaction fails after deferring, and when a deferred write fails', async () => {
    await expect(
      store.transaction(async (repos) => {
        await repos.outbox.enqueue([entry('mai')], T);
        throw new Error('rifiutato');
      }),
    ).rejects.toThrow('rifiutato');
    await expect(
      store.transaction(async (repos) => {
        await repos.outbox.enqueue([entry('mai')], T);
        // The dialog's expiry is NOT NULL: the flush at the commit fails, and takes the row with it.
        await repos.dialogs.put('web:c4:u1', { step: 1 }, null as unknown as Date);
      }),
    ).rejects.toThrow(/null value/);
    const n = await sql<{ n: number }>`select count(*)::int as n from outbox where message->>'text' = 'mai'`.execute(db);
    expect(n.rows[0]?.n).toBe(0);
  });
});
