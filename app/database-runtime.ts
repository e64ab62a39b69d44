/**
 * Opens the database the configuration names, or the embedded PostgreSQL when it names none,
 * and brings its schema up to date.
 */
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Store } from '../core/kernel/ports.ts';
import { createDatabase, migrateToLatest, waitForDatabase } from '../db/database.ts';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import type { Database } from '../db/schema.ts';
import type { Config } from './config.ts';

/** The logging this module needs; a pino logger fits. */
export interface RuntimeLog {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** An open, migrated database. */
export interface DatabaseRuntime {
  readonly db: Kysely<Database>;
  readonly store: Store;
  readonly url: string;
  /** True when the database is the embedded PostgreSQL (started here or shared with a running app). */
  readonly embedded: boolean;
  /** The connections of `db`'s pool and of the job queue's on this database (see `poolSizesFor`). */
  readonly poolSizes: PoolSizes;
  /** Migrations applied by this open, oldest first. */
  readonly migrations: readonly string[];
  /** Closes the pool, then stops the embedded server if this call started it. Idempotent. */
  close(): Promise<void>;
}

/** Where opening stands, for health reports while it is not done. */
export type OpenProgress =
  | { readonly phase: 'starting_embedded' }
  | { readonly phase: 'connecting'; readonly db: Kysely<Database> }
  | { readonly phase: 'migrating' };

export interface OpenDatabaseOptions {
  /** Aborting stops the wait for the database and releases what was opened so far. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: OpenProgress) => void;
  /** Size of the main pool; default `poolSizesFor(…).main`. */
  readonly poolSize?: number;
}

/** Connections per pool of a server process; the two LISTEN connections (web chat, dashboard) come on top. */
export interface PoolSizes {
  /** Kysely's pool: every request, the outbox, the SLA firing, the sweeps. */
  readonly main: number;
  /** BullMQ's on PostgreSQL (no Redis): its bookkeeping and its own LISTEN connection. */
  readonly jobs: number;
}

/**
 * Pools sized to the cores of the machine the embedded PostgreSQL shares with the app:
 * PostgreSQL's rule of thumb, 2 connections per core + 1, for the main pool (more only queue
 * inside PostgreSQL, each one an idle backend of 3–10 MB), and one per core + 1 for BullMQ's
 * short queries plus its LISTEN. A database of its own (DATABASE_URL) keeps pg's usual 10 and
 * BullMQ's 20: its cores are not this machine's.
 */
export function poolSizesFor(embedded: boolean, cores: number = os.availableParallelism()): PoolSizes {
  return embedded ? { main: 2 * cores + 1, jobs: cores + 1 } : { main: 10, jobs: 20 };
}

/**
 * With `DATABASE_URL` unset, starts the embedded PostgreSQL under `DATA_DIR` (or joins the one
 * already running there: then it is not stopped on close). Waits for the database to answer,
 * retrying with backoff, then applies pending migrations.
 */
export async function openDatabase(config: Config, log: RuntimeLog, opts: OpenDatabaseOptions = {}): Promise<DatabaseRuntime> {
  const { signal } = opts;
  signal?.throwIfAborted();
  let embedded: EmbeddedPostgresHandle | undefined;
  if (config.databaseUrl === undefined) {
    opts.onProgress?.({ phase: 'starting_embedded' });
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
    if (!embedded.owned) log.info({ port: embedded.port }, 'using the embedded PostgreSQL already running');
  }
  const url = embedded?.url ?? (config.databaseUrl as string);
  const sizes = poolSizesFor(embedded !== undefined);
  const poolSizes = { ...sizes, main: opts.poolSize ?? sizes.main };
  let closing: Promise<void> | undefined;
  // pg's pool resolves its end() before each connection's goodbye reached the server: stopping
  // the embedded server right after can cut one, which is our own shutdown, not news to log.
  const poolLog = {
    info: (obj: object, msg?: string) => log.info(obj, msg),
    warn: (obj: object, msg?: string) => (closing && embedded ? log.debug?.(obj, msg) : log.warn(obj, msg)),
    error: (obj: object, msg?: string) => log.error(obj, msg),
  };
  const db = createDatabase(url, { log: poolLog, max: poolSizes.main });

  const close = () =>
    (closing ??= (async () => {
      try {
        await db.destroy();
      } finally {
        await embedded?.stop();
      }
    })());

  try {
    opts.onProgress?.({ phase: 'connecting', db });
    log.info({ database: describeUrl(url), embedded: embedded !== undefined }, 'connecting to the database');
    await waitForDatabase(db, log, signal ? { signal } : {});
    opts.onProgress?.({ phase: 'migrating' });
    const migrations = await migrateToLatest(db, log);
    return { db, store: new KyselyStore(db), url, embedded: embedded !== undefined, poolSizes, migrations, close };
  } catch (err) {
    await close().catch((closeErr: unknown) => log.warn({ err: closeErr }, 'closing the database after a failed open'));
    throw err;
  }
}

/** host:port/database of a connection URL, without the credentials. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'unparseable url';
  }
}
