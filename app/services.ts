/**
 * What runs on top of the database: the conversation engine, the outbox delivery, and the chat
 * adapters (the web chat, and each platform whose token is configured). Plugged into
 * `startApp` as its `onReady` hook.
 */
import { ConversationEngine } from '../core/conversation/engine.ts';
import { OutboxDispatcher } from '../core/notifications/outbox-dispatcher.ts';
import type { ChatSender } from '../core/notifications/outbox.ts';
import type { Platform } from '../core/people/person.ts';
import { createWebChat } from '../bots/web/web-chat.ts';
import { startDiscordAdapter } from '../bots/discord/discord-adapter.ts';
import { startSlackAdapter } from '../bots/slack/slack-adapter.ts';
import { startTelegramAdapter } from '../bots/telegram/telegram-adapter.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import type { AppContext } from './start-app.ts';

const INBOUND_STATUS = { handled: 'handled', duplicate: 'duplicate', refused: 'rejected', failed: 'error' } as const;

export interface Services {
  readonly engine: ConversationEngine;
  readonly dispatcher: OutboxDispatcher;
}

/** Builds the engine and the delivery loop, mounts the adapters, registers their shutdown. */
export async function startServices(ctx: AppContext): Promise<Services> {
  const { store, clock, log, metrics, config } = ctx;
  const senders: Partial<Record<Platform, ChatSender>> = {};
  const dispatcher = new OutboxDispatcher({
    store,
    clock,
    senders,
    log,
    onResult: (platform, outcome) => {
      if (outcome === 'delivered') metrics.recordDelivered(platform);
      else if (outcome === 'failed') metrics.recordDeliveryFailed(platform);
    },
  });
  const engine = new ConversationEngine({
    store,
    clock,
    defaultLocale: config.defaultLocale,
    onOutbox: () => dispatcher.kick(),
    onHandled: (inbound, result, seconds) => metrics.recordInbound(inbound.platform, INBOUND_STATUS[result.status], seconds),
    onError: (err, inbound) => log.error({ err, platform: inbound.platform, deliveryId: inbound.deliveryId }, 'inbound event failed'),
  });

  if (config.webChat) {
    const web = createWebChat({ engine, messages: new WebMessageRepository(ctx.db), channels: store.channels });
    ctx.http.addRoutes(web.routes);
    senders.web = web.sender;
  }

  if (config.slack) {
    // A bad token or Slack unreachable at boot stops the start: better a clear failure than a
    // server that silently never answers on Slack.
    const slack = await startSlackAdapter(config.slack, { engine, store, log: log.child({ adapter: 'slack' }) });
    ctx.http.addRoutes(slack.routes);
    senders.slack = slack.sender;
    ctx.onClose(() => slack.stop());
  }

  if (config.telegram) {
    const { botToken, apiRoot, webhookSecret } = config.telegram;
    const telegram = await startTelegramAdapter(
      { token: botToken, apiRoot, webhookSecret, publicUrl: config.publicUrl },
      { engine, store, log: log.child({ adapter: 'telegram' }) },
    );
    ctx.http.addRoutes(telegram.routes);
    senders.telegram = telegram.sender;
    ctx.onClose(() => telegram.stop());
  }

  if (config.discord) {
    const discord = await startDiscordAdapter(config.discord, { engine, store, log: log.child({ adapter: 'discord' }) });
    ctx.http.addRoutes(discord.routes);
    senders.discord = discord.sender;
    ctx.onClose(() => discord.stop());
  }

  dispatcher.start(1000);
  ctx.onClose(() => dispatcher.stop());
  return { engine, dispatcher };
}
