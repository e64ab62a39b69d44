/**
 * The Telegram adapter on Telegraf: updates in (long polling by default, or the webhook route
 * when a secret is configured) → `Inbound` → the engine; the outbox out through
 * `TelegramSender`. Nothing shared lives in memory: dedupe is the engine's (PostgreSQL, keyed
 * `tg:<bot id>:<update_id>`), card ids are in the outbox tables, oversized button data too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegraf } from 'telegraf';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { ChatSender } from '../../core/kernel/outbox.ts';
import type { Store } from '../../core/kernel/ports.ts';
import { retryWithBackoff } from '../kit/engine-retry.ts';
import type { HttpRoute } from '../kit/http-route.ts';
import { KeyedQueue } from '../kit/keyed-queue.ts';
import { callBotApi } from './bot-api.ts';
import { CallbackCodec, dialogTokenStore } from './callback-data.ts';
import { commandMenus } from './telegram-commands.ts';
import { TelegramSender } from './telegram-sender.ts';
import { type BotIdentity, chatKeyOf, readUpdate, type TgUpdate } from './telegram-update.ts';
import { TELEGRAM_WEBHOOK_PATH, type WebhookReply, webhookRoute } from './telegram-webhook.ts';

export { TELEGRAM_WEBHOOK_PATH };

export interface TelegramAdapterConfig {
  /** The bot token from BotFather (`TELEGRAM_BOT_TOKEN`). */
  readonly token: string;
  /** Bot API origin (`TELEGRAM_API_ROOT`), for proxies, a local Bot API server, tests. */
  readonly apiRoot?: string;
  /** Webhook mode at `POST /telegram/webhook` when set (`TELEGRAM_WEBHOOK_SECRET`); long polling otherwise. */
  readonly webhookSecret?: string;
  /** The app's public base URL; with a secret, the webhook is registered there at start. */
  readonly publicUrl?: string;
  /** Longest wait for one Bot API call (default 10 s; long polling keeps Telegraf's own). */
  readonly requestTimeoutMs?: number;
}

export interface AdapterLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface TelegramAdapterDeps {
  readonly engine: Pick<ConversationEngine, 'handle'>;
  /** Only the outbox's message refs and the expiring key-value table are used. */
  readonly store: Pick<Store, 'outbox' | 'dialogs'>;
  readonly log: AdapterLog;
}

export interface TelegramAdapter {
  /** Register as the outbox sender for platform 'telegram'. */
  readonly sender: ChatSender;
  /** The webhook route in webhook mode; empty with long polling. */
  readonly routes: HttpRoute[];
  readonly bot: BotIdentity;
  /** Stops polling and waits (bounded) for the updates in hand. */
  stop(): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const STOP_WAIT_MS = 3000;

/** Waits for `p`, but no longer than `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
  clearTimeout(timer);
}

/** Starts the bot: identity (getMe), command menus, then polling or the webhook. */
export async function startTelegramAdapter(config: TelegramAdapterConfig, deps: TelegramAdapterDeps): Promise<TelegramAdapter> {
  const { engine, store, log } = deps;
  const webhook = Boolean(config.webhookSecret);
  const bot = new Telegraf(config.token, {
    // Telegraf sends every call through the API, so its result and errors are seen (its webhook replies are off).
    telegram: { webhookReply: false, ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}) },
    // Our handler waits for the database itself; a Telegraf timeout would acknowledge the update meanwhile.
    handlerTimeout: Infinity,
  });
  const timeoutMs = config.requestTimeoutMs ?? 10_000;
  const me = await callBotApi(bot.telegram, 'getMe', {}, timeoutMs);
  bot.botInfo = me;
  const identity: BotIdentity = { id: me.id, username: me.username };

  for (const menu of commandMenus()) {
    await callBotApi(bot.telegram, 'setMyCommands', menu, timeoutMs).catch((err: unknown) =>
      log.warn({ err: String(err), language: menu.language_code ?? 'default' }, 'telegram: setMyCommands failed'),
    );
  }

  const codec = new CallbackCodec(dialogTokenStore(store.dialogs));
  const lookups = {
    isRefMessage: async (chatId: string, messageId: string) => (await store.outbox.findRef('telegram', chatId, messageId)) !== undefined,
    decodeAction: (data: string) => codec.decode(data),
  };
  const stopping = new AbortController();
  const queue = new KeyedQueue();

  const handleOnce = async (update: TgUpdate): Promise<void> => {
    const event = await readUpdate(update, identity, lookups);
    if (event.kind !== 'ignore' && event.inbound) await engine.handle(event.inbound);
  };

  /**
   * Webhook: a failure propagates (500, Telegram redelivers). Polling: the offset is only
   * acknowledged once this resolves, so it waits for the database to come back rather than
   * let the update go; if we are stopped meanwhile, it never resolves, and the update stays
   * unacknowledged for the next process (like a crash would).
   */
  const handleWithRetry = async (update: TgUpdate): Promise<void> => {
    if (webhook) return handleOnce(update);
    const handled = await retryWithBackoff(() => handleOnce(update), {
      maxDelayMs: 15_000,
      signal: stopping.signal,
      onFailure: (err, attempt) =>
        log.warn({ err: String(err), updateId: update.update_id, attempt }, 'telegram: update not handled, retrying'),
    });
    if (!handled) return new Promise<void>(() => {});
  };

  const answerCallback = async (queryId: string): Promise<void> => {
    await callBotApi(bot.telegram, 'answerCallbackQuery', { callback_query_id: queryId }, timeoutMs).catch((err: unknown) =>
      log.warn({ err: String(err) }, 'telegram: answerCallbackQuery failed'),
    );
  };

  /**
   * One update, after the earlier ones of its chat. A press is answered here, or, with
   * `answerInReply` and once it was handled, by the caller (in the webhook's answer).
   */
  const onUpdate = (update: TgUpdate, answerInReply = false): Promise<void> =>
    queue.run(chatKeyOf(update), async () => {
      let handled = false;
      try {
        await handleWithRetry(update);
        handled = true;
      } finally {
        // Always, even after an error: otherwise the user's button spins until Telegram gives up.
        if (update.callback_query && !(handled && answerInReply)) await answerCallback(update.callback_query.id);
      }
    });
  const failed = (err: unknown, update: Pick<TgUpdate, 'update_id'>) =>
    log.error({ err: String(err), updateId: update.update_id }, 'telegram: update failed');

  // Long polling goes through Telegraf's pipeline; the webhook route calls `onUpdate` itself (it
  // has read and checked the update already): Telegraf would build a client and a context for
  // every update that nothing here reads.
  bot.use((ctx) => onUpdate(ctx.update as unknown as TgUpdate));
  bot.catch((err, ctx) => {
    failed(err, ctx.update);
    if (webhook) throw err;
  });
  /**
   * A handled press is answered in the webhook's answer (Telegram runs the method given there):
   * no Bot API call of its own, and the webhook is not held by one. Its result was never used;
   * only the warning of a failed answer is lost. After a failure it is still called (above).
   */
  const onWebhookUpdate = async (update: TgUpdate): Promise<WebhookReply | undefined> => {
    try {
      await onUpdate(update, true);
    } catch (err) {
      failed(err, update);
      throw err;
    }
    const q = update.callback_query;
    return q ? { method: 'answerCallbackQuery', callback_query_id: q.id } : undefined;
  };

  const routes: HttpRoute[] = [];
  let launched: Promise<void> | undefined;
  let launchSettled = false;
  if (config.webhookSecret) {
    const secret = config.webhookSecret;
    routes.push(webhookRoute({ secret, log, handleUpdate: (u) => onWebhookUpdate(u as TgUpdate) }));
    if (config.publicUrl) {
      const base = config.publicUrl.replace(/\/+$/, '');
      const url = base.endsWith(TELEGRAM_WEBHOOK_PATH) ? base : base + TELEGRAM_WEBHOOK_PATH;
      await callBotApi(bot.telegram, 'setWebhook', { url, secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] }, timeoutMs);
      log.info({ url }, 'telegram: webhook registered');
    } else {
      log.info({ path: TELEGRAM_WEBHOOK_PATH }, 'telegram: webhook mode; register the webhook URL with Telegram yourself');
    }
  } else {
    if (config.publicUrl) log.warn({}, 'telegram: a public URL without a webhook secret is ignored; using long polling');
    // launch() deletes any webhook first, then long-polls; it only resolves when polling stops.
    launched = bot
      .launch({ allowedUpdates: [...ALLOWED_UPDATES] })
      .catch((err: unknown) => log.error({ err: String(err) }, 'telegram: long polling stopped with an error'))
      .finally(() => {
        launchSettled = true;
      });
    log.info({ bot: identity.username }, 'telegram: long polling');
  }

  const sender = new TelegramSender({
    telegram: bot.telegram,
    outbox: store.outbox,
    codec,
    requestTimeoutMs: timeoutMs,
    log,
  });

  return {
    sender,
    routes,
    bot: identity,
    async stop() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      const end = Date.now() + STOP_WAIT_MS;
      if (launched) {
        // bot.stop() throws until launch() has got past deleteWebhook and started polling.
        for (;;) {
          try {
            bot.stop('adapter stopped');
            break;
          } catch {
            if (launchSettled || Date.now() > end) break;
            await sleep(20);
          }
        }
        await within(launched, end - Date.now());
      }
      await within(queue.idle(), end - Date.now());
    },
  };
}
