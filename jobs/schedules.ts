/**
 * node-cron schedules of a worker process:
 * - the reconciliation sweep, every minute, run directly (it must not depend on the queue);
 * - the morning digest, 08:30 Europe/Rome Monday–Friday (holidays skipped by the digest itself);
 * - the auto-close of resolved tickets nobody confirmed, every hour;
 * - housekeeping (expired dialogs, old delivery ids), daily at night;
 * - certifications (reminders 30 and 7 days before an expiry, automatic lapses), every hour;
 * - the proactive problem scan (suggestions to the volunteers channel), every hour;
 * - licence renewal reminders (30 days before), daily at 08:40;
 * - the retention of closed tickets' personal data, daily at 03:35;
 * - the committee's flow report every Monday at 08:00, the observers' report on the 1st at 09:00;
 * - the monitoring agents' watchdog, every 15 seconds (old rows purged every 15 minutes).
 * Every worker process runs the same crons. The digest, auto-close, housekeeping and watchdog
 * ticks become BullMQ jobs with deterministic ids (`digest-2026-03-02`, `watchdog-…T083015`),
 * so one worker of the fleet takes each; the digest also records its day in the database, so it
 * is sent once even if the queue forgot.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/kernel/ports.ts';
import { localDay } from '../core/kernel/zoned-time.ts';
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
  /** Certification reminders and lapses; default `25 * * * *` (hourly). */
  readonly certifications?: string;
  /** The proactive problem scan; default `50 * * * *` (hourly). */
  readonly problemScan?: string;
  /** Licence renewal reminders; default `40 8 * * *` (daily, 08:40). */
  readonly licenceRenewals?: string;
  /** Retention of closed tickets' personal data; default `35 3 * * *` (daily, at night). */
  readonly retention?: string;
  /** The committee's flow report of the week before; default `0 8 * * 1` (Monday 08:00). */
  readonly weeklyReport?: string;
  /** The observers' report of the month before; default `0 9 1 * *` (the 1st, 09:00). */
  readonly monthlyReport?: string;
  /** The agents' watchdog sweep; default every 15 seconds (six fields, seconds first); `false` runs none. */
  readonly watchdog?: string | false;
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

const WATCHDOG_TICK_MS = 15_000;
const WATCHDOG_PURGE_MS = 15 * 60_000;

/**
 * The watchdog tick a cron run belongs to: the nearest 15 s, so workers whose clocks differ by a
 * few seconds name the same tick (and BullMQ keeps one job for it); every 60th tick purges.
 */
export function watchdogTick(at: Date): { readonly slot: string; readonly purge: boolean } {
  const tick = Math.round(at.getTime() / WATCHDOG_TICK_MS) * WATCHDOG_TICK_MS;
  return { slot: new Date(tick).toISOString().slice(0, 19).replace(/[-:]/g, ''), purge: tick % WATCHDOG_PURGE_MS === 0 };
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
        return queue.add(
          'housekeeping',
          { kind: 'housekeeping', day },
          { jobId: `housekeeping-${day}`, removeOnComplete: { age: 2 * 86_400 } },
        );
      }),
      options('housekeeping'),
    ),
    cron.schedule(
      crons.certifications ?? '25 * * * *',
      run('certifications', () => {
        // One job per hour for the fleet; each reminder is also recorded once in the database.
        const slot = clock.now().toISOString().slice(0, 13).replace(/[-:T]/g, '');
        return queue.add(
          'certifications',
          { kind: 'certifications', slot },
          { jobId: `certifications-${slot}`, removeOnComplete: { age: 86_400 } },
        );
      }),
      options('certifications'),
    ),
    cron.schedule(
      crons.problemScan ?? '50 * * * *',
      run('problem-scan', () => {
        // One scan per hour for the fleet; each suggestion is also recorded once in the database.
        const slot = clock.now().toISOString().slice(0, 13).replace(/[-:T]/g, '');
        return queue.add(
          'problem-scan',
          { kind: 'problem-scan', slot },
          { jobId: `problem-scan-${slot}`, removeOnComplete: { age: 86_400 } },
        );
      }),
      options('problem-scan'),
    ),
    cron.schedule(
      crons.licenceRenewals ?? '40 8 * * *',
      run('licence-renewals', () => {
        // One run per day for the fleet; each reminder is also recorded on the licence itself.
        const day = localDay(clock.now(), timezone);
        return queue.add(
          'licence-renewals',
          { kind: 'licence-renewals', day },
          { jobId: `licence-renewals-${day}`, removeOnComplete: { age: 2 * 86_400 } },
        );
      }),
      options('licence-renewals'),
    ),
    cron.schedule(
      crons.retention ?? '35 3 * * *',
      run('retention', () => {
        // One run per day for the fleet; each ticket is also marked once cleared.
        const day = localDay(clock.now(), timezone);
        return queue.add('retention', { kind: 'retention', day }, { jobId: `retention-${day}`, removeOnComplete: { age: 2 * 86_400 } });
      }),
      options('retention'),
    ),
    ...(['week', 'month'] as const).map((period) =>
      cron.schedule(
        (period === 'week' ? crons.weeklyReport : crons.monthlyReport) ?? (period === 'week' ? '0 8 * * 1' : '0 9 1 * *'),
        run(`report-${period}`, () => {
          // One job per run for the fleet; the report also claims its period in the database.
          const day = localDay(clock.now(), timezone);
          return queue.add(
            'report',
            { kind: 'report', period, day },
            { jobId: `report-${period}-${day}`, removeOnComplete: { age: 2 * 86_400 } },
          );
        }),
        options(`report-${period}`),
      ),
    ),
  ];
  if (crons.watchdog !== false)
    tasks.push(
      cron.schedule(
        crons.watchdog ?? '*/15 * * * * *',
        run('watchdog', () => {
          const { slot, purge } = watchdogTick(clock.now());
          // Not retried: the next tick sweeps 15 s later anyway.
          return queue.add(
            'watchdog',
            { kind: 'watchdog', slot, purge },
            { jobId: `watchdog-${slot}`, attempts: 1, removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } },
          );
        }),
        options('agent-watchdog'),
      ),
    );
  return {
    async stop() {
      for (const task of tasks) await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
