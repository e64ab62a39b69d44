import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedPostgresHandle } from './embedded-postgres.ts';
import { EMBEDDED_SETTINGS, startEmbeddedPostgres } from './embedded-postgres.ts';

const lines: { level: string; msg?: string }[] = [];
const log = {
  info: (_obj: object, msg?: string) => void lines.push({ level: 'info', msg }),
  warn: (_obj: object, msg?: string) => void lines.push({ level: 'warn', msg }),
  error: (_obj: object, msg?: string) => void lines.push({ level: 'error', msg }),
};

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A pid that certainly belongs to no process any more. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** Same line layout as PostgreSQL's: pid, data dir, start time, port, socket dir, listen address, … */
const writePidFile = (dataDir: string, pid: number, port: number) =>
  writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), `${pid}\n${dataDir}/pg\n1700000000\n${port}\n\n127.0.0.1\n0 0\nready\n`);

describe('startEmbeddedPostgres', { timeout: 60_000 }, () => {
  let dataDir: string;
  const handles: EmbeddedPostgresHandle[] = [];
  const start = async () => {
    const handle = await startEmbeddedPostgres({ dataDir, log });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sportello-pg-'));
    await chmod(dataDir, 0o755); // as root the server runs as `postgres`, which must traverse it
  });
  afterAll(async () => {
    for (const handle of handles) await handle.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('boots, shares a running server, and keeps data across restarts', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'] as const;
    const listenerCounts = () => events.map((event) => process.listenerCount(event));
    const before = listenerCounts();
    const first = await start();
    expect(listenerCounts()).toEqual(before); // embedded-postgres's process.exit()-ing hooks are detached
    expect(first.owned).toBe(true);
    expect(first.url).toBe(`postgres://postgres:sportello@127.0.0.1:${first.port}/sportello`);
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual(['embedded PostgreSQL started']);
    await query(first.url, 'CREATE TABLE notes (body text)');
    await query(first.url, "INSERT INTO notes VALUES ('persisted')");

    const second = await start();
    expect(second).toMatchObject({ owned: false, port: first.port, url: first.url });
    await second.stop(); // no-op: the server belongs to `first`
    expect(await query(first.url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);

    await first.stop();
    await first.stop(); // idempotent
    await expect(query(first.url, 'SELECT 1')).rejects.toThrow();

    const again = await start();
    expect(again.owned).toBe(true);
    expect(await query(again.url, 'SELECT body FROM notes')).toEqual([{ body: 'persisted' }]);
    await again.stop();
  });

  it('runs with the small-server settings and no process beyond the essential ones', async () => {
    const handle = await start();
    try {
      const names = Object.keys(EMBEDDED_SETTINGS);
      const rows = await query<{ name: string; value: string }>(
        handle.url,
        `SELECT name, current_setting(name) AS value FROM unnest(ARRAY['${names.join("','")}']) AS name`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.name, r.value]))).toEqual(EMBEDDED_SETTINGS);
      // No I/O workers, no logical replication launcher: what is left is what every server needs.
      const processes = await query<{ type: string }>(
        handle.url,
        "SELECT backend_type AS type FROM pg_stat_activity WHERE backend_type <> 'client backend' ORDER BY 1",
      );
      expect(processes.map((p) => p.type)).toEqual(['autovacuum launcher', 'background writer', 'checkpointer', 'walwriter']);
    } finally {
      await handle.stop();
    }
  });

  it('starts despite a stale postmaster.pid whose process is dead', async () => {
    await writePidFile(dataDir, await deadPid(), 5432);
    const handle = await start();
    expect(handle.owned).toBe(true);
    expect(await query(handle.url, 'SELECT count(*)::int AS n FROM notes')).toEqual([{ n: 1 }]);
    await handle.stop();
  });

  it('starts despite a postmaster.pid whose pid was reused by another process', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      await writePidFile(dataDir, sleeper.pid!, 5432);
      const handle = await start();
      expect(handle.owned).toBe(true);
      await handle.stop();
      expect(lines.some((l) => l.level === 'warn' && l.msg === 'removing stale postmaster.pid')).toBe(true);
    } finally {
      sleeper.kill();
    }
  });
});
