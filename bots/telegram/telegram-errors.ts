/**
 * Bot API failures as outbox outcomes. Telegram answers 429 with `parameters.retry_after`
 * (seconds) and never retries by itself, so the outbox waits that long; 5xx and network
 * failures are retried with backoff; other 4xx (chat not found, bot blocked or kicked, bad
 * request, bad token) cannot be fixed by retrying.
 */
import { TelegramError } from 'telegraf';
import type { DeliveryError } from '../../core/kernel/outbox.ts';
import { mapDeliveryError } from '../kit/delivery-error.ts';

/** Maps whatever a Bot API call threw to a `DeliveryError` for the outbox dispatcher. */
export function toDeliveryError(err: unknown, method: string): DeliveryError {
  // Not a TelegramError: a network failure or our own request timeout, retried by the kit's rule.
  return mapDeliveryError(err, `telegram ${method}`, (e) => {
    if (!(e instanceof TelegramError)) return undefined;
    const moved = e.parameters?.migrate_to_chat_id;
    // A group upgraded to a supergroup has a new id: the binding must be redone there.
    const what = `telegram ${method}: ${e.code} ${e.description}${moved ? ` (the group is now chat ${moved}; bind it again)` : ''}`;
    const wait = e.parameters?.retry_after;
    return { what, status: e.code, retryAfterMs: wait === undefined ? undefined : Math.max(1, wait) * 1000 };
  });
}

/** The user cannot be written to privately: never started the bot, blocked it, or no such chat. */
export function isUnreachableChat(err: unknown): boolean {
  return err instanceof TelegramError && (err.code === 403 || (err.code === 400 && /chat not found/i.test(err.description)));
}

/** An edit that would change nothing: Telegram refuses it, but the message already shows it. */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /message is not modified/i.test(err.description);
}
