import { webApi } from '@slack/bolt';
import type { DeliveryContextRepository } from '../../core/kernel/delivery-context.ts';
import { type ChatSender, type Delivery, DeliveryError } from '../../core/kernel/outbox.ts';
import type { Store } from '../../core/kernel/ports.ts';
import { mapDeliveryError, type PlatformFailure } from '../kit/delivery-error.ts';
import { PartsSent } from '../kit/parts-sent.ts';
import { escapeMrkdwn, renderMessage } from './block-kit.ts';
import { ExpiringCache } from './expiring-cache.ts';
import { callWebApi, NO_RETRY_AFTER, slackFetch } from './slack-fetch.ts';
import { fileComment, shareChart } from './slack-files.ts';

/** The message metadata that names the outbox row a message was posted for. */
export const OUTBOX_EVENT_TYPE = 'sportello_outbox';
/** Pages of history read looking for a message of unknown fate (newest first). */
const LOOKUP_PAGES = 3;
const LOOKUP_PAGE_SIZE = 200;
/** Slack's clock and ours may differ: look this far before the row was written. */
const CLOCK_SKEW_S = 60;
/** A Web API call not answered by then failed (the outbox retries it). */
const CALL_TIMEOUT_MS = 10_000;

type Result = { readonly messageId: string | null; readonly deduplicated?: boolean };

// Platform errors that say "try again later"; every other `ok: false` is a refusal retrying cannot fix.
// (`ratelimited` is the Web API's, `rate_limited` chat.postMessage's "posted too many messages".)
const TRANSIENT = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);
// Slack on these: "it's possible some aspect of the operation succeeded before the error was raised".
const MAYBE_DONE = new Set(['internal_error', 'fatal_error']);

/** A Web API failure → the outbox's retry decision (bots/kit/delivery-error.ts). */
export function toDeliveryError(err: unknown): DeliveryError {
  return mapDeliveryError(err, 'slack request failed', (e): PlatformFailure | undefined => {
    if (e instanceof webApi.WebAPIRateLimitedError)
      return { what: `slack rate limited (retry after ${e.retryAfter} s)`, retryAfterMs: e.retryAfter * 1000 };
    if (e instanceof webApi.WebAPIPlatformError) {
      const code = String(e.data.error);
      // An answer came: only the errors Slack says may have half-succeeded are of unknown fate.
      return { what: `slack refused: ${code}`, transient: TRANSIENT.has(code), fateUnknown: MAYBE_DONE.has(code) };
    }
    if (e instanceof webApi.WebAPIHTTPError) return { what: `slack http ${e.statusCode}`, status: e.statusCode };
    // An answer (a 429 with no usable wait), not a network failure: not of unknown fate.
    if (e instanceof Error && e.message.startsWith(NO_RETRY_AFTER)) return { what: `slack rate limited (${e.message})`, status: 429 };
    // Network errors and timeouts (WebAPIRequestError) and anything unexpected: the kit retries them.
    return undefined;
  });
}

/**
 * The Web API client options of the adapter and of a delivery-only sender: the outbox retries
 * deliveries (honouring Retry-After), so the client must answer at once. Its calls go over
 * node:http(s) rather than Node's fetch (./slack-fetch.ts).
 */
export function slackClientOptions(apiUrl: string | undefined): webApi.WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: CALL_TIMEOUT_MS,
    allowAbsoluteUrls: false,
    fetch: slackFetch,
  };
}

/**
 * A sender without Bolt's receiver, for processes that only deliver outbox rows (`sportello
 * worker`): the DM channels the receiving processes learned are in the database.
 */
export function createSlackSender(
  config: { readonly botToken: string; readonly apiUrl?: string | undefined },
  deps: { readonly store: Pick<Store, 'deliveryContext'> },
): SlackSender {
  return new SlackSender(new webApi.WebClient(config.botToken, slackClientOptions(config.apiUrl)), deps.store.deliveryContext);
}

/**
 * Delivers outbox entries with the Web API. A DM is addressed to the user id; its channel id
 * is the one learned from the user's incoming DMs, kept in the database so every delivering
 * process (a `sportello worker` too) knows it; otherwise `conversations.open`, stored. Posts return the
 * message `ts` as the message id: thread replies under a card carry the same ts as
 * `thread_ts`, so the core finds the ticket with it, and edits use it with the address' channel.
 * The client must not retry by itself (`retries: 0`, `rejectRateLimitedCalls`): the outbox does,
 * so a message is never sent by both.
 */
export class SlackSender implements ChatSender {
  /** Spares this process a query per DM; the database is what other processes read. */
  private readonly dmChannels = new ExpiringCache<string, string>(24 * 60 * 60_000, 50_000);
  /** Deliveries in two calls (text, then chart) whose first call arrived: a retry sends only the rest. */
  private readonly partsSent = new PartsSent();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly context: Pick<DeliveryContextRepository, 'findDmChannel' | 'rememberDmChannel'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Whether this process stored that DM channel of the user already: the write is the same every
   * time, so it is made once per process while the channel does not change.
   */
  knowsDm(userId: string, channelId: string): boolean {
    return this.dmChannels.get(userId) === channelId;
  }

  /** A DM channel stored in the database by the adapter (`SlackUsers.sender`): delivered there without a query. */
  learnedDm(userId: string, channelId: string): void {
    this.dmChannels.set(userId, channelId);
  }

  /**
   * The delivery's own calls (a post, an edit, an ephemeral answer: one per reply) as the client
   * would make them with these options, without its per-call work (./slack-fetch.ts).
   */
  private chat<M extends 'postMessage' | 'update' | 'postEphemeral'>(
    method: M,
    args: Parameters<webApi.WebClient['chat'][M]>[0],
  ): ReturnType<webApi.WebClient['chat'][M]> {
    return callWebApi(this.client, `chat.${method}`, args as unknown as Record<string, unknown>, CALL_TIMEOUT_MS) as ReturnType<
      webApi.WebClient['chat'][M]
    >;
  }

  async send(d: Delivery): Promise<Result> {
    try {
      return await this.deliver(d);
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  /**
   * Posts carry the outbox row id in their metadata; a row whose earlier attempt may have
   * arrived (`unknownFate`: its process died mid-send) is first looked up in the conversation
   * and, when found, adopted instead of posted again. File shares and ephemeral messages take no
   * metadata (nor show in the history): those are sent again, and may show twice.
   */
  private async deliver(d: Delivery): Promise<Result> {
    const channel = d.address.kind === 'dm' ? await this.dmChannel(d.address.conversationId) : d.address.conversationId;
    const { text, blocks } = renderMessage(d.message);
    const plainText = { text, blocks, link_names: false, parse: 'none' } as const;
    if (d.editMessageId) {
      await this.chat('update', { channel, ts: d.editMessageId, ...plainText });
      return { messageId: d.editMessageId, deduplicated: true };
    }
    const threadTs = d.threadMessageId ?? d.address.threadId;
    const thread = threadTs ? { thread_ts: threadTs } : {};
    const metadata = { event_type: OUTBOX_EVENT_TYPE, event_payload: { row: d.id } };
    /** Whether a resend was checked against the history (false: it could not be read). */
    let checked = true;
    /** The message an earlier attempt of this row posted, when its fate is unknown. */
    const earlier = async (): Promise<string | undefined> => {
      if (!d.unknownFate) return undefined;
      const found = await this.findPosted(channel, threadTs, d.id, d.unknownFate.since);
      checked = found !== null;
      return found ?? undefined;
    };
    const image = d.message.image;
    if (image && !(d.ephemeralTo && d.address.kind === 'channel')) {
      // Without buttons, one message: the chart with the text as its comment. With them, the
      // blocks first (buttons cannot ride a file share), then the chart with its alt text.
      if (!d.message.buttons?.length && !d.message.select)
        return { messageId: await shareChart(this.client, { channel, threadTs }, image, fileComment(d.message)) };
      const ts = await this.partsSent.once(
        d.id,
        async () =>
          (await earlier()) ??
          (await this.chat('postMessage', { channel, ...plainText, ...thread, metadata, unfurl_links: false, unfurl_media: false })).ts ??
          '',
      );
      // The chart is a file share: no metadata to find it by, so after an unknown fate it may show twice.
      await shareChart(this.client, { channel, threadTs }, image, '');
      this.partsSent.done(d.id);
      return { messageId: ts || null };
    }
    if (d.ephemeralTo && d.address.kind === 'channel') {
      const ephemeralTo = d.ephemeralTo;
      await this.partsSent.once(d.id, async () => {
        await this.chat('postEphemeral', { channel, user: ephemeralTo, ...plainText, ...thread });
        return 'ephemeral';
      });
      // A file cannot be shown to one person in a channel: the chart goes to their DM.
      if (image)
        await shareChart(this.client, { channel: await this.dmChannel(ephemeralTo) }, image, escapeMrkdwn(d.message.title ?? image.alt));
      this.partsSent.done(d.id);
      // An ephemeral message cannot be edited or replied to: nothing to remember.
      return { messageId: null };
    }
    const found = await earlier();
    if (found) return { messageId: found, deduplicated: true };
    const posted = await this.chat('postMessage', {
      channel,
      ...plainText,
      ...thread,
      metadata,
      unfurl_links: false,
      unfurl_media: false,
    });
    return { messageId: posted.ts ?? null, ...(checked ? { deduplicated: true } : {}) };
  }

  /**
   * The ts of the message posted for outbox row `rowId`, searched by its metadata in the
   * conversation (or the thread) newest first, back to a little before the row was written.
   * Null when the history cannot be read (a scope the app lacks): the row is then posted blind.
   */
  private async findPosted(channel: string, threadTs: string | undefined, rowId: string, since: Date): Promise<string | undefined | null> {
    try {
      return await this.searchHistory(channel, threadTs, rowId, since);
    } catch (err) {
      if (err instanceof webApi.WebAPIPlatformError && !TRANSIENT.has(String(err.data.error))) return null;
      throw err;
    }
  }

  private async searchHistory(channel: string, threadTs: string | undefined, rowId: string, since: Date): Promise<string | undefined> {
    const oldest = since.getTime() / 1000 - CLOCK_SKEW_S;
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_PAGES; page++) {
      // Nothing older than `oldest` is asked for: a thread's replies come oldest first, so without
      // it a long thread's pages would never reach the row's time.
      const args = { channel, include_all_metadata: true, limit: LOOKUP_PAGE_SIZE, oldest: String(oldest), ...(cursor ? { cursor } : {}) };
      const res = threadTs
        ? await this.client.conversations.replies({ ...args, ts: threadTs })
        : await this.client.conversations.history(args);
      const messages = (res.messages ?? []) as { ts?: string; metadata?: { event_type?: string; event_payload?: { row?: unknown } } }[];
      const hit = messages.find((m) => m.metadata?.event_type === OUTBOX_EVENT_TYPE && m.metadata.event_payload?.row === rowId);
      if (hit?.ts) return hit.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  private dmChannel(userId: string): Promise<string> {
    return this.dmChannels.getOrLoad(userId, async () => {
      const stored = await this.context.findDmChannel('slack', userId);
      if (stored) return stored;
      const id = (await this.client.conversations.open({ users: userId })).channel?.id;
      if (!id) throw new DeliveryError(`slack conversations.open gave no channel for ${userId}`);
      await this.context.rememberDmChannel('slack', userId, id, this.now());
      return id;
    });
  }
}
