/**
 * BullMQ with its backend chosen once, at the composition root: Redis when a Redis URL is given
 * (BullMQ's primary backend, for production and horizontal scaling), otherwise BullMQ's
 * PostgreSQL backend on the app's own database (the embedded default: nothing else to run).
 * Everything above this file uses the same `Queue` and `Worker` classes either way.
 */
import {
  Queue,
  Worker,
  createPostgresBackend,
  createRedisBackend,
  type BackendFactory,
  type DefaultJobOptions,
  type IQueueBackend,
  type JobProgress,
  type Processor,
} from 'bullmq';
import { Redis } from 'ioredis';

export type JobQueue<D> = Queue<D, unknown, string, D, unknown, string, IQueueBackend, unknown>;
export type JobWorker<D> = Worker<D, unknown, string, IQueueBackend, JobProgress, unknown>;

export interface QueueBackendOptions {
  /** Redis (BullMQ's primary backend) when set… */
  readonly redisUrl?: string | undefined;
  /** …otherwise BullMQ's PostgreSQL backend on this database, in schema `pgSchema`. */
  readonly databaseUrl: string;
  /** PostgreSQL schema for BullMQ's tables, created by BullMQ's own migrator (default `bullmq`). */
  readonly pgSchema?: string;
  /** Connections per queue or worker on PostgreSQL (default 3; each also holds one LISTEN connection). */
  readonly pgPoolSize?: number;
}

export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  queue<D>(name: string, defaultJobOptions?: DefaultJobOptions): JobQueue<D>;
  worker<D>(name: string, processor: Processor<D, unknown, string>, opts: { readonly concurrency: number; readonly lockDurationMs?: number }): JobWorker<D>;
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
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function postgresBackend(opts: QueueBackendOptions): QueueBackend {
  // A config object (not a pg.Pool) so BullMQ owns each pool, pins its search_path to the
  // schema and runs its migrations (`migrate: true`, serialised by an advisory lock).
  const connection = {
    connectionString: opts.databaseUrl,
    schema: opts.pgSchema ?? 'bullmq',
    migrate: true,
    max: opts.pgPoolSize ?? 3,
    connectionTimeoutMillis: 5_000,
  };
  const factory = createPostgresBackend as unknown as BackendFactory<IQueueBackend, unknown>;
  return {
    kind: 'postgres',
    queue: <D>(name: string, defaultJobOptions?: DefaultJobOptions) =>
      new Queue<D, unknown, string, D, unknown, string, IQueueBackend, unknown>(
        name,
        { connection, ...(defaultJobOptions ? { defaultJobOptions } : {}) },
        factory,
      ),
    worker: <D>(name: string, processor: Processor<D, unknown, string>, w: { concurrency: number; lockDurationMs?: number }) =>
      new Worker<D, unknown, string, IQueueBackend, JobProgress, unknown>(
        name,
        processor,
        { connection, concurrency: w.concurrency, ...(w.lockDurationMs ? { lockDuration: w.lockDurationMs } : {}) },
        factory,
      ),
    async close() {
      // Each queue and worker owned (and closed) its own pool.
    },
  };
}
