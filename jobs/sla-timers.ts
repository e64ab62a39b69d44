/**
 * SLA timers on BullMQ. The `sla_events` table is the truth; a timer is a delayed job with the
 * deterministic id `sla-<eventId>` (BullMQ forbids `:` in custom ids) that fires the event at its
 * due time. An obsolete timer (the event was rewritten) finds no unfired row and ends quietly.
 *
 * Timers are set by a pump rather than by the transactions that plan the events: the pump takes
 * the unfired events due within the horizon that have no timer yet (`queued_at` null), adds their
 * jobs in bulk and marks them. So core stays free of BullMQ, any process that writes events (the
 * bot gateways, the CLI, a worker) gets its timers set without an after-commit hook, and BullMQ
 * holds only the next hour of timers however many tickets are open. `kick()` after a commit that
 * wrote SLA events (`Workers.wake`) sets them at once; the poll (2 s) covers writers in other
 * processes.
 *
 * If the queue loses its state (Redis restarted without persistence, FLUSHALL) the sentinel job
 * is gone; the reconciliation sweep notices, forgets every `queued_at` and the pump sets the
 * timers again. Due events never wait for that: the sweep fires them directly.
 */
import { CoalescingRunner } from '../core/kernel/coalescing-runner.ts';
import type { Clock, Store } from '../core/kernel/ports.ts';
import type { JobData, JobsLog } from './job-data.ts';
import type { JobQueue } from './queue-backend.ts';

export const SENTINEL_JOB_ID = 'sla-sentinel';
const SENTINEL_DELAY_MS = 365 * 86_400_000;

/** The job id of an SLA event's timer. */
export const slaJobId = (eventId: string): string => `sla-${eventId}`;

export interface SlaTimersOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly queue: JobQueue<JobData>;
  readonly log: JobsLog;
  /** Events due within this window get a timer (default 1 hour). */
  readonly horizonMs?: number;
  /** How often the pump looks for events without a timer (default 2 s). */
  readonly intervalMs?: number;
  /** Timers added per bulk call (default 1000). */
  readonly batchSize?: number;
}

export class SlaTimers {
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: CoalescingRunner;
  /** Timers set by this process, for metrics and the benchmark. */
  scheduled = 0;

  constructor(private readonly opts: SlaTimersOptions) {
    this.runner = new CoalescingRunner(
      () => this.pump(),
      (err) => opts.log.warn({ err: String(err) }, 'setting SLA timers failed; retrying at the next round'),
    );
  }

  /** Sets timers for every unfired event due within the horizon that has none; returns how many. */
  async pump(): Promise<number> {
    const { store, clock, queue } = this.opts;
    const size = this.opts.batchSize ?? 1000;
    let total = 0;
    for (;;) {
      const now = clock.now();
      const batch = await store.sla.claimForTimers(new Date(now.getTime() + (this.opts.horizonMs ?? 3_600_000)), now, size);
      if (batch.length === 0) return total;
      try {
        await queue.addBulk(
          batch.map((e) => ({
            name: 'sla',
            data: { kind: 'sla' as const, eventId: e.id, dueAt: e.dueAt.getTime() },
            opts: { jobId: slaJobId(e.id), delay: Math.max(0, e.dueAt.getTime() - now.getTime()) },
          })),
        );
      } catch (err) {
        // The queue refused: forget the marks so the next round (or another worker) tries again.
        await store.sla.releaseTimers(batch.map((e) => e.id)).catch(() => {});
        throw err;
      }
      total += batch.length;
      this.scheduled += batch.length;
      if (batch.length < size) return total;
    }
  }

  /** Asks for a pump round soon; calls while one runs are merged into one more round. */
  kick(): void {
    this.runner.kick();
  }

  start(): void {
    this.runner.resume();
    this.timer ??= setInterval(() => this.kick(), this.opts.intervalMs ?? 2_000);
    this.kick();
  }

  /** Stops polling and waits (at most `timeoutMs`) for the round in flight. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.runner.pause(timeoutMs);
  }

  /**
   * Whether the queue still holds the timers set earlier: its sentinel job (a year ahead) is
   * there. If not, the queue lost its state, so every timer is forgotten and set again.
   */
  async verifyQueue(): Promise<boolean> {
    const { queue, store, log } = this.opts;
    if (await queue.getJob(SENTINEL_JOB_ID)) return true;
    const released = await store.sla.releaseTimers();
    await queue.add('sentinel', { kind: 'sentinel' }, { jobId: SENTINEL_JOB_ID, delay: SENTINEL_DELAY_MS, removeOnComplete: true });
    if (released > 0) {
      log.warn({ released }, 'the job queue lost its SLA timers (restarted empty?): setting them again');
      this.kick();
    }
    return false;
  }
}

/**
 * The ids of the SLA events this process fired lately (at most `max`, the oldest forgotten
 * first): their timers, due in the same flood, end without a query. Only ids of committed
 * firings go in, so skipping one never loses a firing; one forgotten costs a query, no more.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 20_000) {}

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
