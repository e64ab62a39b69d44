/**
 * `sportello worker`: a process that runs only the background jobs (SLA timers, the
 * reconciliation sweep, digests, auto-close, the agents' watchdog, outbox delivery) on the same
 * database and queue as the server. Start any number of them to scale the jobs; every SLA event
 * still fires exactly once. It delivers the outbox rows of every configured platform (and of the
 * web chat when it is on) through the platforms' APIs, without receiving anything: a row written
 * by any process goes out from here as it would from that process, once, in its conversation's
 * order.
 */

import { startWorkers } from '../jobs/workers.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './database-runtime.ts';
import { createDeliverySenders } from './delivery-senders.ts';
import { createLogger } from './logger.ts';
import { systemClock } from './system-clock.ts';

/** Runs until SIGINT/SIGTERM; resolves with the exit status. */
export async function runWorker(env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  const log = createLogger({ level: config.logLevel });
  const stop = new AbortController();
  let stopping: Promise<number> | undefined;
  const shutdown = (signal: string) => {
    log.info({ signal }, 'worker shutting down');
    stop.abort(new Error(signal));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  const runtime = await openDatabase(config, log, { signal: stop.signal }).catch((err: unknown) => {
    if (!stop.signal.aborted) log.error({ err }, 'worker could not open the database');
    return undefined;
  });
  if (!runtime) return stop.signal.aborted ? 0 : 1;
  const senders = await createDeliverySenders(config, { store: runtime.store, db: runtime.db, log });
  let workers;
  try {
    workers = await startWorkers({
      store: runtime.store,
      clock: systemClock,
      log: log.child({ component: 'jobs' }),
      dbUrl: runtime.url,
      pgPoolSize: runtime.poolSizes.jobs,
      redisUrl: config.redisUrl,
      defaultLocale: config.defaultLocale,
      retentionMonths: config.retentionMonths,
      senders,
    });
  } catch (err) {
    log.error({ err }, 'worker could not start the job queue');
    await runtime.close();
    return 1;
  }
  log.info({ backend: workers.backend, queue: workers.queueName, delivers: Object.keys(senders) }, 'sportello worker running');
  // The signal may have come while the workers were starting: then stop at once.
  if (!stop.signal.aborted) await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  stopping ??= (async () => {
    await workers.stop();
    await runtime.close();
    return 0;
  })();
  return stopping;
}
