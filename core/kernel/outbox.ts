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
  readonly createdAt: Date;
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
}

/** The adapter side of the outbox: sends one delivery, returns the platform message id. */
export interface ChatSender {
  send(d: Delivery): Promise<{ readonly messageId: string | null }>;
}

/**
 * Thrown by a sender when the platform refused or failed. `retryAfterMs` carries a 429's
 * Retry-After; `permanent` marks errors that retrying cannot fix (unknown channel, bad token).
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly options: { readonly retryAfterMs?: number; readonly permanent?: boolean } = {},
  ) {
    super(message);
  }
}
