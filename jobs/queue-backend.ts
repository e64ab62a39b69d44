/**
 * BullMQ with its backend chosen once, at the composition root: Redis when a Redis URL is given
 * (BullMQ's primary backend, for production and horizontal scaling), otherwise BullMQ's
 * PostgreSQL backend on the app's own database (the embedded default: nothing else to run).
 * Everything above this file uses the same `Queue` and `Worker` classes either way.
 */
import {
  type BackendFactory,
  createPostgresBackend,
  createRedisBackend,
  DEFAULT_SCHEMA,
  type DefaultJobOptions,
  type IQueueBackend,
  type JobProgress,
  type Processor,
  Queue,
  quoteSchemaName,
  runMigrations,
  Worker,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

export type JobQueue<D> = Queue<D, unknown, string, D, unknown, string, IQueueBackend, unknown>;
export type JobWorker<D> = Worker<D, unknown, string, IQueueBackend, JobProgress, unknown>;

export interface QueueBackendOptions {
  /** Redis (BullMQ's primary backend) when set… */
  readonly redisUrl?: string | undefined;
  /** …otherwise BullMQ's PostgreSQL backend on this database, in schema `pgSchema`. */
  readonly databaseUrl: string;
  /** PostgreSQL schema for BullMQ's tables, created by BullMQ's own migrator (default `bullmq`). */
  readonly pgSchema?: string;
  /** Connections shared by the queues and workers on PostgreSQL, LISTEN connections included (default 20). */
  readonly pgPoolSize?: number;
}

export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  queue<D>(name: string, defaultJobOptions?: DefaultJobOptions): JobQueue<D>;
  worker<D>(
    name: string,
    processor: Processor<D, unknown, string>,
    opts: { readonly concurrency: number; readonly lockDurationMs?: number },
  ): JobWorker<D>;
  /** Resolves once the backend can be used (PostgreSQL: BullMQ's schema migrated). */
  ready(): Promise<void>;
  /** Closes the connections this backend opened (after the queues and workers were closed). */
  close(): Promise<void>;
}

/**
 * @example
 * const backend = createQueueBackend({ redisUrl: config.redisUrl, databaseUrl: runtime.url });
 * const queue = backend.queue<{ eventId: string }>('sportello-jobs');
 */
export function createQueueBackend(opts: QueueBackendOptions): QueueBackend {
  if (opts.redisUrl) return redisBackend(opts.redisUrl);
  return postgresBackend(opts);
}

function redisBackend(url: string): QueueBackend {
  // One client shared by the queues (commands wait while Redis is away instead of failing);
  // each worker duplicates it for its blocking connection and owns that one.
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // An unreachable Redis is reported by the health check and the failing calls; an unhandled
  // 'error' event would crash the process.
  client.on('error', () => {});
  const factory = createRedisBackend as unknown as BackendFactory<IQueueBackend, unknown>;
  return {
    kind: 'redis',
    queue: <D>(name: string, defaultJobOptions?: DefaultJobOptions) =>
      new Queue<D, unknown, string, D, unknown, string, IQueueBackend, unknown>(
        name,
        { connection: client, ...(defaultJobOptions ? { defaultJobOptions } : {}) },
        factory,
      ),
    worker: <D>(name: string, processor: Processor<D, unknown, string>, w: { concurrency: number; lockDurationMs?: number }) =>
      new Worker<D, unknown, string, IQueueBackend, JobProgress, unknown>(
        name,
        processor,
        { connection: client, concurrency: w.concurrency, ...(w.lockDurationMs ? { lockDuration: w.lockDurationMs } : {}) },
        factory,
      ),
    ready: () => Promise.resolve(),
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function postgresBackend(opts: QueueBackendOptions): QueueBackend {
  const schema = opts.pgSchema ?? DEFAULT_SCHEMA;
  // Our own pool rather than a config object for BullMQ to pool: a connection checked out by a
  // worker when PostgreSQL restarts emits 'error' on the client itself, and only a pool we own
  // can give every client a listener; without one, a database restart crashes the process.
  // BullMQ's commands use unqualified names, so the pool pins search_path to the schema.
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    options: `-c search_path=${quoteSchemaName(schema)}`,
    max: opts.pgPoolSize ?? 20,
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', () => {}); // an idle connection lost: the next query reports it
  pool.on('connect', (client) => client.on('error', () => {}));
  // BullMQ migrates on connect only for pools it owns: run its migrator once (advisory-locked).
  const migrated = (async () => {
    const client = await pool.connect();
    try {
      await runMigrations(client, schema);
    } finally {
      client.release();
    }
  })();
  migrated.catch(() => {}); // reported by ready()
  const factory = createPostgresBackend as unknown as BackendFactory<IQueueBackend, unknown>;
  return {
    kind: 'postgres',
    queue: <D>(name: string, defaultJobOptions?: DefaultJobOptions) =>
      new Queue<D, unknown, string, D, unknown, string, IQueueBackend, unknown>(
        name,
        { connection: pool, ...(defaultJobOptions ? { defaultJobOptions } : {}) },
        factory,
      ),
    worker: <D>(name: string, processor: Processor<D, unknown, string>, w: { concurrency: number; lockDurationMs?: number }) =>
      new Worker<D, unknown, string, IQueueBackend, JobProgress, unknown>(
        name,
        processor,
        { connection: pool, concurrency: w.concurrency, ...(w.lockDurationMs ? { lockDuration: w.lockDurationMs } : {}) },
        factory,
      ),
    ready: () => migrated,
    async close() {
      await migrated.catch(() => {});
      await pool.end();
    },
  };
}
