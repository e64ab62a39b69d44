/**
 * Throwaway databases for tests: each call creates a uniquely named database on the test server
 * (`TEST_DATABASE_URL`, default the local PostgreSQL), migrated unless told otherwise.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createDatabase, migrateToLatest } from '../db/database.ts';
import type { DbLog } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

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
