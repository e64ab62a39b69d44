import { webApi } from '@slack/bolt';
import { DeliveryError, type ChatSender, type Delivery } from '../../core/kernel/outbox.ts';
import { renderMessage } from './block-kit.ts';
import { ExpiringCache } from './expiring-cache.ts';

// Platform errors that say "try again later"; every other `ok: false` is a refusal retrying cannot fix.
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** A Web API failure → the outbox's retry decision (Retry-After for 429, permanent for refusals). */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof webApi.WebAPIRateLimitedError) return new DeliveryError(`slack rate limited (retry after ${err.retryAfter} s)`, { retryAfterMs: err.retryAfter * 1000 });
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = String(err.data.error);
    return new DeliveryError(`slack refused: ${code}`, TRANSIENT.has(code) ? {} : { permanent: true });
  }
  if (err instanceof webApi.WebAPIHTTPError) return new DeliveryError(`slack http ${err.statusCode}`, err.statusCode >= 500 || err.statusCode === 408 ? {} : { permanent: true });
  // Network errors and timeouts (WebAPIRequestError) and anything unexpected: try again later.
  return new DeliveryError(`slack request failed: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Delivers outbox entries with the Web API. A DM is addressed to the user id; its channel id
 * comes from `conversations.open` (cached, and learned from incoming DMs). Posts return the
 * message `ts` as the message id: thread replies under a card carry the same ts as
 * `thread_ts`, so the core finds the ticket with it, and edits use it with the address' channel.
 * The client must not retry by itself (`retries: 0`, `rejectRateLimitedCalls`): the outbox does,
 * so a message is never sent by both.
 */
export class SlackSender implements ChatSender {
  private readonly dmChannels = new ExpiringCache<string, string>(24 * 60 * 60_000, 50_000);

  constructor(private readonly client: webApi.WebClient) {}

  /** Records the DM channel of a user seen writing to the bot, sparing a `conversations.open`. */
  rememberDm(userId: string, channelId: string): void {
    this.dmChannels.set(userId, channelId);
  }

  async send(d: Delivery): Promise<{ readonly messageId: string | null }> {
    try {
      return await this.deliver(d);
    } catch (err) {
      throw err instanceof DeliveryError ? err : toDeliveryError(err);
    }
  }

  private async deliver(d: Delivery): Promise<{ readonly messageId: string | null }> {
    const channel = d.address.kind === 'dm' ? await this.dmChannel(d.address.conversationId) : d.address.conversationId;
    const { text, blocks } = renderMessage(d.message);
    const plainText = { text, blocks, link_names: false, parse: 'none' } as const;
    if (d.editMessageId) {
      await this.client.chat.update({ channel, ts: d.editMessageId, ...plainText });
      return { messageId: d.editMessageId };
    }
    const threadTs = d.threadMessageId ?? d.address.threadId;
    const thread = threadTs ? { thread_ts: threadTs } : {};
    if (d.ephemeralTo && d.address.kind === 'channel') {
      await this.client.chat.postEphemeral({ channel, user: d.ephemeralTo, ...plainText, ...thread });
      // An ephemeral message cannot be edited or replied to: nothing to remember.
      return { messageId: null };
    }
    const posted = await this.client.chat.postMessage({ channel, ...plainText, ...thread, unfurl_links: false, unfurl_media: false });
    return { messageId: posted.ts ?? null };
  }

  private dmChannel(userId: string): Promise<string> {
    return this.dmChannels.getOrLoad(userId, async () => {
      const id = (await this.client.conversations.open({ users: userId })).channel?.id;
      if (!id) throw new DeliveryError(`slack conversations.open gave no channel for ${userId}`);
      return id;
    });
  }
}
