import { CoalescingRunner } from './coalescing-runner.ts';
import { type ChatSender, DeliveryError, type OutboxRecord } from './outbox.ts';
import type { Platform } from './person.ts';
import type { Clock, Store } from './ports.ts';

export interface DispatcherLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboxDispatcherOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly senders: Partial<Record<Platform, ChatSender>>;
  readonly log?: DispatcherLog;
  /** Rows leased per round (default 50). */
  readonly batchSize?: number;
  /**
   * How long a leased row is ours before another worker may retry it (default 2 minutes).
   * Must outlast the slowest send (several platform calls, each with its own timeout), or a
   * second worker sends the same message again.
   */
  readonly leaseMs?: number;
  /** Retry delay after `attempts` failures when the platform gave no Retry-After. */
  readonly backoffMs?: (attempts: number) => number;
  /** Called per outcome, for metrics. */
  readonly onResult?: (platform: Platform, outcome: 'delivered' | 'retry' | 'failed') => void;
}

const DEFAULT_LEASE_MS = 2 * 60_000;

/** 1 s, 2 s, 4 s … capped at 5 minutes: a platform outage delays messages, never drops them. */
export const defaultBackoff = (attempts: number): number => Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);

/**
 * Delivers outbox rows through the platform adapters. Each row is leased (so concurrent
 * workers never send the same row at the same time), sent, and marked delivered; a failure is
 * retried later, honouring the platform's Retry-After; rows of one conversation go out in order.
 * A crash between sending and marking can repeat that one message after the lease expires:
 * delivery is at-least-once at that single point and exactly-once everywhere else.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: CoalescingRunner;

  constructor(private readonly opts: OutboxDispatcherOptions) {
    this.runner = new CoalescingRunner(
      () => this.drain(),
      (err) => opts.log?.error({ err: String(err) }, 'outbox delivery round failed'),
    );
  }

  /** Delivers everything due now, round after round, until nothing is left. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  /** One round: leases a batch and delivers it; returns how many rows it handled. */
  async runOnce(): Promise<number> {
    const { store, clock } = this.opts;
    // Only the platforms this process can send: another process's rows are not ours to delay.
    const platforms = Object.keys(this.opts.senders) as Platform[];
    const batch = await store.outbox.lease(clock.now(), this.opts.batchSize ?? 50, this.opts.leaseMs ?? DEFAULT_LEASE_MS, platforms);
    // Rows of different conversations go in parallel; the lease returns at most one per conversation.
    await Promise.all(batch.map((r) => this.deliver(r)));
    return batch.length;
  }

  /** Asks for a drain soon; calls while one runs are merged into one more round. */
  kick(): void {
    this.runner.kick();
  }

  /** Polls every `intervalMs` for rows that became due (retries, other processes' rows). */
  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => this.kick(), intervalMs);
    this.timer.unref?.();
    this.kick();
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.runner.settled();
  }

  private async deliver(r: OutboxRecord): Promise<void> {
    const { store, clock } = this.opts;
    const platform = r.address.platform;
    const sender = this.opts.senders[platform];
    if (!sender) return; // leased only for our platforms; the adapter was removed meanwhile
    const conv = r.address.conversationId;
    try {
      const [editMessageId, threadMessageId] = await Promise.all([
        r.ref ? store.outbox.findMessage(platform, conv, r.ref) : undefined,
        r.address.threadRef ? store.outbox.findMessage(platform, conv, r.address.threadRef) : undefined,
      ]);
      const { messageId } = await sender.send({
        id: r.id,
        address: r.address,
        message: r.message,
        ...(editMessageId ? { editMessageId } : {}),
        ...(threadMessageId ? { threadMessageId } : {}),
        ...(r.ephemeralTo ? { ephemeralTo: r.ephemeralTo } : {}),
      });
      // The reference and the delivered mark commit together: a crash between them would make
      // the next edit post a second card.
      const marked = await store.transaction(async (repos) => {
        const ok = await repos.outbox.markDelivered(r.id, r.attempts, clock.now(), messageId);
        if (ok && r.ref && messageId && !editMessageId) await repos.outbox.rememberMessage(platform, conv, r.ref, messageId);
        return ok;
      });
      if (!marked)
        this.opts.log?.warn({ outboxId: r.id, platform }, 'outbox lease expired during delivery: another worker took the message over');
      this.opts.onResult?.(platform, 'delivered');
    } catch (err) {
      const de = err instanceof DeliveryError ? err : undefined;
      const permanent = de?.options.permanent === true;
      const delay = de?.options.retryAfterMs ?? (this.opts.backoffMs ?? defaultBackoff)(r.attempts);
      const error = String(err instanceof Error ? err.message : err);
      await store.outbox.markFailed(r.id, r.attempts, error, permanent ? null : new Date(clock.now().getTime() + delay));
      this.opts.log?.warn({ outboxId: r.id, platform, attempts: r.attempts, permanent, err: error }, 'outbox delivery failed');
      this.opts.onResult?.(platform, permanent ? 'failed' : 'retry');
    }
  }
}
