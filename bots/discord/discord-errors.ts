import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../core/kernel/outbox.ts';

/** Discord JSON error codes we branch on (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  CannotSendToUser: 50007,
  InvalidWebhookToken: 50027,
  InteractionAlreadyAcknowledged: 40060,
  ThreadAlreadyExists: 160004,
} as const;

/** The JSON error code of a Discord API refusal, if `err` is one. */
export function discordCode(err: unknown): number | undefined {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;
}

/**
 * Maps a discord.js REST failure to what the outbox understands: a rate limit carries its
 * Retry-After; 5xx and network failures are retried with backoff; other 4xx (403 missing
 * access, 404 unknown channel, 50007 cannot DM the user, 400 invalid body) cannot be fixed by
 * retrying and are permanent.
 */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError) {
    const wait = Math.max(err.retryAfter, err.timeToReset, 0);
    return new DeliveryError(`discord rate limit on ${err.method.toUpperCase()} ${err.route} (${wait} ms)`, { retryAfterMs: wait });
  }
  if (err instanceof DiscordAPIError) {
    const what = `discord ${err.status} ${err.code}: ${err.message} (${err.method.toUpperCase()} ${err.url})`;
    if (err.status === 429) {
      const raw = err.rawError as { retry_after?: unknown };
      const seconds = typeof raw.retry_after === 'number' ? raw.retry_after : 1;
      return new DeliveryError(what, { retryAfterMs: Math.ceil(seconds * 1000) });
    }
    if (err.status >= 500) return new DeliveryError(what);
    return new DeliveryError(what, { permanent: true });
  }
  if (err instanceof HTTPError) return new DeliveryError(`discord ${err.status} ${err.message} (${err.method.toUpperCase()} ${err.url})`);
  // Network errors and timeouts (the request may or may not have reached Discord): retry later.
  return new DeliveryError(`discord request failed: ${err instanceof Error ? err.message : String(err)}`);
}
