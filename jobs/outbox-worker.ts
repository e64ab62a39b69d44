/**
 * Outbox delivery in a worker's lifecycle. The outbox is already a durable queue in PostgreSQL
 * (rows written with the change that caused them, leased with SKIP LOCKED, per-conversation
 * order, Retry-After honoured), so it is not copied into BullMQ: a second copy of each message
 * would be a second source of truth that FLUSHALL could lose or replay, and BullMQ cannot keep
 * one conversation's messages in order across workers. The existing `OutboxDispatcher` keeps its
 * lease-based polling (1 s) plus `kick()` for immediate delivery after a commit in this process;
 * this module owns its start and graceful stop. Every job process runs it (`npm start` and each
 * `sportello worker`): the lease, fenced by the attempt count, hands a row to one of them, and
 * only the oldest pending row of a conversation is ever leased, so the fleet keeps each
 * conversation in order and two workers never send the same row. The lease is short (15 s) and
 * renewed while a row is being sent, so a killed process holds its rows' chats for seconds (see
 * the dispatcher for the crash window, and what each platform does about it).
 */

import type { ChatSender } from '../core/kernel/outbox.ts';
import { type DeliveryOutcome, type DispatcherLog, OutboxDispatcher } from '../core/kernel/outbox-dispatcher.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { Clock, Store } from '../core/kernel/ports.ts';

export interface OutboxWorkerOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The senders of this process; rows of platforms without one here wait for a process that has one. */
  readonly senders: Partial<Record<Platform, ChatSender>>;
  readonly log: DispatcherLog;
  /** Poll interval for rows that became due (retries, other processes' rows); default 1 s. */
  readonly pollMs?: number;
  readonly backoffMs?: (failures: number) => number;
  readonly onResult?: (platform: Platform, outcome: DeliveryOutcome) => void;
}

export interface OutboxWorker {
  readonly dispatcher: OutboxDispatcher;
  /** Delivers what is due now, without waiting for the next poll. */
  kick(): void;
  /** Stops polling and waits for the delivery round in flight (a leased row left behind is taken over after its lease). */
  stop(): Promise<void>;
}

export function startOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const dispatcher = new OutboxDispatcher({
    store: opts.store,
    clock: opts.clock,
    senders: opts.senders,
    log: opts.log,
    ...(opts.backoffMs ? { backoffMs: opts.backoffMs } : {}),
    ...(opts.onResult ? { onResult: opts.onResult } : {}),
  });
  dispatcher.start(opts.pollMs ?? 1_000);
  return { dispatcher, kick: () => dispatcher.kick(), stop: () => dispatcher.stop() };
}
