/**
 * What runs on top of the database: the conversation engine, the outbox delivery, and the chat
 * adapters (the web chat, and each platform whose token is configured). Plugged into
 * `startApp` as its `onReady` hook.
 */

import type { AddressInfo } from 'node:net';
import { createDashboard } from '../bots/dashboard/dashboard-routes.ts';
import { privacyRoutes } from '../bots/privacy/privacy-routes.ts';
import { createWebChat } from '../bots/web/web-chat.ts';
import { ConversationEngine } from '../core/conversation/engine.ts';
import { REGISTRY } from '../core/features.ts';
import type { ChatSender } from '../core/kernel/outbox.ts';
import type { Platform } from '../core/kernel/person.ts';
import { listenDashboardChanges } from '../db/dashboard-feed.ts';
import { isTransientDatabaseError } from '../db/database.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import { PgWebMessageFeed } from '../db/web-message-feed.ts';
import type { AgentWatchdog } from '../jobs/agent-watchdog.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { agentIngestRoutes } from './agent-ingest.ts';
import type { AppContext } from './start-app.ts';

const INBOUND_STATUS = { handled: 'handled', duplicate: 'duplicate', refused: 'rejected', failed: 'error' } as const;

export interface Services {
  readonly engine: ConversationEngine;
  readonly workers: Workers;
  readonly watchdog: AgentWatchdog;
}

/**
 * Builds the engine and the background workers (outbox delivery, SLA timers, sweeps,
 * schedules), mounts the adapters, registers their shutdown.
 */
export async function startServices(ctx: AppContext): Promise<Services> {
  const { store, clock, log, metrics, config } = ctx;
  // Filled as the adapters start; the outbox worker reads it at every round.
  const senders: Partial<Record<Platform, ChatSender>> = {};
  const workers = await startWorkers({
    store,
    clock,
    log: log.child({ component: 'jobs' }),
    dbUrl: ctx.dbUrl,
    pgPoolSize: ctx.poolSizes.jobs,
    redisUrl: config.redisUrl,
    defaultLocale: config.defaultLocale,
    retentionMonths: config.retentionMonths,
    senders,
    onOutboxResult: (platform, outcome) => {
      if (outcome === 'delivered') metrics.recordDelivered(platform);
      else if (outcome === 'failed') metrics.recordDeliveryFailed(platform);
      else if (outcome === 'resent_blind') metrics.recordResentBlind(platform);
    },
  });
  ctx.addHealthCheck('jobs', () => workers.health());
  ctx.onClose(() => workers.stop());
  // Links in answers (the dashboard's login link) point here.
  const publicUrl = config.publicUrl ?? `http://localhost:${(ctx.http.server.address() as AddressInfo).port}`;
  const engine = new ConversationEngine({
    registry: REGISTRY,
    store,
    clock,
    defaultLocale: config.defaultLocale,
    publicUrl,
    // Only what the event wrote is woken: its outbox rows, its SLA events' timers.
    onWritten: (written) => workers.wake(written),
    isTransient: isTransientDatabaseError,
    onHandled: (inbound, result, seconds) => metrics.recordInbound(inbound.platform, INBOUND_STATUS[result.status], seconds),
    onError: (err, inbound) => log.error({ err, platform: inbound.platform, deliveryId: inbound.deliveryId }, 'inbound event failed'),
  });

  if (config.webChat) {
    const messages = new WebMessageRepository(ctx.db);
    const web = createWebChat({
      engine,
      messages,
      channels: store.channels,
      log: log.child({ adapter: 'web' }),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      anyHost: config.webChatPublic,
      // The live streams end as soon as closing starts, so they do not hold the HTTP server's close.
      closing: ctx.signal,
    });
    // The answers may be stored by another process (a `sportello worker`): the live streams of
    // this one hear about every message written.
    const feed = await new PgWebMessageFeed({ url: ctx.dbUrl, messages, log: log.child({ adapter: 'web' }) }).listen((m) =>
      web.hub.publish(m),
    );
    ctx.onClose(() => feed.close());
    ctx.http.addRoutes(web.routes);
    senders.web = web.sender;
  }

  // The dashboard at /cruscotto, on every deployment (signing in needs only the chat). One
  // database listener per process tells its open pages that the data changed.
  const changes = await listenDashboardChanges({ url: ctx.dbUrl, log: log.child({ component: 'dashboard' }) });
  const dashboard = createDashboard({
    store,
    clock,
    defaultLocale: config.defaultLocale,
    publicUrl: config.publicUrl,
    changes,
    log: log.child({ component: 'dashboard' }),
  });
  ctx.http.addRoutes(dashboard.routes);
  // A person's export asked for in chat (`i miei dati`): the one-time download link's page.
  ctx.http.addRoutes(privacyRoutes({ store, clock, defaultLocale: config.defaultLocale, log: log.child({ component: 'privacy' }) }));
  // The live streams end as soon as closing starts, so they do not hold the HTTP server's close.
  ctx.signal.addEventListener('abort', () => dashboard.close(), { once: true });
  ctx.onClose(async () => {
    dashboard.close();
    await changes.close();
  });

  // Each platform's adapter is imported only when its token is set: their SDKs (discord.js,
  // @slack/bolt, telegraf) weigh ~57 MB of RSS together, for nothing on the embedded default.
  if (config.slack) {
    const { startSlackAdapter } = await import('../bots/slack/slack-adapter.ts');
    // A bad token or Slack unreachable at boot stops the start: better a clear failure than a
    // server that silently never answers on Slack.
    const slack = await startSlackAdapter(config.slack, { engine, store, log: log.child({ adapter: 'slack' }) });
    ctx.http.addRoutes(slack.routes);
    senders.slack = slack.sender;
    ctx.onClose(() => slack.stop());
  }

  if (config.telegram) {
    const { startTelegramAdapter } = await import('../bots/telegram/telegram-adapter.ts');
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
    const { startDiscordAdapter } = await import('../bots/discord/discord-adapter.ts');
    const discord = await startDiscordAdapter(config.discord, { engine, store, log: log.child({ adapter: 'discord' }) });
    ctx.http.addRoutes(discord.routes);
    senders.discord = discord.sender;
    ctx.onClose(() => discord.stop());
  }

  // Monitoring: the agents' ingest endpoint. The heartbeat watchdog is a job of the workers.
  ctx.http.addRoutes(
    agentIngestRoutes({
      store,
      clock,
      defaultLocale: config.defaultLocale,
      onWritten: (written) => workers.wake(written),
      log: log.child({ component: 'agent-ingest' }),
    }),
  );

  workers.kick();
  return { engine, workers, watchdog: workers.watchdog };
}
