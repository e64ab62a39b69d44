/**
 * node-cron schedules of a worker process:
 * - the reconciliation sweep, every minute, run directly (it must not depend on the queue);
 * - the morning digest, 08:30 Europe/Rome Monday–Friday (holidays skipped by the digest itself);
 * - the auto-close of resolved tickets nobody confirmed, every hour;
 * - housekeeping (expired dialogs, old delivery ids), daily at night.
 * Every worker process runs the same crons. The digest and auto-close ticks become BullMQ jobs
 * with deterministic ids (`digest-2026-03-02`), so one worker takes each, with retries; the
 * digest also records its day in the database, so it is sent once even if the queue forgot.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/kernel/ports.ts';
import type { JobData, JobsLog } from './job-data.ts';
import type { JobQueue } from './queue-backend.ts';

export interface ScheduleCrons {
  /** Reconciliation sweep; default every minute. Six fields allowed (seconds first), for tests. */
  readonly reconcile?: string;
  /** Morning digest; default `30 8 * * 1-5`. */
  readonly digest?: string;
  /** Auto-close of unconfirmed resolved tickets; default `5 * * * *` (hourly). */
  readonly autoClose?: string;
  /** Cleanup of expired dialogs and old delivery ids; default `17 3 * * *` (daily, at night). */
  readonly housekeeping?: string;
  /** Zone the expressions are read in; default `Europe/Rome`. */
  readonly timeZone?: string;
}

export interface SchedulesOptions {
  readonly crons: ScheduleCrons;
  readonly queue: JobQueue<JobData>;
  readonly reconcile: () => Promise<unknown>;
  readonly clock: Clock;
  readonly log: JobsLog;
}

export interface Schedules {
  /** Stops the crons and waits for a sweep or enqueue in flight. */
  stop(): Promise<void>;
}

/** `YYYY-MM-DD` of `at` in `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function startSchedules(opts: SchedulesOptions): Schedules {
  const { crons, queue, log, clock } = opts;
  const timezone = crons.timeZone ?? 'Europe/Rome';
  const inFlight = new Set<Promise<unknown>>();
  const run = (what: string, work: () => Promise<unknown>) => () => {
    const p = work()
      .catch((err: unknown) => log.error({ err: String(err), schedule: what }, 'scheduled run failed'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };
  const logger = {
    info: () => {},
    debug: () => {},
    warn: (message: string) => log.warn({ schedule: true }, message),
    error: (message: string | Error) => log.error({ err: String(message) }, 'cron error'),
  };
  const options = (name: string) => ({ name, timezone, noOverlap: true, logger });
  const tasks: ScheduledTask[] = [
    cron.schedule(crons.reconcile ?? '* * * * *', run('reconcile', opts.reconcile), options('sla-reconcile')),
    cron.schedule(
      crons.digest ?? '30 8 * * 1-5',
      run('digest', () => {
        const day = localDay(clock.now(), timezone);
        return queue.add('digest', { kind: 'digest', day }, { jobId: `digest-${day}`, removeOnComplete: { age: 2 * 86_400 } });
      }),
      options('sla-digest'),
    ),
    cron.schedule(
      crons.autoClose ?? '5 * * * *',
      run('auto-close', () => {
        const slot = clock.now().toISOString().slice(0, 16).replace(/[:]/g, '');
        return queue.add('auto-close', { kind: 'auto-close', slot }, { jobId: `auto-close-${slot}`, removeOnComplete: { age: 86_400 } });
      }),
      options('auto-close'),
    ),
    cron.schedule(
      crons.housekeeping ?? '17 3 * * *',
      run('housekeeping', () => {
        const day = localDay(clock.now(), timezone);
        return queue.add('housekeeping', { kind: 'housekeeping', day }, { jobId: `housekeeping-${day}`, removeOnComplete: { age: 2 * 86_400 } });
      }),
      options('housekeeping'),
    ),
  ];
  return {
    async stop() {
      for (const task of tasks) await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
