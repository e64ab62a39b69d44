import { App, type ReceiverEvent, webApi } from '@slack/bolt';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { Inbound } from '../../core/kernel/message.ts';
import type { ChatSender } from '../../core/kernel/outbox.ts';
import type { Store } from '../../core/kernel/ports.ts';
import { retryWithBackoff } from '../kit/engine-retry.ts';
import { EventInbox } from '../kit/event-inbox.ts';
import type { HttpRoute } from '../kit/http-route.ts';
import { KeyedQueue } from '../kit/keyed-queue.ts';
import { boltLogger, type SlackAdapterLog } from './bolt-logger.ts';
import { ExpiringCache } from './expiring-cache.ts';
import {
  blockAction,
  directMessage,
  type InboundDraft,
  mention,
  mentionedUsers,
  slackToPlain,
  slashCommand,
  threadReply,
} from './slack-inbound.ts';
import { SlackRouteReceiver } from './slack-receiver.ts';
import { SlackSender, slackClientOptions } from './slack-sender.ts';
import { SlackUsers } from './slack-users.ts';

/** 250 ms doubling to 30 s: about three and a half minutes of retries before a click is given up. */
const HANDLE_ATTEMPTS = 14;

/** A click or slash command is acknowledged by then at the latest, handled or not (Slack gives up at 3 s). */
const CLICK_ACK_CAP_MS = 2500;

export type { SlackAdapterLog } from './bolt-logger.ts';

/** The Slack settings: HTTP mode with `signingSecret`, Socket Mode with `appToken`. */
export interface SlackAdapterConfig {
  /** Bot token (`xoxb-…`). */
  readonly botToken: string;
  /** Signing secret: HTTP mode, events at `POST /slack/events`. */
  readonly signingSecret?: string | undefined;
  /** App-level token (`xapp-…`): Socket Mode, no public URL needed; wins over HTTP mode. */
  readonly appToken?: string | undefined;
  /** Web API base (default `https://slack.com/api/`), for proxies and tests. */
  readonly apiUrl?: string | undefined;
}

export interface SlackAdapterDeps {
  readonly engine: ConversationEngine;
  /**
   * Who is known already (skips `users.info`), which threads are under our messages; the DM
   * channels learned are stored; Events API events wait in the inbox until handled.
   */
  readonly store: Pick<Store, 'people' | 'outbox' | 'deliveryContext' | 'inbox'>;
  readonly log: SlackAdapterLog;
  /** The inbox's lease and replay sweep period (bots/kit/event-inbox.ts; defaults 30 s and 10 s). */
  readonly inbox?: { readonly leaseMs?: number; readonly sweepEveryMs?: number };
}

/**
 * Bolt's app, with Events API events stored in the inbox before Slack is answered: over HTTP
 * and in Socket Mode alike, `processEvent` (what the receiver calls once the request is
 * verified) stores the event, acknowledges it and resolves; Bolt's own processing of it runs
 * afterwards through `processStored`. Clicks and slash commands go straight to Bolt.
 */
class InboxApp extends App {
  intercept: ((event: ReceiverEvent) => Promise<void> | undefined) | undefined;
  /** A stored event the adapter dispatches itself; `undefined` leaves it to Bolt's listeners. */
  dispatch: ((body: Record<string, unknown>) => Promise<void> | undefined) | undefined;

  override processEvent(event: ReceiverEvent): Promise<void> {
    return this.intercept?.(event) ?? super.processEvent(event);
  }

  processStored(body: Record<string, unknown>): Promise<void> {
    return this.dispatch?.(body) ?? super.processEvent({ body, ack: async () => {} });
  }
}

export interface SlackAdapter {
  /** Delivers outbox entries addressed to Slack. */
  readonly sender: ChatSender;
  /** `POST /slack/events` in HTTP mode; none in Socket Mode. */
  readonly routes: HttpRoute[];
  /** Stops receiving and waits for the events already acknowledged to be handled. */
  stop(): Promise<void>;
}

/**
 * Starts the Slack adapter on Bolt: verifies the bot token (`auth.test`), then receives DMs,
 * mentions, thread replies under the bot's messages, button presses and `/sportello`, answers
 * Slack at once and hands each event to the engine afterwards.
 *
 * @example
 * const slack = await startSlackAdapter({ botToken, signingSecret }, { engine, store, log });
 * http.addRoutes(slack.routes);
 * dispatcherSenders.slack = slack.sender;
 */
export async function startSlackAdapter(config: SlackAdapterConfig, deps: SlackAdapterDeps): Promise<SlackAdapter> {
  const { engine, store, log } = deps;
  const socketMode = Boolean(config.appToken);
  if (!socketMode && !config.signingSecret)
    throw new Error('Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');

  const clientOptions = slackClientOptions(config.apiUrl);
  const logger = boltLogger(log);
  // The token verified here rather than by Bolt's init: the bot's ids are then ours too, for the
  // events dispatched without Bolt (see `dispatch` below); Bolt is given them and calls nothing.
  const auth = await new webApi.WebClient(config.botToken, { ...clientOptions, logger }).auth.test();
  const bot = { botId: auth.bot_id, botUserId: auth.user_id };
  const receiver = socketMode ? undefined : new SlackRouteReceiver({ signingSecret: config.signingSecret ?? '', log });
  const app = new InboxApp({
    token: config.botToken,
    ...(bot.botId && bot.botUserId ? { botId: bot.botId, botUserId: bot.botUserId, tokenVerificationEnabled: false } : {}),
    clientOptions,
    logger,
    deferInitialization: true,
    convoStore: false,
    ...(socketMode ? { socketMode: true, appToken: config.appToken } : { receiver }),
  });
  app.error(async (err) => {
    log.error({ err: String(err) }, 'slack listener failed');
    // Rethrown so the receiver answers 500 to an event it has not acknowledged yet.
    throw err;
  });

  const sender = new SlackSender(app.client, store.deliveryContext);
  const users = new SlackUsers(app.client, store.people, log, store.deliveryContext);
  // One chain per person in a conversation: two quick messages reach the engine in order.
  const work = new KeyedQueue();
  const stopping = new AbortController();
  /**
   * Messages of ours that replies come under (a ticket's card): a message's reference never
   * changes once recorded, so a discussion under one card looks it up once. Misses are not
   * kept: the card's ts may be recorded a moment after its first reply.
   */
  const ours = new ExpiringCache<string, true>(60 * 60_000, 10_000);
  const underOurMessage = async (channel: string, ts: string): Promise<boolean> => {
    const key = `${channel}:${ts}`;
    if (ours.get(key)) return true;
    if ((await store.outbox.findRef('slack', channel, ts)) === undefined) return false;
    ours.set(key, true);
    return true;
  };

  /**
   * Who sent it, the text in the core's terms, then the engine; settles when the engine did.
   * `dmChannel`: the DM it came from, stored (the answer is delivered there) with the look-up of
   * its sender, before the engine, unless this process stored it already.
   */
  const handle = (
    draft: InboundDraft | undefined,
    opts: { check?: () => Promise<boolean>; dmChannel?: string; retry?: boolean } = {},
  ): Promise<void> => {
    if (!draft) return Promise.resolve();
    const once = async () => {
      if (opts.check && !(await opts.check())) return;
      const mentioned = draft.text ? mentionedUsers(draft.text) : [];
      const dm = opts.dmChannel !== undefined && !sender.knowsDm(draft.userId, opts.dmChannel) ? opts.dmChannel : undefined;
      const [from, handles] = await Promise.all([users.sender(draft.userId, dm), users.handles(mentioned)]);
      if (dm !== undefined) sender.learnedDm(draft.userId, dm);
      const inbound: Inbound = {
        platform: 'slack',
        deliveryId: draft.deliveryId,
        conversation: draft.conversation,
        sender: from,
        ...(draft.text !== undefined ? { text: slackToPlain(draft.text, handles) } : {}),
        ...(draft.action ? { action: draft.action } : {}),
      };
      const result = await engine.handle(inbound);
      if (result.status === 'failed') log.warn({ deliveryId: draft.deliveryId }, 'slack event failed in the engine');
    };
    // Retried inside the person's chain, so their later messages still come after this one.
    return work.run(`${draft.conversation.id}:${draft.userId}`, async () => {
      if (!opts.retry) return once();
      await retryWithBackoff(once, {
        attempts: HANDLE_ATTEMPTS,
        maxDelayMs: 30_000,
        signal: stopping.signal,
        onFailure: (err, attempt, willRetry) =>
          log[willRetry ? 'warn' : 'error'](
            { deliveryId: draft.deliveryId, attempt, err: String(err) },
            willRetry ? 'slack event not handled, retrying' : 'slack event not handled',
          ),
      });
    });
  };

  const onMessage = async (e: Record<string, unknown>, eventId: string, botUserId: string | undefined): Promise<void> => {
    const dm = directMessage(e, eventId);
    // Stored before the engine writes the answer: whichever process delivers it posts there.
    if (dm) return handle(dm, { dmChannel: dm.conversation.id });
    const reply = threadReply(e, eventId, botUserId);
    // Only threads under the bot's own messages (ticket cards) are conversations with the bot.
    if (reply)
      await handle(reply, {
        check: () => underOurMessage(reply.conversation.id, reply.conversation.threadId ?? ''),
      });
  };
  // Events reach these listeners from the inbox (see `inbox` below): Slack was answered already.
  // A listener that throws (the engine could not run) leaves the event there for the replay sweep.
  app.event('message', ({ event, body, context }) =>
    onMessage(event as unknown as Record<string, unknown>, body.event_id, context.botUserId),
  );
  app.event('app_mention', async ({ event, body, context }) => {
    await handle(mention(event as unknown as Record<string, unknown>, body.event_id, context.botUserId));
  });
  // The inbox's events go to those two listeners without Bolt's per-event work (its context,
  // client and helpers, four listener chains; ~0.1 ms of CPU an event): Bolt's `ignoreSelf`
  // is done here; anything else (the bot's ids unknown) still goes through Bolt.
  if (bot.botId && bot.botUserId) {
    const { botId, botUserId } = bot;
    app.dispatch = (body) => {
      const event = body.event as Record<string, unknown> | undefined;
      if (body.type !== 'event_callback' || typeof body.event_id !== 'string' || !event || typeof event !== 'object') return undefined;
      if (isOwnEvent(event, botId, botUserId)) return Promise.resolve();
      const run =
        event.type === 'message'
          ? onMessage(event, body.event_id, botUserId)
          : event.type === 'app_mention'
            ? (async (eventId: string) => handle(mention(event, eventId, botUserId)))(body.event_id) // a throw is a rejection, as in Bolt
            : Promise.resolve();
      // As Bolt's error handler (`app.error` above) would: logged, and the event left for the sweep.
      return run.catch((err: unknown) => {
        log.error({ err: String(err) }, 'slack listener failed');
        throw err;
      });
    };
  }
  // Clicks and slash commands: Slack never delivers them again, so they are acknowledged once
  // handled (or at the receiver's 2.5 s deadline, inside Slack's 3 s). A process killed before
  // then leaves the request unanswered and Slack shows the person it failed (they press again),
  // where an early acknowledgement would have dropped it silently. A database away (a restart)
  // is waited out with backoff, past the deadline if need be; the engine's dedupe makes a retry
  // after a commit we did not hear about harmless.
  // The cap is ours too, not only the HTTP receiver's: in Socket Mode nothing else would answer,
  // and a press unanswered after 3 s is shown as failed — pressed again, it would count twice.
  const handleThenAck = async (draft: InboundDraft | undefined, ack: () => Promise<void>): Promise<void> => {
    let acked = false;
    const ackOnce = async () => {
      if (acked) return;
      acked = true;
      await ack();
    };
    const cap = setTimeout(() => {
      ackOnce().catch((err: unknown) => log.warn({ err: String(err) }, 'slack acknowledgement failed'));
    }, CLICK_ACK_CAP_MS);
    try {
      await handle(draft, { retry: true }).catch((err: unknown) => log.error({ err: String(err) }, 'slack event handling failed'));
    } finally {
      clearTimeout(cap);
    }
    await ackOnce();
  };
  app.action(/.+/, async ({ ack, body }) => handleThenAck(blockAction(body as unknown as Record<string, unknown>), ack));
  app.command(/.+/, async ({ ack, command }) => handleThenAck(slashCommand(command as unknown as Record<string, unknown>), ack));

  // Events API events: stored (one statement) and answered at once, then handled; an event whose
  // handling failed (the database away) or whose process died stays in the inbox and is replayed
  // by a sweep once its lease ran out, and the engine's dedupe makes a replay count once. A failed
  // store answers 500 (HTTP) or leaves the envelope unacknowledged (Socket Mode): Slack redelivers.
  const inbox = new EventInbox({
    platform: 'slack',
    repo: store.inbox,
    handle: (payload) => app.processStored(payload as Record<string, unknown>),
    // A DM's sender was looked up, and its channel stored, by the statement storing the event:
    // its handling then asks the database neither.
    senderStored: (from, known) => {
      if (from.dmChannel !== undefined) sender.learnedDm(from.externalId, from.dmChannel);
      if (known) users.markKnown(from.externalId);
    },
    log,
    ...(deps.inbox?.leaseMs !== undefined ? { leaseMs: deps.inbox.leaseMs } : {}),
    ...(deps.inbox?.sweepEveryMs !== undefined ? { sweepEveryMs: deps.inbox.sweepEveryMs } : {}),
  });
  app.intercept = ({ body, ack }) => {
    if (body.type !== 'event_callback' || typeof body.event_id !== 'string') return undefined;
    const event = body.event;
    // Every post of ours comes back as an event: acknowledged, never stored (a write each).
    if (bot.botId && bot.botUserId && event && typeof event === 'object' && isOwnEvent(event, bot.botId, bot.botUserId)) return ack();
    const dm = event && typeof event === 'object' ? directMessage(event as Record<string, unknown>, body.event_id) : undefined;
    return inbox.receive(body.event_id, body, () => ack(), dm ? { externalId: dm.userId, dmChannel: dm.conversation.id } : undefined);
  };

  await app.init();
  await app.start();
  inbox.start();
  log.info({ mode: socketMode ? 'socket' : 'http' }, 'slack adapter started');

  let stopped: Promise<void> | undefined;
  return {
    sender,
    routes: receiver ? [receiver.route] : [],
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        await app.stop();
        await inbox.stop();
        await work.idle();
      })()),
  };
}

/** Bolt's ignoreSelf: our own posts, and any other event of our own user but joins and leaves. */
function isOwnEvent(event: Readonly<Record<string, unknown>>, botId: string, botUserId: string): boolean {
  if (event.type === 'message' && event.subtype === 'bot_message' && event.bot_id === botId) return true;
  return event.user === botUserId && event.type !== 'member_joined_channel' && event.type !== 'member_left_channel';
}
