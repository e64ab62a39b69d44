import net from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { createDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import { pipelineTransactions } from './pipelined-client.ts';
import { PREPARED } from './prepared-statements.ts';

let tdb: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

const T = new Date('2026-03-02T09:00:00Z');
const port = Number(new URL(process.env['TEST_DATABASE_URL'] ?? 'postgres://127.0.0.1:5432').port || 5432);

/** How many writes `work` makes on sockets to PostgreSQL (each one a round trip's start). */
async function writesOf(work: () => Promise<unknown>): Promise<number> {
  const proto = net.Socket.prototype as unknown as { _writeGeneric(this: net.Socket, ...a: unknown[]): unknown };
  const original = proto._writeGeneric;
  let n = 0;
  proto._writeGeneric = function (this: net.Socket, ...a: unknown[]) {
    if (this.remotePort === port) n++;
    return original.apply(this, a);
  };
  try {
    await work();
  } finally {
    proto._writeGeneric = original;
  }
  return n;
}

/** How many ReadyForQuery `work` receives: each one an answer the backend flushed and node read. */
async function answersOf(work: () => Promise<unknown>): Promise<number> {
  const proto = pg.Connection.prototype as unknown as { emit(this: unknown, event: string | symbol, ...a: unknown[]): boolean };
  const original = proto.emit;
  let n = 0;
  proto.emit = function (this: unknown, event: string | symbol, ...a: unknown[]) {
    if (event === 'readyForQuery') n++;
    return original.call(this, event, ...a);
  };
  try {
    await work();
  } finally {
    proto.emit = original;
  }
  return n;
}

const opening = (deliveryId: string) => ({ platform: 'web' as const, deliveryId, externalId: 'u1', dialogKey: 'web:c1:u1', at: T });

describe('pipelined transactions', () => {
  it('sends a turn in two writes: begin with the opening and the dialog read, the last writes with the commit', async () => {
    // Warm: the prepared statements are parsed once per connection.
    await store.transaction(async (repos) => {
      await repos.turns.open(opening('warm'));
      await repos.outbox.enqueue([{ address: { platform: 'web', kind: 'dm', conversationId: 'u1' }, message: { text: 'ciao' } }], T);
    });
    const writes = await writesOf(() =>
      store.transaction(async (repos) => {
        expect(await repos.turns.open(opening('e1'))).toEqual({ sender: undefined });
        // No dialog: known from the opening, not asked again.
        expect(await repos.dialogs.get('web:c1:u1', T)).toBeUndefined();
        await repos.dialogs.put('web:c1:u1', { step: 1 }, new Date(T.getTime() + 60_000));
        await repos.outbox.enqueue([{ address: { platform: 'web', kind: 'dm', conversationId: 'u1' }, message: { text: 'ciao' } }], T);
      }),
    );
    expect(writes).toBe(2);
    expect(await store.dialogs.get('web:c1:u1', T)).toEqual({ step: 1 });
    const n = await sql<{ n: number }>`select count(*)::int as n from outbox where address->>'conversationId' = 'u1'`.execute(tdb.db);
    expect(n.rows[0]?.n).toBe(2);
  });

  it('sends nothing for a transaction that sends no statement, and leaves no transaction open on the connection', async () => {
    const db = createDatabase(tdb.url, { max: 1 });
    const one = new KyselyStore(db);
    try {
      await one.dialogs.get('web:solo:u0', T); // connected
      expect(await writesOf(() => one.transaction(async () => 'niente'))).toBe(0);
      await expect(
        one.transaction(async () => {
          throw new Error('rifiutato');
        }),
      ).rejects.toThrow('rifiutato');
      // The one connection is in no transaction: what it writes now is seen by others at once.
      await one.dialogs.put('web:solo:u1', { step: 'visto' }, new Date(T.getTime() + 60_000));
      expect(await store.dialogs.get('web:solo:u1', T)).toEqual({ step: 'visto' });
    } finally {
      await db.destroy();
    }
  });

  it('rolls back when the writes sent with the commit fail, and reports their error', async () => {
    await expect(
      store.transaction(async (repos) => {
        await repos.turns.open(opening('e2'));
        await repos.outbox.enqueue([{ address: { platform: 'web', kind: 'dm', conversationId: 'u2' }, message: { text: 'mai' } }], T);
        // NOT NULL: the statement sent with the commit fails, the commit answers ROLLBACK.
        await repos.dialogs.put('web:c2:u2', { step: 1 }, null as unknown as Date);
      }),
    ).rejects.toThrow(/null value/);
    const n = await sql<{ n: number }>`select count(*)::int as n from outbox where address->>'conversationId' = 'u2'`.execute(tdb.db);
    expect(n.rows[0]?.n).toBe(0);
    // The delivery was not marked seen: a redelivery is handled.
    expect(await store.transaction((repos) => repos.turns.open(opening('e2')))).toEqual({ sender: undefined });
  });

  it('rolls back when the first statement, sent behind the held begin, fails', async () => {
    const db = createDatabase(tdb.url, { max: 1 });
    const one = new KyselyStore(db);
    try {
      await expect(
        one.transaction(async (repos) => {
          await repos.dialogs.put('web:c3:u3', { step: 1 }, null as unknown as Date);
          await repos.dialogs.get('web:c3:altro', T); // the failing write goes first, behind the begin
        }),
      ).rejects.toThrow(/null value/);
      expect(await one.transaction((repos) => repos.turns.open(opening('e3')))).toEqual({ sender: undefined });
      expect(await store.deliveries.markSeen('web', 'e3', T)).toBe(false); // committed: seen by another connection
    } finally {
      await db.destroy();
    }
  });

  it('answers the begin and the first statement with one ReadyForQuery, the statement keeping its own result', async () => {
    const db = createDatabase(tdb.url, { max: 1 });
    try {
      await sql`create table begun_probe (id int primary key, note text not null)`.execute(db);
      let inserted: unknown;
      // Two answers: the begin with the insert, the commit (three when the begin had its own Sync).
      expect(
        await answersOf(() =>
          db.transaction().execute(async (trx) => {
            inserted = await sql`insert into begun_probe values (${1}, ${'uno'}) returning id, note`.execute(trx);
          }),
        ),
      ).toBe(2);
      expect(inserted).toEqual({ numAffectedRows: 1n, rows: [{ id: 1, note: 'uno' }] });
      // A first statement without values (simple protocol) still follows a begin of its own.
      const counted = await db.transaction().execute((trx) => sql<{ n: number }>`select count(*)::int as n from begun_probe`.execute(trx));
      expect(counted.rows).toEqual([{ n: 1 }]);
      expect(await sql<{ n: number }>`select count(*)::int as n from begun_probe where note = 'uno'`.execute(tdb.db)).toMatchObject({
        rows: [{ n: 1 }],
      });
    } finally {
      await db.destroy();
    }
  });

  it('parses a prepared first statement again on its connection after its Parse failed behind the begin', async () => {
    const db = createDatabase(tdb.url, { max: 1 });
    const read = (trx: typeof db) => sql<{ note: string }>`${sql.raw(PREPARED)} select note from begun_later where id = ${1}`.execute(trx);
    try {
      await expect(db.transaction().execute(read)).rejects.toThrow(/begun_later" does not exist/);
      await sql`create table begun_later (id int primary key, note text not null)`.execute(db);
      await sql`insert into begun_later values (1, 'dopo')`.execute(db);
      // Parsed now (not skipped as parsed when begin's ParseComplete arrived), then only bound.
      expect((await db.transaction().execute(read)).rows).toEqual([{ note: 'dopo' }]);
      expect((await db.transaction().execute(read)).rows).toEqual([{ note: 'dopo' }]);
      expect((await read(db)).rows).toEqual([{ note: 'dopo' }]);
    } finally {
      await db.destroy();
    }
  });

  it('keeps the transaction when node-pg refuses its first statement unsent and the caller goes on', async () => {
    const client = new pg.Client({ connectionString: tdb.url, pipeline: true } as pg.ClientConfig);
    await client.connect();
    try {
      pipelineTransactions(client as pg.PoolClient);
      await client.query('create table begun_refused (id int primary key)');
      await client.query({ name: 'taken', text: 'select 1' });
      await client.query('begin');
      // The name is known for another text: node-pg refuses the statement before writing it.
      await expect(client.query({ name: 'taken', text: 'select 2', values: [] })).rejects.toThrow(/must be unique/);
      await client.query('insert into begun_refused values ($1)', [2]);
      await client.query('rollback');
      expect((await client.query('select count(*)::int as n from begun_refused')).rows).toEqual([{ n: 0 }]);
    } finally {
      await client.end();
    }
  });
});
