import { CoalescingRunner } from './coalescing-runner.ts';
import { type ChatSender, DeliveryError, type OutboxRecord } from './outbox.ts';
import type { Platform } from './person.ts';
import type { Clock, DeliveredMark, Store } from './ports.ts';

export interface DispatcherLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What became of one leased row: `resent_blind` is a delivery of a row whose earlier attempt may
 * have arrived, sent again where the platform cannot tell (it may show twice; also 'delivered').
 */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'resent_blind';

export interface OutboxDispatcherOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly senders: Partial<Record<Platform, ChatSender>>;
  readonly log?: DispatcherLog;
  /** Rows leased per round (default 50). */
  readonly batchSize?: number;
  /**
   * How long a leased row is ours before another worker may take it over (default 15 s). The
   * lease is renewed every third of it while the row is being sent, so a slow send keeps it and a
   * process that died gives its rows up within this time: a conversation stalls seconds, not minutes.
   */
  readonly leaseMs?: number;
  /**
   * The longest a send is kept leased by renewals (default 2 minutes): past it the lease runs out
   * and another worker may take the row, so a send hanging in a live process cannot hold a
   * conversation for ever (the platform calls have their own, shorter timeouts).
   */
  readonly maxSendMs?: number;
  /**
   * Retry delay after the `failures`-th failure when the platform gave no Retry-After. Rate
   * limits are not failures: they wait what the platform asked and do not grow this delay.
   */
  readonly backoffMs?: (failures: number) => number;
  /**
   * The least wait before retrying a send that got no answer (default 5 s): the platform may
   * still be finishing it, and the retry's look-up (Slack's history) must find it to adopt it.
   */
  readonly unknownFateRetryMs?: number;
  /** Called per outcome, for metrics. */
  readonly onResult?: (platform: Platform, outcome: DeliveryOutcome) => void;
}

export const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_UNKNOWN_FATE_RETRY_MS = 5_000;
const DEFAULT_MAX_SEND_MS = 2 * 60_000;

/** 1 s, 2 s, 4 s … capped at 5 minutes: a platform outage delays messages, never drops them. */
export const defaultBackoff = (failures: number): number => Math.min(1000 * 2 ** Math.max(0, failures - 1), 5 * 60_000);

/**
 * Delivers outbox rows through the platform adapters. Each row is leased (so concurrent
 * workers never send the same row at the same time), sent, and marked delivered; a failure is
 * retried later, honouring the platform's Retry-After; rows of one conversation go out in order.
 * While a row is being sent its lease is renewed (a heartbeat), so a short lease is enough for
 * the slowest send and the rows of a process that died are taken over within seconds.
 *
 * A crash between sending and marking, or a send that got no answer (timeout, connection cut),
 * leaves the row's fate unknown: the next lease says so (`unknownFate`), and the sender checks
 * the platform where it can (Discord's enforced nonce, Slack's message metadata, the web chat's
 * row id) so the message still shows once. Where the platform offers no check (Telegram) the
 * message is sent again and may show twice: only those rows, counted as `resent_blind` (and
 * `inFlightResends`).
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: CoalescingRunner;
  /** Rows this process holds and is sending: their lease (attempt) and when the send began (wall clock). */
  private readonly held = new Map<string, { readonly attempt: number; readonly since: number }>();
  /** Rows whose send has not settled here, lease lost or not: never leased again by this process meanwhile. */
  private readonly unsettled = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  /** The sends `pump` started and has not seen finish. */
  private readonly sending = new Set<Promise<void>>();
  private stopped = false;
  /** Delivered marks made while a mark statement runs: written together by the next one. */
  private readonly marks: { readonly mark: DeliveredMark; done(ok: boolean): void; fail(err: unknown): void }[] = [];
  private marking: Promise<void> | undefined;

  constructor(private readonly opts: OutboxDispatcherOptions) {
    this.runner = new CoalescingRunner(
      () => this.pump(),
      (err) => opts.log?.error({ err: String(err) }, 'outbox delivery round failed'),
    );
  }

  /** Delivers everything due now, round after round, until nothing is left (the kicked sends too). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      await Promise.allSettled([...this.sending]);
      const n = await this.runOnce();
      total += n;
      if (n === 0 && this.sending.size === 0) return total;
    }
  }

  /** One round: leases a batch and delivers it; returns how many rows it handled. */
  async runOnce(): Promise<number> {
    const batch = await this.leaseDue(this.opts.batchSize ?? 50);
    // Rows of different conversations go in parallel; the lease returns at most one per conversation.
    await Promise.all(batch.map((r) => this.deliver(r).finally(() => this.release(r.id))));
    return batch.length;
  }

  /**
   * What a kick runs: leases what is due and starts sending it without waiting for the sends, so
   * a row written meanwhile is leased at once, not after the slowest send of the batch before.
   * Each finished send kicks again: the next row of its conversation (not leased while this one
   * was pending) is due now. At most `batchSize` rows are in flight.
   */
  private async pump(): Promise<void> {
    const limit = this.opts.batchSize ?? 50;
    for (;;) {
      const room = limit - this.sending.size;
      if (room <= 0) return; // a finishing send kicks again
      const batch = await this.leaseDue(room);
      for (const r of batch) {
        const sent: Promise<void> = this.deliver(r)
          .catch((err: unknown) => this.opts.log?.error({ outboxId: r.id, err: String(err) }, 'outbox delivery not recorded'))
          .finally(() => {
            this.release(r.id);
            this.sending.delete(sent);
            if (!this.stopped) this.kick();
          });
        this.sending.add(sent);
      }
      if (batch.length < room) return;
    }
  }

  /** Leases up to `limit` due rows and holds them (their leases renewed while sending). */
  private async leaseDue(limit: number): Promise<OutboxRecord[]> {
    const { store, clock } = this.opts;
    // Only the platforms this process can send: another process's rows are not ours to delay.
    const platforms = Object.keys(this.opts.senders) as Platform[];
    // Never a row this process is still sending: a lease that ran out under a clock moved forward
    // (or a stalled beat) must not make the next round send it a second time from here.
    const batch = await store.outbox.lease(clock.now(), limit, this.leaseMs, platforms, [...this.unsettled]);
    for (const r of batch) this.hold(r);
    return batch;
  }

  /**
   * Marks a row delivered (fenced by its attempt, as `markDelivered`). Rows sent at the same time
   * share one statement: a mark waits only for the statement already running, if any.
   */
  private markDelivered(mark: DeliveredMark): Promise<boolean> {
    return new Promise((done, fail) => {
      this.marks.push({ mark, done, fail });
      this.marking ??= this.writeMarks();
    });
  }

  private async writeMarks(): Promise<void> {
    while (this.marks.length > 0) {
      const batch = this.marks.splice(0);
      try {
        const marked = new Set(
          await this.opts.store.outbox.markDeliveredAll(
            batch.map((b) => b.mark),
            this.opts.clock.now(),
          ),
        );
        for (const b of batch) b.done(marked.has(b.mark.id));
      } catch (err) {
        for (const b of batch) b.fail(err);
      }
    }
    this.marking = undefined;
  }

  /** How many rows this process is sending now (their leases renewed). */
  get inFlight(): number {
    return this.held.size;
  }

  private get leaseMs(): number {
    return this.opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private hold(r: OutboxRecord): void {
    this.unsettled.add(r.id);
    this.held.set(r.id, { attempt: r.attempts, since: performance.now() });
    if (this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    this.heartbeat.unref?.();
  }

  private release(id: string): void {
    this.unsettled.delete(id);
    this.held.delete(id);
    if (this.held.size > 0 || !this.heartbeat) return;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** The heartbeat: extends the leases of the rows being sent, except sends past `maxSendMs`. */
  private async renew(): Promise<void> {
    const maxSendMs = this.opts.maxSendMs ?? DEFAULT_MAX_SEND_MS;
    const now = performance.now();
    const leases = [...this.held].filter(([, h]) => now - h.since < maxSendMs).map(([id, h]) => ({ id, attempt: h.attempt }));
    if (leases.length === 0) return;
    try {
      const kept = new Set(await this.opts.store.outbox.renew(leases, new Date(this.opts.clock.now().getTime() + this.leaseMs)));
      for (const l of leases)
        if (!kept.has(l.id) && this.held.delete(l.id))
          this.opts.log?.warn(
            { outboxId: l.id, attempt: l.attempt },
            'outbox lease lost while sending: another worker may take the message over',
          );
    } catch (err) {
      // The database is unreachable: the next beat tries again; the marks are fenced regardless.
      this.opts.log?.warn({ err: String(err), rows: leases.length }, 'outbox lease renewal failed');
    }
  }

  /** Asks for a drain soon; calls while one runs are merged into one more round. */
  kick(): void {
    // After stop(): a late wake-up must not start sends that outlive it (and the database).
    if (this.stopped) return;
    this.runner.kick();
  }

  /** Polls every `intervalMs` for rows that became due (retries, other processes' rows). */
  start(intervalMs = 1000): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), intervalMs);
    this.timer.unref?.();
    this.kick();
  }

  /** Stops polling and waits for the round and the sends in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.runner.settled();
    await Promise.allSettled([...this.sending]);
    await this.renewing;
  }

  private async deliver(r: OutboxRecord): Promise<void> {
    const { store, clock } = this.opts;
    const platform = r.address.platform;
    const sender = this.opts.senders[platform];
    if (!sender) return; // leased only for our platforms; the adapter was removed meanwhile
    const conv = r.address.conversationId;
    let sent: { readonly messageId: string | null; readonly deduplicated?: boolean; readonly editMessageId: string | undefined };
    try {
      const [editMessageId, threadMessageId] = await Promise.all([
        r.ref ? store.outbox.findMessage(platform, conv, r.ref) : undefined,
        r.address.threadRef ? store.outbox.findMessage(platform, conv, r.address.threadRef) : undefined,
      ]);
      const result = await sender.send({
        id: r.id,
        address: r.address,
        message: r.message,
        ...(editMessageId ? { editMessageId } : {}),
        ...(threadMessageId ? { threadMessageId } : {}),
        ...(r.ephemeralTo ? { ephemeralTo: r.ephemeralTo } : {}),
        ...(r.unknownFate ? { unknownFate: { since: r.createdAt } } : {}),
      });
      sent = { ...result, editMessageId };
    } catch (err) {
      const de = err instanceof DeliveryError ? err : undefined;
      const permanent = de?.options.permanent === true;
      const rateLimited = de?.options.retryAfterMs !== undefined;
      const backoff = (this.opts.backoffMs ?? defaultBackoff)(r.failures + 1);
      const delay =
        de?.options.retryAfterMs ??
        (de?.options.fateUnknown ? Math.max(backoff, this.opts.unknownFateRetryMs ?? DEFAULT_UNKNOWN_FATE_RETRY_MS) : backoff);
      const error = String(err instanceof Error ? err.message : err);
      await store.outbox.markFailed(r.id, r.attempts, error, permanent ? null : new Date(clock.now().getTime() + delay), {
        rateLimited,
        fateUnknown: de?.options.fateUnknown === true,
      });
      this.opts.log?.warn({ outboxId: r.id, platform, attempts: r.attempts, permanent, err: error }, 'outbox delivery failed');
      this.opts.onResult?.(platform, permanent ? 'failed' : 'retry');
      return;
    }
    const { messageId, deduplicated, editMessageId } = sent;
    // An edit shows the same message whatever an earlier attempt did; a new post may not.
    const blind = r.unknownFate && !editMessageId && deduplicated !== true;
    try {
      // The reference and the delivered mark commit together: a crash between them would make
      // the next edit post a second card. Without a reference the mark is one statement.
      const remember = r.ref && messageId && !editMessageId ? r.ref : undefined;
      const marked = remember
        ? await store.transaction(async (repos) => {
            const ok = await repos.outbox.markDelivered(r.id, r.attempts, clock.now(), messageId, blind);
            if (ok && messageId) await repos.outbox.rememberMessage(platform, conv, remember, messageId);
            return ok;
          })
        : await this.markDelivered({ id: r.id, attempt: r.attempts, platformMessageId: messageId, blindResend: blind });
      if (!marked)
        this.opts.log?.warn({ outboxId: r.id, platform }, 'outbox lease expired during delivery: another worker took the message over');
    } catch (err) {
      // The message reached the platform: never a retry (that would clear the lease and send it
      // again as if nothing had arrived). The lease runs out instead, so the next attempt is told
      // its fate is unknown and checks the platform first, where the platform allows it.
      this.opts.log?.error({ outboxId: r.id, platform, err: String(err) }, 'outbox message sent but not marked delivered');
      return;
    }
    if (blind) {
      this.opts.log?.warn(
        { outboxId: r.id, platform },
        'outbox message of unknown fate sent again: the platform cannot tell, it may show twice',
      );
      this.opts.onResult?.(platform, 'resent_blind');
    }
    this.opts.onResult?.(platform, 'delivered');
  }
}
