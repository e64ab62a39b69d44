/**
 * Every background worker of Sportello in one call, for `npm start` (all in one process, with
 * the chat adapters' senders) and for `sportello worker` (workers only; run as many as needed).
 *
 * - one BullMQ queue (`<namespace>-jobs`) on Redis or on BullMQ's PostgreSQL backend: SLA
 *   timers (`sla-<eventId>`), the morning digest, the auto-close, housekeeping, the hourly
 *   certification reminders and lapses (`certifications-<hour>`), the hourly problem scan (`problem-scan-<hour>`), the daily licence renewal reminders (`licence-renewals-<day>`), the daily retention of closed tickets' personal data (`retention-<day>`), the weekly and monthly reports (`report-week-<day>`, `report-month-<day>`) and the monitoring agents' watchdog (`watchdog-<tick>`, every 15 s: one worker of the fleet per tick);
 * - the SLA timer pump (sets timers for events due within the horizon; see sla-timers.ts);
 * - node-cron: the reconciliation sweep every minute, and the ticks that enqueue the jobs above;
 * - the outbox delivery (see outbox-worker.ts) for the platforms this process has senders for:
 *   every process delivers any row of those platforms, whoever wrote it, since what delivery
 *   needs (DM channels, interaction tokens, message refs) is in the database.
 *
 * Graceful stop: the crons and the pump stop, `worker.close()` lets jobs in flight finish, the
 * outbox round in flight completes, then the connections close. A job cut short (SIGKILL, crash)
 * is retried by BullMQ when its lock expires, and the sweep fires anything still due: the
 * database stays the truth, so nothing is lost.
 */

import { remindLicenceRenewals } from '../core/cmdb/renewal-reminders.ts';
import { closeUnconfirmedTickets } from '../core/escalation/close-unconfirmed-tickets.ts';
import { fireSlaBatch } from '../core/escalation/fire-sla-batch.ts';
import type { FiredSlaEvent } from '../core/escalation/fire-sla-event.ts';
import { sendMorningDigest } from '../core/escalation/morning-digest.ts';
import type { Locale } from '../core/kernel/i18n.ts';
import type { ChatSender } from '../core/kernel/outbox.ts';
import type { DeliveryOutcome } from '../core/kernel/outbox-dispatcher.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { Clock, Store, Written } from '../core/kernel/ports.ts';
import { housekeeping } from '../core/maintenance/housekeeping.ts';
import { applyRetention } from '../core/privacy/privacy.ts';
import { suggestProblems } from '../core/problems/suggest-problems.ts';
import { sendScheduledReport } from '../core/reports/send-reports.ts';
import { sweepCertifications } from '../core/vendors/certification-sweep.ts';
import { AgentWatchdog } from './agent-watchdog.ts';
import type { JobData, JobsLog } from './job-data.ts';
import { type OutboxWorker, startOutboxWorker } from './outbox-worker.ts';
import { createQueueBackend } from './queue-backend.ts';
import { type ReconcileResult, reconcileSla } from './reconcile.ts';
import { type ScheduleCrons, type Schedules, startSchedules } from './schedules.ts';
import { RecentIds, SlaTimers } from './sla-timers.ts';

export interface StartWorkersOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: JobsLog;
  /** The app's database URL: BullMQ's PostgreSQL backend lives there when `redisUrl` is unset. */
  readonly dbUrl: string;
  /** Redis for BullMQ (production, several processes); unset → PostgreSQL backend. */
  readonly redisUrl?: string | undefined;
  readonly defaultLocale: Locale;
  /**
   * The chat senders of this process (the adapters' in `npm start`, delivery-only ones in
   * `sportello worker`): this process delivers the outbox rows of these platforms. May be filled
   * after the start (the dispatcher reads it every round).
   */
  readonly senders?: Partial<Record<Platform, ChatSender>>;
  /** Names the queue `<namespace>-jobs` (default `sportello`): several deployments or tests on one Redis. */
  readonly namespace?: string;
  /** PostgreSQL schema of BullMQ's tables (default `bullmq`). */
  readonly pgSchema?: string;
  /** Connections of BullMQ's pool on PostgreSQL, its LISTEN included (default 20; unused with Redis). */
  readonly pgPoolSize?: number;
  /** Jobs processed at once by this process (default 8). */
  readonly concurrency?: number;
  /** Events due within this window get a queue timer (default 1 hour). */
  readonly timerHorizonMs?: number;
  /** How often the timer pump polls for events written by other processes (default 2 s). */
  readonly pumpIntervalMs?: number;
  /** Cron expressions; `false` runs no schedules (e.g. a second worker pool). */
  readonly schedules?: ScheduleCrons | false;
  /** Resolved tickets nobody confirmed are closed after this many days (default 7). */
  readonly autoCloseAfterDays?: number;
  /** Closed tickets keep their personal data this many months (default 24; `RETENTION_MONTHS`). */
  readonly retentionMonths?: number;
  readonly outboxPollMs?: number;
  readonly outboxBackoffMs?: (failures: number) => number;
  /** Per fired SLA event, for metrics: how late it fired and what fired it. */
  readonly onSlaFired?: (e: SlaFiredInfo) => void;
  readonly onOutboxResult?: (platform: Platform, outcome: DeliveryOutcome) => void;
}

export interface SlaFiredInfo {
  readonly eventId: string;
  readonly ticketRef: string;
  readonly target: string;
  readonly kind: string;
  /** `fired_at - due_at`. */
  readonly latenessMs: number;
  readonly via: 'timer' | 'sweep';
}

export type WorkersHealth = { ok: true; details?: object } | { ok: false; reason: string };

export interface Workers {
  readonly backend: 'redis' | 'postgres';
  readonly queueName: string;
  /**
   * Call with what a transaction of this process committed (the engine's `onWritten`): outbox
   * rows are delivered now and SLA events get their timers now, rather than at the next poll;
   * nothing else is woken (a plain chat message costs no SLA-timer query).
   */
  wake(written: Written): void;
  /** Wakes both the delivery and the timer pump (at start). */
  kick(): void;
  /** The monitoring agents' watchdog the `watchdog` jobs run (also callable directly). */
  readonly watchdog: AgentWatchdog;
  /** Runs one reconciliation sweep now (the cron runs it every minute). */
  reconcile(): Promise<ReconcileResult>;
  /** For `/healthz`: the queue answers within 2 s. */
  health(): Promise<WorkersHealth>;
  /** Graceful stop; idempotent. */
  stop(): Promise<void>;
}

/**
 * @example
 * const workers = await startWorkers({ store, clock, log, dbUrl: runtime.url, redisUrl: config.redisUrl, defaultLocale: 'it', senders });
 * const engine = new ConversationEngine({ store, clock, defaultLocale: 'it', onWritten: (w) => workers.wake(w) });
 * onClose(() => workers.stop());
 */
export async function startWorkers(opts: StartWorkersOptions): Promise<Workers> {
  const { store, clock, log } = opts;
  const fireOpts = { store, clock, defaultLocale: opts.defaultLocale };
  const backend = createQueueBackend({
    redisUrl: opts.redisUrl,
    databaseUrl: opts.dbUrl,
    ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}),
    ...(opts.pgPoolSize ? { pgPoolSize: opts.pgPoolSize } : {}),
  });
  await backend.ready();
  const queueName = `${opts.namespace ?? 'sportello'}-jobs`;
  const queue = backend.queue<JobData>(queueName, {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 86_400, count: 1_000 },
  });
  queue.on('error', (err) => log.warn({ err: String(err) }, 'job queue error'));
  await queue.waitUntilReady();

  const outbox: OutboxWorker = startOutboxWorker({
    store,
    clock,
    senders: opts.senders ?? {},
    log,
    ...(opts.outboxPollMs ? { pollMs: opts.outboxPollMs } : {}),
    ...(opts.outboxBackoffMs ? { backoffMs: opts.outboxBackoffMs } : {}),
    ...(opts.onOutboxResult ? { onResult: opts.onOutboxResult } : {}),
  });
  const watchdog = new AgentWatchdog({ ...fireOpts, log, onOutbox: () => outbox.kick() });

  const onFired = (fired: FiredSlaEvent, via: 'timer' | 'sweep') => {
    if (fired.outbox > 0) outbox.kick();
    const { event } = fired;
    opts.onSlaFired?.({
      eventId: event.id,
      ticketRef: fired.ticketRef,
      target: event.target,
      kind: event.kind,
      latenessMs: (event.firedAt?.getTime() ?? 0) - event.dueAt.getTime(),
      via,
    });
  };

  const firedHere = new RecentIds();
  const timers = new SlaTimers({
    store,
    clock,
    queue,
    log,
    ...(opts.timerHorizonMs ? { horizonMs: opts.timerHorizonMs } : {}),
    ...(opts.pumpIntervalMs ? { intervalMs: opts.pumpIntervalMs } : {}),
  });

  const worker = backend.worker<JobData>(
    queueName,
    async (job) => {
      const data = job.data;
      switch (data.kind) {
        case 'sla': {
          // A batch of this process fired it already: no query (see fireSlaBatch).
          if (firedHere.has(data.eventId)) return;
          for (const fired of await fireSlaBatch(fireOpts, data.eventId)) {
            firedHere.add(fired.event.id);
            onFired(fired, 'timer');
          }
          return;
        }
        case 'digest':
          await sendMorningDigest({ ...fireOpts, runKey: data.day });
          outbox.kick();
          return;
        case 'auto-close': {
          const closed = await closeUnconfirmedTickets(fireOpts, opts.autoCloseAfterDays ?? 7);
          if (closed.length) log.info({ closed }, 'closed resolved tickets nobody confirmed');
          outbox.kick();
          return;
        }
        case 'certifications': {
          const swept = await sweepCertifications(fireOpts);
          if (swept.people.lapsed + swept.people.reminded + swept.vendors.lapsed + swept.vendors.reminded > 0)
            log.info(swept, 'certification reminders and lapses');
          outbox.kick();
          return;
        }
        case 'problem-scan': {
          const posted = await suggestProblems(fireOpts);
          if (posted.length) log.info({ suggestions: posted.map((x) => `${x.basis}:${x.key}`) }, 'problem suggestions posted');
          outbox.kick();
          return;
        }
        case 'report': {
          const { sent, key } = await sendScheduledReport(fireOpts, data.period);
          if (sent) log.info({ period: data.period, key }, 'report sent');
          outbox.kick();
          return;
        }
        case 'licence-renewals': {
          const { reminded } = await remindLicenceRenewals(fireOpts);
          if (reminded) log.info({ reminded }, 'licence renewal reminders');
          outbox.kick();
          return;
        }
        case 'retention': {
          const { cleared, cutoff } = await applyRetention(fireOpts, opts.retentionMonths);
          if (cleared.length) log.info({ tickets: cleared.length, cutoff }, "closed tickets' personal data removed");
          return;
        }
        case 'housekeeping': {
          const purged = await housekeeping(store, clock.now());
          log.info(purged, 'housekeeping done');
          return;
        }
        case 'watchdog':
          await watchdog.sweepNow({ purge: data.purge });
          return;
        case 'sentinel':
          return;
      }
    },
    { concurrency: opts.concurrency ?? 8 },
  );
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: String(err) }, 'job failed'));
  worker.on('error', (err) => log.error({ err: String(err) }, 'job worker error'));
  await worker.waitUntilReady();

  const reconcile = () => reconcileSla({ ...fireOpts, log, timers, onFired });
  const schedules: Schedules | undefined =
    opts.schedules === false ? undefined : startSchedules({ crons: opts.schedules ?? {}, queue, reconcile, clock, log });
  // Before the first pump: a queue that lost its state (or a brand-new one) gets its sentinel
  // now, so timers set from here on are not taken for lost ones by the first sweep.
  await timers.verifyQueue().catch((err: unknown) => log.warn({ err: String(err) }, 'checking the job queue failed'));
  timers.start();
  // Fire what fell due while no worker ran.
  const firstSweep = reconcile().catch((err: unknown) => log.error({ err: String(err) }, 'first reconciliation sweep failed'));

  let stopping: Promise<void> | undefined;
  return {
    backend: backend.kind,
    queueName,
    wake(written) {
      if (written.slaEvents > 0) timers.kick();
      if (written.outbox > 0) outbox.kick();
    },
    kick() {
      timers.kick();
      outbox.kick();
    },
    watchdog,
    reconcile,
    async health() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<WorkersHealth>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: `job queue (${backend.kind}) did not answer within 2 s` }), 2_000);
      });
      const probe = queue.getJobCounts('delayed', 'active').then(
        (counts): WorkersHealth => ({ ok: true, details: { backend: backend.kind, ...counts } }),
        (err: unknown): WorkersHealth => ({ ok: false, reason: `job queue (${backend.kind}): ${String(err)}` }),
      );
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop() {
      return (stopping ??= (async () => {
        await schedules?.stop();
        await timers.stop();
        await firstSweep;
        await worker.close();
        await watchdog.stop();
        await outbox.stop();
        await queue.close();
        await backend.close();
      })());
    },
  };
}
