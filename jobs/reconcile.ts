/**
 * The reconciliation sweep: the database is the truth for every deadline, so every minute
 * (node-cron, in every worker process) the sweep fires whatever unfired SLA event is due —
 * whether its timer was lost (Redis restarted empty, FLUSHALL), its worker crashed, or its job
 * failed for good. `fireSlaEvent` marks an event fired only once, so sweeps on several workers
 * and timers racing with them still fire each event exactly once. It runs outside BullMQ on
 * purpose: the repair must not depend on the queue it repairs.
 */
import { type FiredSlaEvent, type FireSlaOptions, fireSlaEvent } from '../core/escalation/fire-sla-event.ts';
import type { JobsLog } from './job-data.ts';
import type { SlaTimers } from './sla-timers.ts';

export interface ReconcileOptions extends FireSlaOptions {
  readonly log: JobsLog;
  /** When given, also checks the queue kept its timers (see `SlaTimers.verifyQueue`). */
  readonly timers?: SlaTimers;
  /** Events read per round (default 200). */
  readonly batchSize?: number;
  /** Events fired at once (default 4). */
  readonly concurrency?: number;
  readonly onFired?: (fired: FiredSlaEvent, via: 'sweep') => void;
}

export interface ReconcileResult {
  /** Events this sweep fired (others may have been fired by timers meanwhile). */
  readonly fired: number;
  /** True when the queue had lost its timers and they are being set again. */
  readonly queueLost: boolean;
}

/** One sweep; callable directly (tests, `sportello worker --reconcile`) and from the cron. */
export async function reconcileSla(opts: ReconcileOptions): Promise<ReconcileResult> {
  let queueLost = false;
  if (opts.timers) {
    queueLost = !(await opts.timers.verifyQueue().catch((err: unknown) => {
      opts.log.warn({ err: String(err) }, 'cannot check the job queue; sweeping anyway');
      return true;
    }));
  }
  const seen = new Set<string>();
  let fired = 0;
  for (;;) {
    const due = (await opts.store.sla.listDue(opts.clock.now(), opts.batchSize ?? 200)).filter((e) => !seen.has(e.id));
    if (due.length === 0) break;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency ?? 4, due.length) }, async () => {
        for (let i = next++; i < due.length; i = next++) {
          const e = due[i];
          if (!e) continue;
          seen.add(e.id);
          try {
            const r = await fireSlaEvent(opts, e.id, { skipBusy: true });
            if (r) {
              fired += 1;
              opts.onFired?.(r, 'sweep');
            }
          } catch (err) {
            opts.log.error({ err: String(err), eventId: e.id }, 'firing an SLA event failed; the next sweep retries');
          }
        }
      }),
    );
  }
  if (fired > 0) opts.log.warn({ fired }, 'reconciliation fired SLA events whose timers had not');
  return { fired, queueLost };
}
