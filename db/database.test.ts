import net from 'node:net';
import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase, silentLog } from '../test/test-database.ts';
import { until } from '../test/wait.ts';
import type { DbLog } from './database.ts';
import { createDatabase, migrateToLatest, pingDatabase, waitForDatabase } from './database.ts';
import { migrations } from './migrations/index.ts';

interface Line {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

function recordingLog(): DbLog & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A local port nobody listens on (just released by the OS). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const listen = (server: net.Server, port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

const ALL = Object.keys(migrations).sort();

let migrated: TestDatabase;

beforeAll(async () => {
  migrated = await createTestDatabase();
});

afterAll(async () => {
  await migrated?.drop();
});

describe('migrateToLatest', () => {
  it('is idempotent', async () => {
    const log = recordingLog();
    expect(await migrateToLatest(migrated.db, log)).toEqual([]);
    expect(log.lines).toEqual([]);
  });

  it('applies migrations once when two processes start together on a fresh database', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    const a = createDatabase(fresh.url, { max: 2 });
    const b = createDatabase(fresh.url, { max: 2 });
    try {
      const log = recordingLog();
      const [ra, rb] = await Promise.all([migrateToLatest(a, log), migrateToLatest(b, log)]);
      expect([...ra, ...rb]).toEqual(ALL);
      expect(log.lines.map((l) => l.msg)).toEqual(ALL.map(() => 'database migration applied'));
      const { rows } = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(a);
      expect(rows[0]?.n).toBe(ALL.length);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
      await fresh.drop();
    }
  });

  it('can be rolled back by the down migration and applied again', async () => {
    const fresh = await createTestDatabase();
    try {
      const migrator = new Migrator({ db: fresh.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo(NO_MIGRATIONS)).error).toBeUndefined();
      const { rows } = await sql<{
        n: number;
      }>`select count(*) as n from pg_tables where schemaname = 'public' and tablename not like 'kysely%'`.execute(fresh.db);
      expect(rows[0]?.n).toBe(0);
      expect(await migrateToLatest(fresh.db, silentLog)).toEqual(ALL);
    } finally {
      await fresh.drop();
    }
  });

  it('fails with a clear message and leaves nothing half-applied', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      await sql`create table tickets (id int)`.execute(fresh.db);
      const log = recordingLog();
      await expect(migrateToLatest(fresh.db, log)).rejects.toThrow(
        /Database migration "0001-initial" failed, nothing was applied: relation "tickets" already exists/,
      );
      expect(log.lines.map((l) => l.level)).toEqual(['error']);
      const { rows } = await sql<{ n: number }>`select count(*) as n from pg_tables where tablename = 'people'`.execute(fresh.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});

describe('pingDatabase', () => {
  it('answers ok when the database is up', async () => {
    expect(await pingDatabase(migrated.db)).toEqual({ ok: true });
  });

  it('reports the reason when the server refuses connections', async () => {
    const db = createDatabase(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
    try {
      const result = await pingDatabase(db);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/ECONNREFUSED/);
    } finally {
      await db.destroy();
    }
  });

  it('gives up after its timeout when the server never answers', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((s) => void sockets.push(s));
    await listen(mute, 0);
    const { port } = mute.address() as net.AddressInfo;
    const db = createDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`);
    try {
      expect(await pingDatabase(db, 200)).toEqual({ ok: false, reason: 'no answer within 200 ms' });
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
      await db.destroy();
    }
  });
});

describe('waitForDatabase', () => {
  it('resolves at once, silently, when the database is up', async () => {
    const log = recordingLog();
    await waitForDatabase(migrated.db, log);
    expect(log.lines).toEqual([]);
  });

  it('retries an unreachable database with one warn line until the signal aborts', async () => {
    const db = createDatabase(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
    const log = recordingLog();
    const controller = new AbortController();
    // Aborted a second after its first failure, which leaves time for several more attempts.
    let timer: NodeJS.Timeout | undefined;
    void until('the first failed attempt', () => log.lines.length > 0)
      .catch(() => undefined) // never logged: aborted all the same, and the checks below fail
      .then(() => (timer = setTimeout(() => controller.abort(new Error('shutting down')), 1_000)));
    try {
      await expect(waitForDatabase(db, log, { signal: controller.signal, maxDelayMs: 200 })).rejects.toThrow('shutting down');
      expect(log.lines).toHaveLength(1);
      expect(log.lines[0]).toMatchObject({ level: 'warn', obj: { reason: expect.stringMatching(/ECONNREFUSED/) } });
    } finally {
      clearTimeout(timer);
      await db.destroy();
    }
  });

  it('logs one info line when the database comes back', async () => {
    const port = await closedPort();
    const upstream = new URL(migrated.url);
    const target = { port: Number(upstream.port || 5432), host: upstream.hostname };
    // A TCP relay to the real server that starts listening only after a while.
    const relay = net.createServer((client) => {
      const server = net.connect(target.port, target.host);
      client.pipe(server).pipe(client);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    upstream.host = `127.0.0.1:${port}`;
    const db = createDatabase(upstream.toString());
    const log = recordingLog();
    // The server "comes back" only after the first attempt failed.
    const opening = until('the first failed attempt', () => log.lines.length > 0).then(() => listen(relay, port));
    try {
      await waitForDatabase(db, log, { maxDelayMs: 200 });
      await opening;
      expect(log.lines.map((l) => [l.level, l.msg])).toEqual([
        ['warn', 'database unreachable, retrying until it answers'],
        ['info', 'database reachable again'],
      ]);
      expect(log.lines[1]?.obj).toMatchObject({ attempts: expect.any(Number), downForMs: expect.any(Number) });
    } finally {
      await db.destroy();
      relay.close();
    }
  });

  it('rejects at once with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(waitForDatabase(migrated.db, silentLog, { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('isTransientDatabaseError', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it.each([
    [withCode('57P01', 'terminating connection due to administrator command'), true],
    [withCode('57P03', 'the database system is starting up'), true],
    [withCode('08006'), true],
    [withCode('ECONNREFUSED'), true],
    [new Error('Connection terminated unexpectedly'), true],
    [withCode('23505', 'duplicate key value violates unique constraint'), false],
    [withCode('42P01', 'relation does not exist'), false],
    [new Error('boom'), false],
    ['not an error', false],
  ])('%s → %s', async (err, expected) => {
    const { isTransientDatabaseError } = await import('./database.ts');
    expect(isTransientDatabaseError(err)).toBe(expected);
  });
});
