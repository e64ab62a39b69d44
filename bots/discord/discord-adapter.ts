import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials, type RateLimitData, REST, type RESTOptions } from 'discord.js';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { Store } from '../../core/kernel/ports.ts';
import type { HttpRoute } from '../kit/http-route.ts';
import { registerCommands } from './discord-commands.ts';
import { DiscordInbound } from './discord-inbound.ts';
import { inviteUrl } from './discord-invite.ts';
import { DiscordSender } from './discord-sender.ts';
import { DmChannels } from './dm-channels.ts';
import { InteractionRegistry } from './interaction-registry.ts';

/** Named like app/config.ts's `DiscordConfig`, so that section can be passed as is. */
export interface DiscordAdapterConfig {
  readonly botToken: string;
  /** Defaults to the application of the bot token (from the gateway's READY). */
  readonly applicationId?: string | undefined;
  /** REST base without the version, e.g. `http://127.0.0.1:8080/api` (DISCORD_API_URL); the gateway URL comes from `GET /gateway/bot`. */
  readonly apiUrl?: string | undefined;
  /** Registers the slash commands in this guild only (instant) instead of globally. */
  readonly guildId?: string | undefined;
  /** Rate-limit waits up to this long happen inside discord.js; longer ones go back to the outbox (default 2500 ms). */
  readonly maxRateLimitWaitMs?: number;
  /** discord.js's self-imposed global REST limit: Discord's is 50 requests/s unless raised for the bot (default 50). */
  readonly globalRequestsPerSecond?: number;
  /** REST request timeout (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** How long a deferred slash command waits for a private answer before its placeholder is removed (default 3000 ms). */
  readonly replyGraceMs?: number;
}

export interface DiscordAdapterLog {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
  debug?(o: object, m?: string): void;
}

export interface DiscordAdapterDeps {
  readonly engine: Pick<ConversationEngine, 'handle'>;
  readonly store: Store;
  readonly log: DiscordAdapterLog;
}

export interface DiscordAdapter {
  readonly sender: DiscordSender;
  /** Empty: Discord events arrive over the gateway WebSocket, not HTTP. */
  readonly routes: HttpRoute[];
  /** The discord.js client (for health checks: `client.ws.status`, `client.ws.ping`). */
  readonly client: Client;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * discord.js must not retry server errors (the outbox retries; a retried POST could post
 * twice) and hands rate limits longer than `maxRateLimitWaitMs` back to the outbox instead of
 * blocking a delivery; shorter ones (and its own global limiter) are waited out in place.
 */
function restOptions(config: DiscordAdapterConfig): Partial<RESTOptions> {
  const maxWait = config.maxRateLimitWaitMs ?? 2500;
  return {
    ...(config.apiUrl ? { api: config.apiUrl } : {}),
    retries: 0,
    timeout: config.requestTimeoutMs ?? 10_000,
    globalRequestsPerSecond: config.globalRequestsPerSecond ?? 50,
    rejectOnRateLimit: (r: RateLimitData) => Math.max(r.retryAfter, r.timeToReset) > maxWait,
  };
}

/**
 * A sender without the gateway, for processes that only deliver outbox rows (`sportello
 * worker`). The interactions and DM channels the gateway processes learned are in the
 * database, so it answers exactly like them: inside the interaction (its placeholder first,
 * then follow-ups) while the token lives, by DM otherwise.
 */
export function createDiscordSender(
  config: DiscordAdapterConfig,
  deps: { readonly store: Pick<Store, 'deliveryContext'>; readonly log: DiscordAdapterLog },
): DiscordSender {
  const rest = new REST(restOptions(config)).setToken(config.botToken);
  const context = deps.store.deliveryContext;
  return new DiscordSender({
    rest,
    applicationId: () => config.applicationId ?? '',
    interactions: new InteractionRegistry(context),
    dms: new DmChannels(rest, context),
    log: deps.log,
  });
}

/**
 * Starts the Discord adapter: logs the bot in over the gateway (guilds, guild messages, DMs,
 * message content), registers the slash commands, and routes messages and interactions to the
 * engine. The returned sender delivers outbox rows over REST (see `restOptions` for retries).
 */
export async function startDiscordAdapter(config: DiscordAdapterConfig, deps: DiscordAdapterDeps): Promise<DiscordAdapter> {
  const { log } = deps;
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    // DM channels are not cached in advance; without this, DMs are dropped.
    partials: [Partials.Channel],
    allowedMentions: { parse: [] },
    rest: restOptions(config),
  });
  const rest = client.rest;
  const interactions = new InteractionRegistry(deps.store.deliveryContext);
  const dms = new DmChannels(rest, deps.store.deliveryContext);
  const applicationId = () => config.applicationId ?? client.application?.id ?? '';
  const sender = new DiscordSender({ rest, applicationId, interactions, dms, log });
  const inbound = new DiscordInbound({
    engine: deps.engine,
    outbox: deps.store.outbox,
    rest,
    interactions,
    dms,
    log,
    botUserId: () => client.user?.id ?? '',
    applicationId,
    replyGraceMs: config.replyGraceMs ?? 3000,
  });

  client.on(Events.MessageCreate, (m) => inbound.onMessage(m));
  client.on(Events.InteractionCreate, (i) => inbound.onInteraction(i));
  client.on(Events.Error, (err) => log.error({ err: String(err) }, 'discord client error'));
  client.on(Events.ShardError, (err, shardId) => log.warn({ shardId, err: String(err) }, 'discord gateway error'));
  client.on(Events.ShardReconnecting, (shardId) => log.info({ shardId }, 'discord gateway reconnecting'));
  client.on(Events.ShardResume, (shardId, replayed) => log.info({ shardId, replayed }, 'discord gateway resumed'));
  client.on(Events.ShardDisconnect, (ev, shardId) => log.error({ shardId, code: ev.code }, 'discord gateway closed for good'));

  // This process holds the gateway: every interaction is remembered through it from now on.
  await interactions
    .trackDms()
    .catch((err: unknown) => log.warn({ err: String(err) }, 'discord: live interactions not read, asking per answer'));
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  ready.catch(() => undefined); // awaited below; a failed login must not leave it unhandled
  try {
    await client.login(config.botToken);
    await ready;
  } catch (err) {
    await client.destroy();
    throw err;
  }

  try {
    await registerCommands(rest, applicationId(), config.guildId);
  } catch (err) {
    // The bot still works through DMs and `!` commands; commands registered earlier stay.
    log.error({ err: String(err) }, 'discord slash commands not registered');
  }
  log.info(
    {
      user: client.user?.tag,
      applicationId: applicationId(),
      guilds: client.guilds.cache.size,
      inviteUrl: inviteUrl(applicationId(), config.guildId),
    },
    'discord adapter ready',
  );

  return {
    sender,
    routes: [],
    client,
    async stop() {
      await client.destroy();
      await inbound.stop();
    },
  };
}
