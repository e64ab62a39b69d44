/**
 * Connecting to PostgreSQL, migrating, and waiting for / probing the server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import type { CustomTypesConfig } from 'pg';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import { pipelineTransactions } from './pipelined-client.ts';
import { prepareMarkedStatements } from './prepared-statements.ts';
import type { Database } from './schema.ts';

/** The logging this module needs; a pino logger fits. */
export interface DbLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

// Per-pool parsers rather than pg.types.setTypeParser, which would change every pg client in
// the process. int8 comes back from count(), sequences and identity columns, all far below 2^53;
// a `date` stays its `YYYY-MM-DD` text (a Date would move it by the server's time zone).
// node-pg asks for each column of each result, so the parsers are made once.
const parseInt8 = (value: string) => Number(value);
const keepText = (value: string) => value;
const TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    format === 'binary'
      ? pg.types.getTypeParser(oid, format)
      : oid === pg.types.builtins.INT8
        ? parseInt8
        : oid === pg.types.builtins.DATE
          ? keepText
          : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/**
 * A Kysely instance over a pg pool. timestamptz columns come back as `Date`, int8 as `number`, date as `YYYY-MM-DD`.
 * Call `destroy()` on it to close the pool.
 */
export function createDatabase(url: string, opts: { max?: number; log?: DbLog } = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    types: TYPES,
    // Without it a connect to an unroutable host hangs until the OS gives up (minutes).
    connectionTimeoutMillis: 5_000,
    // A statement goes out without waiting for the answer to the one before (db/pipelined-client.ts).
    pipeline: true,
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, it would crash the
  // process. The next query fails and reports anyway, so logging is enough.
  pool.on('error', (err) => opts.log?.warn({ err: describeError(err) }, 'idle database connection lost'));
  // A connection checked out of the pool (held by a transaction between two queries) that loses
  // its server emits 'error' on the client itself, where nobody listens: without this listener
  // a database restart would crash the process. The next query on it fails and is reported.
  pool.on('connect', (client) => {
    client.on('error', (err) => opts.log?.warn({ err: describeError(err) }, 'database connection lost'));
    // In this order: a transaction's first statement reaches pipelineTransactions named.
    pipelineTransactions(client);
    prepareMarkedStatements(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Applies pending migrations and returns the names applied by this call. Safe to run from
 * several processes at once: Kysely's Migrator (0.28, `#runMigrations` in migration/migrator.js)
 * takes a session-level `pg_advisory_lock` on one connection (PostgresAdapter.acquireMigrationLock)
 * and then runs all pending migrations in a single transaction, so a concurrent start waits for
 * the lock, then finds nothing left to apply; a failure rolls the whole run back.
 */
export async function migrateToLatest(db: Kysely<Database>, log: DbLog): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied: string[] = [];
  for (const r of results) {
    if (r.status === 'Success') {
      applied.push(r.migrationName);
      log.info({ migration: r.migrationName }, 'database migration applied');
    } else if (r.status === 'Error') {
      log.error({ migration: r.migrationName }, 'database migration failed');
    }
  }
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Database migration ${failed ? `"${failed}" ` : ''}failed, nothing was applied: ${describeError(error)}`, {
      cause: error,
    });
  }
  return applied;
}

/**
 * Resolves once the database answers `select 1`, retrying with exponential backoff
 * (250 ms doubling up to `maxDelayMs`, default 10 s). Logs one warn line when the database is
 * first found unreachable and one info line when it answers again; rejects with the signal's
 * reason when `signal` aborts.
 */
export async function waitForDatabase(
  db: Kysely<Database>,
  log: DbLog,
  opts: { signal?: AbortSignal; maxDelayMs?: number } = {},
): Promise<void> {
  const { signal } = opts;
  const maxDelayMs = opts.maxDelayMs ?? 10_000;
  let delay = Math.min(250, maxDelayMs);
  let downSince: number | undefined;
  let attempts = 0;
  for (;;) {
    signal?.throwIfAborted();
    attempts += 1;
    const result = await pingDatabase(db);
    if (result.ok) {
      if (downSince !== undefined) {
        log.info({ attempts, downForMs: Date.now() - downSince }, 'database reachable again');
      }
      return;
    }
    if (downSince === undefined) {
      downSince = Date.now();
      log.warn({ reason: result.reason }, 'database unreachable, retrying until it answers');
    }
    signal?.throwIfAborted();
    await sleep(delay, undefined, signal ? { signal } : undefined).catch((e: unknown) => {
      throw signal?.aborted ? signal.reason : e;
    });
    delay = Math.min(delay * 2, maxDelayMs);
  }
}

/** One `select 1` bounded by `timeoutMs` (default 2 s), for health checks. Never throws. */
export async function pingDatabase(db: Kysely<Database>, timeoutMs = 2_000): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: describeError(e) };
  } finally {
    clearTimeout(timer);
  }
}

/** A one-line description of a connection or query error (AggregateError has no message). */
export function describeError(e: unknown): string {
  if (e instanceof AggregateError && !e.message) {
    return e.errors.map(describeError).join('; ') || 'connection failed';
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return e.message || (typeof code === 'string' ? code : e.name);
  }
  return String(e);
}

// SQLSTATE classes and codes that say "try again" rather than "this is wrong": connection
// exceptions (08…), the server shutting down or starting (57P01–57P03), too many connections,
// serialization failures and deadlocks.
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300|40001|40P01)$/;
const TRANSIENT_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Whether a database failure is worth retrying (the server restarting, a connection cut). */
export function isTransientDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_NODE.has(code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not currently accepting connections/i.test(
    err.message,
  );
}
