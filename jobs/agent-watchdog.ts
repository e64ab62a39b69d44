/**
 * The agent watchdog: a sweep (`core/alerts/watchdog.ts`) that raises "agent offline" alerts
 * for missing heartbeats, wakes snoozed alerts and purges old replay guards and results. It
 * runs as a job of the queue (`watchdog`, one per 15-second tick, see schedules.ts), so a fleet
 * of `sportello worker` processes sweeps once per tick between them. The database is the
 * source of truth (last heartbeat, snooze end), so a sweep lost to a restart is simply done by
 * the next one; two sweeps at once are harmless (row locks, one open alert per fingerprint).
 */

import { type SweepResult, sweepMonitoring } from '../core/alerts/watchdog.ts';
import type { Locale } from '../core/kernel/i18n.ts';
import type { Clock, Store } from '../core/kernel/ports.ts';

export interface AgentWatchdogOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  readonly log: { error(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** Called when a sweep wrote outbox rows (deliver them now). */
  readonly onOutbox?: () => void;
}

export class AgentWatchdog {
  private running: Promise<SweepResult | undefined> | undefined;

  constructor(private readonly opts: AgentWatchdogOptions) {}

  /** One sweep now (waits for a sweep in flight in this process instead of running two at once). */
  async sweepNow(opts: { readonly purge?: boolean } = {}): Promise<SweepResult | undefined> {
    if (this.running) await this.running;
    this.running = this.sweep(opts.purge ?? false).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Waits for the sweep in flight. */
  async stop(): Promise<void> {
    await this.running;
  }

  private async sweep(purge: boolean): Promise<SweepResult | undefined> {
    const { store, clock, defaultLocale } = this.opts;
    try {
      const r = await sweepMonitoring({ store, clock, defaultLocale }, { purge });
      if (r.offline > 0 || r.woken > 0) {
        this.opts.log.info({ ...r }, 'agent watchdog');
        this.opts.onOutbox?.();
      }
      return r;
    } catch (err) {
      this.opts.log.error({ err }, 'agent watchdog sweep failed');
      return undefined;
    }
  }
}
