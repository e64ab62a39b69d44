import { App } from '@slack/bolt';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { Inbound } from '../../core/kernel/message.ts';
import type { ChatSender } from '../../core/kernel/outbox.ts';
import type { Store } from '../../core/kernel/ports.ts';
import type { HttpRoute } from '../kit/http-route.ts';
import { KeyedQueue } from '../kit/keyed-queue.ts';
import { boltLogger, type SlackAdapterLog } from './bolt-logger.ts';
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
  /** Who is known already (skips `users.info`), which threads are under our messages; the DM channels learned are stored. */
  readonly store: Pick<Store, 'people' | 'outbox' | 'deliveryContext'>;
  readonly log: SlackAdapterLog;
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

  const sender = new SlackSender(app.client, store.deliveryContext);
  const users = new SlackUsers(app.client, store.people, log);
  // One chain per person in a conversation: two quick messages reach the engine in order.
  const work = new KeyedQueue();

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
      // Stored before the engine writes the answer: whichever process delivers it posts there.
      await sender.rememberDm(dm.userId, dm.conversation.id);
      return handle(dm);
    }
    const reply = threadReply(e, body.event_id, context.botUserId);
    // Only threads under the bot's own messages (ticket cards) are conversations with the bot.
    if (reply)
      await handle(
        reply,
        async () => (await store.outbox.findRef('slack', reply.conversation.id, reply.conversation.threadId ?? '')) !== undefined,
      );
  });
  app.event('app_mention', async ({ event, body, context }) => {
    await handle(mention(event as unknown as Record<string, unknown>, body.event_id, context.botUserId));
  });
  // Clicks and slash commands are answered at once (Slack does not redeliver them); the work
  // follows, and a failure can only be logged.
  const afterAck = (done: Promise<void>): void =>
    void done.catch((err: unknown) => log.error({ err: String(err) }, 'slack event handling failed'));
  app.action(/.+/, async ({ ack, body }) => {
    await ack();
    afterAck(handle(blockAction(body as unknown as Record<string, unknown>)));
  });
  app.command(/.+/, async ({ ack, command }) => {
    await ack();
    afterAck(handle(slashCommand(command as unknown as Record<string, unknown>)));
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
