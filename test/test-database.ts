/**
 * Throwaway databases for tests: each call creates a uniquely named database on the test server
 * (`TEST_DATABASE_URL`, default the local PostgreSQL), migrated unless told otherwise.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { DbLog } from '../db/database.ts';
import { createDatabase, migrateToLatest } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { until } from './wait.ts';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A log that drops everything, for tests that do not look at logs. */
export const silentLog: DbLog = { info() {}, warn() {}, error() {} };

/** A fresh database; `drop()` closes `db` and drops the database even if clients remain. */
export interface TestDatabase {
  db: Kysely<Database>;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates (and by default migrates) a database named `sportello_test_<random>`. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env['TEST_DATABASE_URL'] ?? DEFAULT_URL;
  const name = `sportello_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`create database "${name}"`));
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const db = createDatabase(url, { max: 20 });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await db.destroy();
    await admin(adminUrl, (c) => c.query(`drop database if exists "${name}" with (force)`));
  };
  try {
    if (opts.migrate ?? true) await migrateToLatest(db, silentLog);
  } catch (e) {
    await drop();
    throw e;
  }
  return { db, url, drop };
}

/**
 * Resolves once at least `n` sessions of `db`'s database wait on a lock (a row another
 * transaction holds): the readiness signal for tests of blocking, instead of a sleep that
 * hopes the other transaction got that far. Also resolves when `orDone()` says the work that
 * should have blocked finished anyway, so the test's own assertions report that.
 */
export function lockWaiters(db: Kysely<Database>, n = 1, orDone: () => boolean = () => false): Promise<void> {
  return until(`${n} session(s) waiting on a lock`, async () => {
    if (orDone()) return true;
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    return (r.rows[0]?.n ?? 0) >= n;
  }).then(() => undefined);
}
