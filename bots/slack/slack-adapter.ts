import { App, type webApi } from '@slack/bolt';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { Inbound } from '../../core/kernel/message.ts';
import type { ChatSender } from '../../core/kernel/outbox.ts';
import type { Store } from '../../core/kernel/ports.ts';
import { boltLogger, type SlackAdapterLog } from './bolt-logger.ts';
import { blockAction, directMessage, mention, mentionedUsers, slackToPlain, slashCommand, threadReply, type InboundDraft } from './slack-inbound.ts';
import { SlackRouteReceiver, type SlackRoute } from './slack-receiver.ts';
import { SlackSender } from './slack-sender.ts';
import { SlackUsers } from './slack-users.ts';
import { SerialWork } from './serial-work.ts';

export type { SlackAdapterLog } from './bolt-logger.ts';
export type { SlackRoute } from './slack-receiver.ts';

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
  /** Only read: who is known already (skips `users.info`), and which threads are under our messages. */
  readonly store: Pick<Store, 'people' | 'outbox'>;
  readonly log: SlackAdapterLog;
}

export interface SlackAdapter {
  /** Delivers outbox entries addressed to Slack. */
  readonly sender: ChatSender;
  /** `POST /slack/events` in HTTP mode; none in Socket Mode. */
  readonly routes: SlackRoute[];
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
  if (!socketMode && !config.signingSecret) throw new Error('Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');

  const clientOptions: webApi.WebClientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/` } : {}),
    // The outbox retries deliveries (honouring Retry-After); the client must answer at once.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    allowAbsoluteUrls: false,
  };
  const receiver = socketMode ? undefined : new SlackRouteReceiver({ signingSecret: config.signingSecret ?? '', log });
  const app = new App({
    token: config.botToken,
    clientOptions,
    logger: boltLogger(log),
    deferInitialization: true,
    convoStore: false,
    ...(socketMode ? { socketMode: true, appToken: config.appToken } : { receiver }),
  });
  app.error(async (err) => {
    log.error({ err: String(err) }, 'slack listener failed');
    // Rethrown so the receiver answers 500 to an event it has not acknowledged yet.
    throw err;
  });

  const sender = new SlackSender(app.client);
  const users = new SlackUsers(app.client, store.people, log);
  const work = new SerialWork((err, key) => log.error({ err: String(err), key }, 'slack event handling failed'));

  /** Who sent it, the text in the core's terms, then the engine; settles when the engine did. */
  const handle = (draft: InboundDraft | undefined, check?: () => Promise<boolean>): Promise<void> => {
    if (!draft) return Promise.resolve();
    return work.run(`${draft.conversation.id}:${draft.userId}`, async () => {
      if (check && !(await check())) return;
      const mentioned = draft.text ? mentionedUsers(draft.text) : [];
      const [from, handles] = await Promise.all([users.sender(draft.userId), users.handles(mentioned)]);
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
    });
  };

  // Events: the HTTP receiver answers Slack only once the engine committed (or at its 2.5 s
  // deadline), and 500 when the engine could not run (database down), so Slack redelivers the
  // event later and the dedupe makes the redelivery count once.
  app.event('message', async ({ event, body, context }) => {
    const e = event as unknown as Record<string, unknown>;
    const dm = directMessage(e, body.event_id);
    if (dm) {
      sender.rememberDm(dm.userId, dm.conversation.id);
      return handle(dm);
    }
    const reply = threadReply(e, body.event_id, context.botUserId);
    // Only threads under the bot's own messages (ticket cards) are conversations with the bot.
    if (reply) await handle(reply, async () => (await store.outbox.findRef('slack', reply.conversation.id, reply.conversation.threadId ?? '')) !== undefined);
  });
  app.event('app_mention', async ({ event, body, context }) => {
    await handle(mention(event as unknown as Record<string, unknown>, body.event_id, context.botUserId));
  });
  // Clicks and slash commands are answered at once (Slack does not redeliver them); the work
  // follows, and a failure is logged by the work queue.
  app.action(/.+/, async ({ ack, body }) => {
    await ack();
    handle(blockAction(body as unknown as Record<string, unknown>)).catch(() => undefined);
  });
  app.command(/.+/, async ({ ack, command }) => {
    await ack();
    handle(slashCommand(command as unknown as Record<string, unknown>)).catch(() => undefined);
  });

  await app.init();
  await app.start();
  log.info({ mode: socketMode ? 'socket' : 'http' }, 'slack adapter started');

  let stopped: Promise<void> | undefined;
  return {
    sender,
    routes: receiver ? [receiver.route] : [],
    stop: () =>
      (stopped ??= (async () => {
        await app.stop();
        await work.idle();
      })()),
  };
}
