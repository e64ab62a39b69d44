import { CoalescingRunner } from '../../core/kernel/coalescing-runner.ts';
import type { InboxEntry, InboxRepository, InboxSender, NewInboxEntry } from '../../core/kernel/inbox.ts';
import type { Platform } from '../../core/kernel/person.ts';
import { Batcher } from './batcher.ts';

export interface EventInboxLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EventInboxOptions {
  readonly platform: Platform;
  readonly repo: InboxRepository;
  /** Runs one stored event through the adapter and the engine; rejects when it must be replayed. */
  readonly handle: (payload: unknown) => Promise<void>;
  /**
   * An event's sender (given to `receive`) as the statement storing the event found them: their
   * DM channel is stored, `known` whether they have an identity. Called before the event is handled.
   */
  readonly senderStored?: (sender: InboxSender, known: boolean) => void;
  readonly log: EventInboxLog;
  /** How long the receiving process (or a sweep) holds an event before another may replay it (default 30 s). */
  readonly leaseMs?: number;
  /** How often the replay sweep looks for events whose lease ran out (default 10 s). */
  readonly sweepEveryMs?: number;
  /** Events older than this are dropped by the sweep, logged (default a day: the platform would have given up too). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/** Events leased at once by the replay sweep (it handles them one after the other). */
const SWEEP_BATCH = 10;
/** Handled events' rows are removed together, this long after the first of them was handled. */
const REMOVE_EVERY_MS = 200;

/**
 * The receiving side of a durable inbox (core/kernel/inbox.ts): `receive` stores a verified
 * event, acknowledges it to the platform, then hands it to `handle` in the background; the row
 * is removed once `handle` settled well (removals of many events go in one statement), and left
 * for the replay sweep otherwise. One person's events reach `handle`
 * in the order they arrived.
 */
export class EventInbox {
  private readonly leaseMs: number;
  /** Events this process is handling now: the sweep never replays them here. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Handled events whose row is still to be removed. */
  private readonly handled = new Set<string>();
  private readonly remover: CoalescingRunner;
  /** Events arriving together are stored in one statement (each answered as soon as its batch is in). */
  private readonly adder: Batcher<NewInboxEntry, boolean>;
  private removal: ReturnType<typeof setTimeout> | undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: EventInboxOptions) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.remover = new CoalescingRunner(
      () => this.removeHandled(),
      (err) => opts.log.warn({ err: String(err) }, 'inbox rows not removed (the sweep will find them handled)'),
    );
    this.adder = new Batcher(async (entries) => {
      const added = await opts.repo.addWithSenders(entries);
      const stored = new Set(added.stored);
      const known = new Set(added.known);
      for (const e of entries) if (e.sender) opts.senderStored?.(e.sender, known.has(e.sender.externalId));
      // An id given twice in one batch: only its first request stored it.
      return entries.map((e) => stored.delete(e.deliveryId));
    });
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Stores the event, then `ack`s it (the platform's answer) and handles it in the background.
   * Rejects, before acknowledging, when it could not be stored: the platform must deliver it
   * again. A delivery stored already (a redelivery) is acknowledged and left to its holder.
   * Events are stored in the order they arrived (one batch after the other, each in order), so
   * they start being handled in that order: one person's messages keep theirs. `sender`: who
   * sent it, looked up with the storing (see `senderStored`).
   */
  async receive(deliveryId: string, payload: unknown, ack: () => Promise<void>, sender?: InboxSender): Promise<void> {
    const at = this.now();
    const fresh = await this.adder.run({
      platform: this.opts.platform,
      deliveryId,
      payload,
      receivedAt: new Date(at),
      leasedUntil: new Date(at + this.leaseMs),
      ...(sender ? { sender } : {}),
    });
    if (fresh && !this.inFlight.has(deliveryId)) void this.run(deliveryId, payload);
    try {
      await ack();
    } catch (err) {
      // Stored: handled all the same; the platform's redelivery will find it stored.
      this.opts.log.warn({ deliveryId, err: String(err) }, 'inbox event stored but not acknowledged');
    }
  }

  /** Handles the event (already stored) in the background; its row goes once that settled well. */
  private run(deliveryId: string, payload: unknown): Promise<void> {
    const done = this.opts
      .handle(payload)
      .then(
        () => {
          this.handled.add(deliveryId);
          this.scheduleRemoval();
        },
        (err: unknown) => this.opts.log.warn({ deliveryId, err: String(err) }, 'inbox event not handled, left for the replay sweep'),
      )
      .finally(() => this.inFlight.delete(deliveryId));
    this.inFlight.set(deliveryId, done);
    return done;
  }

  /**
   * A row left a little longer costs nothing (the sweep skips what this process handled), and
   * under load one statement then removes the rows of many events.
   */
  private scheduleRemoval(): void {
    if (this.removal || this.stopped) return;
    this.removal = setTimeout(() => {
      this.removal = undefined;
      this.remover.kick();
    }, REMOVE_EVERY_MS);
    this.removal.unref?.();
  }

  private async removeHandled(): Promise<void> {
    if (this.handled.size === 0) return;
    const ids = [...this.handled];
    this.handled.clear();
    try {
      await this.opts.repo.remove(this.opts.platform, ids);
    } catch (err) {
      for (const id of ids) this.handled.add(id);
      throw err;
    }
  }

  /** Starts the periodic replay sweep. */
  start(): void {
    this.stopped = false;
    this.sweeper ??= setInterval(() => void this.sweep(), this.opts.sweepEveryMs ?? 10_000);
    this.sweeper.unref?.();
  }

  /**
   * One round of the replay sweep: takes the events whose lease ran out (left by a process that
   * died, or by a failed engine run) and handles them again, oldest first, one at a time.
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepRound()
      .catch((err: unknown) => this.opts.log.warn({ err: String(err) }, 'inbox sweep failed'))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /**
   * Leases a few at a time, until none is due: a lease taken long before its event's turn (after
   * an outage, hundreds waiting) would run out meanwhile, and another process would replay the
   * event beside this one. Each leased row's lease is renewed by the lease, so a round ends.
   */
  private async sweepRound(): Promise<void> {
    const maxAgeMs = this.opts.maxAgeMs ?? 24 * 60 * 60_000;
    while (!this.stopped) {
      const now = this.now();
      const due = await this.opts.repo.lease(this.opts.platform, new Date(now), SWEEP_BATCH, new Date(now + this.leaseMs));
      if (due.length === 0) break;
      for (const entry of due) {
        if (this.stopped) return;
        // Handled here and waiting for its removal, or being handled here now: not again.
        if (this.handled.has(entry.deliveryId) || this.inFlight.has(entry.deliveryId)) continue;
        if (now - entry.receivedAt.getTime() > maxAgeMs) {
          this.opts.log.error(this.describe(entry), 'inbox event given up: not handled in time');
          this.handled.add(entry.deliveryId);
          continue;
        }
        await this.run(entry.deliveryId, entry.payload);
      }
      this.remover.kick();
    }
  }

  private describe(e: InboxEntry): object {
    return { platform: e.platform, deliveryId: e.deliveryId, receivedAt: e.receivedAt, attempts: e.attempts };
  }

  /** Stops the sweep and waits for the events in hand, then removes the rows of those handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.removal) clearTimeout(this.removal);
    this.removal = undefined;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping;
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
    await this.remover.settled();
    this.remover.kick();
    await this.remover.settled();
  }
}
