import type { Address, OutMessage } from './message.ts';

/**
 * One message to deliver, written in the same transaction as the change that caused it.
 * With `ref`, the message is an upsert: the first delivery posts it, later entries with the
 * same ref in the same conversation edit it (ticket cards, alert messages).
 */
export interface OutboxEntry {
  readonly address: Address;
  readonly message: OutMessage;
  readonly ref?: string;
  /** Platform user id: shown only to that user (Slack ephemeral; a DM where not supported). */
  readonly ephemeralTo?: string;
}

export interface OutboxRecord extends OutboxEntry {
  readonly id: string;
  readonly attempts: number;
  /** Earlier attempts that failed other than by a rate limit: the backoff grows with these. */
  readonly failures: number;
  readonly createdAt: Date;
  /**
   * An earlier attempt's outcome is unknown: its lease ran out with no mark (the process died or
   * stalled mid-send), so the platform may already show the message.
   */
  readonly unknownFate: boolean;
}

/** What an adapter is asked to do with one outbox entry. */
export interface Delivery {
  /** The outbox row's id: stable across retries, usable as an idempotency key (Discord's nonce). */
  readonly id: string;
  readonly address: Address;
  readonly message: OutMessage;
  /** Platform id of the message to edit instead of posting a new one. */
  readonly editMessageId?: string;
  /** Platform id of the message to reply to in thread. */
  readonly threadMessageId?: string;
  readonly ephemeralTo?: string;
  /**
   * Set when an earlier attempt may have reached the platform (see `OutboxRecord.unknownFate`):
   * a sender that can ask the platform (Slack: the message metadata) adopts what it finds instead
   * of posting again. `since` is when the row was written: nothing older can be it.
   */
  readonly unknownFate?: { readonly since: Date };
}

/** What a sender did with one delivery. */
export interface SendResult {
  readonly messageId: string | null;
  /**
   * The platform guarantees this delivery is shown once even if an earlier attempt arrived
   * (Discord's enforced nonce, a Slack message found by its metadata, the web chat's row id).
   * Absent on a delivery of unknown fate, the message may now show twice: the outbox counts it.
   */
  readonly deduplicated?: boolean;
}

/** The adapter side of the outbox: sends one delivery, returns the platform message id. */
export interface ChatSender {
  send(d: Delivery): Promise<SendResult>;
}

/**
 * Thrown by a sender when the platform refused or failed. `retryAfterMs` carries a 429's
 * Retry-After; `permanent` marks errors that retrying cannot fix (unknown channel, bad token).
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly options: {
      readonly retryAfterMs?: number;
      readonly permanent?: boolean;
      /** No answer came (timeout, connection cut): the platform may show the message already. */
      readonly fateUnknown?: boolean;
    } = {},
  ) {
    super(message);
  }
}
