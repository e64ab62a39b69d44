/**
 * A Telegram update as the engine's channel-neutral `Inbound`. Private chats are DMs (every
 * text goes to the engine); groups and supergroups are channels where only what is meant for
 * the bot goes on: commands (bare or `@thisbot`), mentions of the bot, and replies to its
 * messages. The rest of the group's chatter is none of our business.
 */
import type { Inbound } from '../../core/kernel/message.ts';
import { storableText } from '../../core/kernel/sanitize.ts';
import type { Action } from './callback-data.ts';

/** The parts of Bot API objects read here (the JSON as it arrives). */
export interface TgUser {
  readonly id: number;
  readonly is_bot?: boolean;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly username?: string;
  readonly language_code?: string;
}

export interface TgChat {
  readonly id: number;
  readonly type: string;
}

export interface TgEntity {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
  readonly user?: TgUser;
}

export interface TgMessage {
  readonly message_id: number;
  readonly chat: TgChat;
  readonly from?: TgUser;
  readonly text?: string;
  readonly caption?: string;
  readonly entities?: readonly TgEntity[];
  readonly caption_entities?: readonly TgEntity[];
  readonly message_thread_id?: number;
  readonly is_topic_message?: boolean;
  readonly reply_to_message?: TgMessage & { readonly forum_topic_created?: unknown };
}

export interface TgCallbackQuery {
  readonly id: string;
  readonly from: TgUser;
  readonly data?: string;
  readonly message?: Pick<TgMessage, 'message_id' | 'chat' | 'message_thread_id' | 'is_topic_message'>;
}

export interface TgUpdate {
  readonly update_id: number;
  readonly message?: TgMessage;
  readonly callback_query?: TgCallbackQuery;
}

/** What an update means for us. A callback query is always answered, even when ignored. */
export type UpdateEvent =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'message'; readonly inbound: Inbound }
  | { readonly kind: 'callback'; readonly queryId: string; readonly inbound?: Inbound };

export interface BotIdentity {
  readonly id: number;
  readonly username: string;
}

export interface UpdateLookups {
  /** Whether we sent this message under a stable ref (a ticket card): replies to it are about it. */
  isRefMessage(chatId: string, messageId: string): Promise<boolean>;
  decodeAction(data: string): Promise<Action | undefined>;
}

/** Dedupe key across processes and restarts: update ids are per bot. */
export const deliveryIdOf = (bot: BotIdentity, update: Pick<TgUpdate, 'update_id'>): string => `tg:${bot.id}:${update.update_id}`;

const isGroup = (chat: TgChat) => chat.type === 'group' || chat.type === 'supergroup';

function sender(user: TgUser): Inbound['sender'] {
  // A NUL in a name (PostgreSQL refuses it) would fail the update on every redelivery.
  const displayName = storableText(
    [user.first_name, user.last_name]
      .filter((x) => typeof x === 'string' && x)
      .join(' ')
      .trim(),
  );
  return {
    externalId: String(user.id),
    ...(displayName ? { displayName } : {}),
    // A language that is not a string (a forged or broken update) is no language, not a 500 for ever.
    ...(typeof user.language_code === 'string' && user.language_code ? { locale: user.language_code } : {}),
  };
}

/** A forum topic's id, for a message posted in one. */
const topicOf = (m: Pick<TgMessage, 'message_thread_id' | 'is_topic_message'>): string | undefined =>
  m.is_topic_message && m.message_thread_id !== undefined ? String(m.message_thread_id) : undefined;

/** Whether a group message is for the bot, and its text with the bot's mentions taken out. */
export function addressedText(
  m: TgMessage,
  bot: BotIdentity,
): { readonly forBot: boolean; readonly text: string; readonly command: boolean } {
  const raw = m.text ?? m.caption ?? '';
  const entities = m.entities ?? m.caption_entities ?? [];
  const me = `@${bot.username}`.toLowerCase();
  const mentions = entities.filter(
    (e) =>
      (e.type === 'mention' && raw.slice(e.offset, e.offset + e.length).toLowerCase() === me) ||
      (e.type === 'text_mention' && e.user?.id === bot.id),
  );
  let text = raw;
  for (const e of [...mentions].sort((a, b) => b.offset - a.offset)) text = text.slice(0, e.offset) + text.slice(e.offset + e.length);
  text = text.trim();
  const target = /^\/[^\s@]+@(\S+)/.exec(raw)?.[1];
  const command = raw.startsWith('/') && (target === undefined || `@${target}`.toLowerCase() === me);
  const repliesToBot = m.reply_to_message?.from?.id === bot.id && !m.reply_to_message.forum_topic_created;
  return { forBot: command || mentions.length > 0 || repliesToBot, text, command };
}

/** Whether `x` is a Bot API object with a numeric id (a user, a chat). */
const hasId = (x: unknown): x is { readonly id: number } =>
  typeof x === 'object' && x !== null && Number.isSafeInteger((x as { id?: unknown }).id);

async function fromMessage(update: TgUpdate, message: TgMessage, bot: BotIdentity, lookups: UpdateLookups): Promise<UpdateEvent> {
  const from = message.from;
  if (!hasId(from) || from.is_bot) return { kind: 'ignore' };
  // A message without its chat can never be routed as sent: answered as the private chat it must
  // be (a user's private chat has the user's id), rather than failing on every redelivery.
  const m: TgMessage =
    hasId(message.chat) && typeof message.chat.type === 'string' ? message : { ...message, chat: { id: from.id, type: 'private' } };
  const base = { platform: 'telegram' as const, deliveryId: deliveryIdOf(bot, update), sender: sender(from) };
  const chatId = String(m.chat.id);
  if (m.chat.type === 'private') {
    const text = m.text ?? m.caption;
    if (typeof text !== 'string') return { kind: 'ignore' };
    return { kind: 'message', inbound: { ...base, conversation: { id: chatId, kind: 'dm' }, text: storableText(text) } };
  }
  if (!isGroup(m.chat)) return { kind: 'ignore' };
  const { forBot, text, command } = addressedText(m, bot);
  if (!forBot) return { kind: 'ignore' };
  // Text replying to a ticket card is about that ticket; commands and the rest stay in their topic.
  const reply = m.reply_to_message;
  const cardReply =
    !command && reply?.from?.id === bot.id && (await lookups.isRefMessage(chatId, String(reply.message_id)))
      ? String(reply.message_id)
      : undefined;
  const threadId = cardReply ?? topicOf(m);
  return {
    kind: 'message',
    inbound: { ...base, conversation: { id: chatId, kind: 'channel', ...(threadId ? { threadId } : {}) }, text: storableText(text) },
  };
}

async function fromCallback(update: TgUpdate, q: TgCallbackQuery, bot: BotIdentity, lookups: UpdateLookups): Promise<UpdateEvent> {
  const ignore = { kind: 'callback', queryId: q.id } as const;
  const m = q.message;
  // Without its sender or its chat a press cannot be attributed: answered (the button stops spinning), not handled.
  if (!hasId(m?.chat) || typeof q.data !== 'string' || !hasId(q.from) || q.from.is_bot) return ignore;
  const dm = m.chat.type === 'private';
  if (!dm && !isGroup(m.chat)) return ignore;
  const action = await lookups.decodeAction(q.data);
  if (!action) return ignore;
  const threadId = dm ? undefined : topicOf(m);
  return {
    kind: 'callback',
    queryId: q.id,
    inbound: {
      platform: 'telegram',
      deliveryId: deliveryIdOf(bot, update),
      conversation: { id: String(m.chat.id), kind: dm ? 'dm' : 'channel', ...(threadId ? { threadId } : {}) },
      sender: sender(q.from),
      action,
    },
  };
}

/** Reads one update; anything we do not handle (edits, joins, other bots' traffic) is ignored. */
export async function readUpdate(update: TgUpdate, bot: BotIdentity, lookups: UpdateLookups): Promise<UpdateEvent> {
  const q = update.callback_query;
  if (q) return typeof q.id === 'string' ? fromCallback(update, q, bot, lookups) : { kind: 'ignore' };
  if (typeof update.message === 'object' && update.message !== null) return fromMessage(update, update.message, bot, lookups);
  return { kind: 'ignore' };
}

/** The chat an update belongs to, so one chat's updates are handled in order. */
export function chatKeyOf(update: TgUpdate): string {
  const chat = update.message?.chat ?? update.callback_query?.message?.chat;
  if (hasId(chat)) return String(chat.id);
  const from = update.message?.from ?? update.callback_query?.from;
  return `user:${hasId(from) ? from.id : ''}`;
}
