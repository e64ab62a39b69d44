/**
 * The agent watchdog: a periodic sweep (`core/alerts/watchdog.ts`) that raises "agent offline"
 * alerts for missing heartbeats, wakes snoozed alerts and purges old replay guards and results.
 * The database is the source of truth (last heartbeat, snooze end), so a sweep lost to a restart
 * is simply done by the next one; several processes may sweep at once (row locks, one open
 * alert per fingerprint).
 */
import type { Locale } from '../core/kernel/i18n.ts';
import type { Clock, Store } from '../core/kernel/ports.ts';
import { sweepMonitoring, type SweepResult } from '../core/alerts/watchdog.ts';

export interface AgentWatchdogOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  readonly log: { error(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** Called when a sweep wrote outbox rows (deliver them now). */
  readonly onOutbox?: () => void;
  /** Purge old rows every this many sweeps (default 60: every 15 minutes at the default interval). */
  readonly purgeEvery?: number;
}

export class AgentWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult | undefined> | undefined;
  private sweeps = 0;

  constructor(private readonly opts: AgentWatchdogOptions) {}

  /** One sweep now (waits for a sweep in flight instead of running two at once). */
  async sweepNow(): Promise<SweepResult | undefined> {
    if (this.running) await this.running;
    this.running = this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sweeps every `intervalMs` (default 15 s: an offline agent is noticed within its grace + 15 s). */
  start(intervalMs = 15_000): void {
    this.timer ??= setInterval(() => void this.sweepNow(), intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sweep(): Promise<SweepResult | undefined> {
    const { store, clock, defaultLocale } = this.opts;
    try {
      const purge = this.sweeps++ % (this.opts.purgeEvery ?? 60) === 0;
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
