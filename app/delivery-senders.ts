/**
 * The outbox senders of a process that delivers without receiving (`sportello worker`): one per
 * configured platform, talking to the platform's API only (no gateway, no polling, no webhook),
 * plus the web chat's when it is on. What delivery needs from the receiving side (DM channels,
 * Discord interaction tokens, card message ids, long button data) is in the database, so a row
 * goes out from here exactly as from the process that received the event.
 */
import type { Kysely } from 'kysely';
import { WebHub, WebSender } from '../bots/web/web-sender.ts';
import type { ChatSender } from '../core/kernel/outbox.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { Store } from '../core/kernel/ports.ts';
import type { Database } from '../db/schema.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

/** Each platform's SDK is loaded only when that platform is configured (discord.js alone is tens of MB). */
export async function createDeliverySenders(
  config: Pick<Config, 'slack' | 'telegram' | 'discord' | 'webChat'>,
  deps: { readonly store: Store; readonly db: Kysely<Database>; readonly log: Logger },
): Promise<Partial<Record<Platform, ChatSender>>> {
  const { store, log } = deps;
  const senders: Partial<Record<Platform, ChatSender>> = {};
  if (config.slack) {
    const { createSlackSender } = await import('../bots/slack/slack-sender.ts');
    senders.slack = createSlackSender(config.slack, { store });
  }
  if (config.telegram) {
    const { createTelegramSender } = await import('../bots/telegram/telegram-sender.ts');
    const { botToken, apiRoot } = config.telegram;
    senders.telegram = createTelegramSender({ token: botToken, apiRoot }, { store, log: log.child({ adapter: 'telegram' }) });
  }
  if (config.discord) {
    const { createDiscordSender } = await import('../bots/discord/discord-adapter.ts');
    senders.discord = createDiscordSender(config.discord, { store, log: log.child({ adapter: 'discord' }) });
  }
  // Stored here, shown live by the process holding the browser's stream (the store's feed).
  if (config.webChat) senders.web = new WebSender(new WebMessageRepository(deps.db), new WebHub());
  return senders;
}
