import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { DeliveryError } from '../../core/kernel/outbox.ts';
import { mapDeliveryError, type PlatformFailure } from '../kit/delivery-error.ts';

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
  // Anything else is a network error or a timeout (the request may or may not have reached Discord).
  return mapDeliveryError(err, 'discord request failed', (e): PlatformFailure | undefined => {
    if (e instanceof RateLimitError) {
      const wait = Math.max(e.retryAfter, e.timeToReset, 0);
      return { what: `discord rate limit on ${e.method.toUpperCase()} ${e.route} (${wait} ms)`, retryAfterMs: wait };
    }
    if (e instanceof DiscordAPIError) {
      const raw = e.rawError as { retry_after?: unknown };
      const seconds = typeof raw.retry_after === 'number' ? raw.retry_after : 1;
      return {
        what: `discord ${e.status} ${e.code}: ${e.message} (${e.method.toUpperCase()} ${e.url})`,
        status: e.status,
        retryAfterMs: e.status === 429 ? Math.ceil(seconds * 1000) : undefined,
      };
    }
    // discord.js throws HTTPError for 5xx answers only.
    if (e instanceof HTTPError) return { what: `discord ${e.status} ${e.message} (${e.method.toUpperCase()} ${e.url})`, status: e.status };
    return undefined;
  });
}
