/**
 * Bot API failures as outbox outcomes. Telegram answers 429 with `parameters.retry_after`
 * (seconds) and never retries by itself, so the outbox waits that long; 5xx and network
 * failures are retried with backoff; other 4xx (chat not found, bot blocked or kicked, bad
 * request, bad token) cannot be fixed by retrying.
 */
import { TelegramError } from 'telegraf';
import { DeliveryError } from '../../core/kernel/outbox.ts';

/** Maps whatever a Bot API call threw to a `DeliveryError` for the outbox dispatcher. */
export function toDeliveryError(err: unknown, method: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof TelegramError) {
    const what = `telegram ${method}: ${err.code} ${err.description}`;
    if (err.code === 429) return new DeliveryError(what, { retryAfterMs: Math.max(1, err.parameters?.retry_after ?? 1) * 1000 });
    if (err.code >= 500) return new DeliveryError(what);
    const moved = err.parameters?.migrate_to_chat_id;
    // A group upgraded to a supergroup has a new id: the binding must be redone there.
    return new DeliveryError(moved ? `${what} (the group is now chat ${moved}; bind it again)` : what, { permanent: true });
  }
  // Network failures and our own request timeout: the message may or may not have arrived.
  return new DeliveryError(`telegram ${method}: ${err instanceof Error ? err.message : String(err)}`);
}

/** The user cannot be written to privately: never started the bot, blocked it, or no such chat. */
export function isUnreachableChat(err: unknown): boolean {
  return err instanceof TelegramError && (err.code === 403 || (err.code === 400 && /chat not found/i.test(err.description)));
}

/** An edit that would change nothing: Telegram refuses it, but the message already shows it. */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /message is not modified/i.test(err.description);
}
