/**
 * The Telegram side of the outbox: posts, edits (`editMessageText`), replies under a card, and
 * "ephemeral" messages, which Telegram lacks: they go privately to the user, or into the
 * group when the user never started the bot. Each delivery is exactly one Bot API attempt
 * (Telegraf never retries); the outbox decides about retries from the error thrown.
 */
import { Telegram } from 'telegraf';
import type { ChatSender, Delivery } from '../../core/kernel/outbox.ts';
import type { OutboxRepository, Store } from '../../core/kernel/ports.ts';
import { callBotApi } from './bot-api.ts';
import { CallbackCodec, dialogTokenStore } from './callback-data.ts';
import { isNotModified, isUnreachableChat, toDeliveryError } from './telegram-errors.ts';
import { type RenderedMessage, renderMessage } from './telegram-html.ts';

export interface TelegramSenderOptions {
  readonly telegram: Telegram;
  readonly outbox: Pick<OutboxRepository, 'findRef'>;
  readonly codec: CallbackCodec;
  /** Longest wait for one Bot API call; well under the outbox lease, so no second worker sends meanwhile. */
  readonly requestTimeoutMs: number;
  readonly log: { warn(obj: object, msg?: string): void };
}

/** Where in a group a message goes: a forum topic and/or as a reply to an earlier message. */
interface Placement {
  readonly message_thread_id?: number;
  readonly reply_parameters?: { readonly message_id: number; readonly allow_sending_without_reply: true };
}

const asMessageId = (s: string | undefined): number | undefined => {
  const n = Number(s);
  return s !== undefined && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/**
 * A sender without polling or the webhook, for processes that only deliver outbox rows
 * (`sportello worker`). Telegram needs nothing the receiving process learned: a private chat's
 * id is the user's id, card message ids and long button data are in the database already.
 */
export function createTelegramSender(
  config: { readonly token: string; readonly apiRoot?: string | undefined; readonly requestTimeoutMs?: number },
  deps: { readonly store: Pick<Store, 'outbox' | 'dialogs'>; readonly log: { warn(obj: object, msg?: string): void } },
): TelegramSender {
  const telegram = new Telegram(config.token, { webhookReply: false, ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}) });
  return new TelegramSender({
    telegram,
    outbox: deps.store.outbox,
    codec: new CallbackCodec(dialogTokenStore(deps.store.dialogs)),
    requestTimeoutMs: config.requestTimeoutMs ?? 10_000,
    log: deps.log,
  });
}

export class TelegramSender implements ChatSender {
  constructor(private readonly opts: TelegramSenderOptions) {}

  async send(d: Delivery): Promise<{ readonly messageId: string | null }> {
    const rendered = await renderMessage(d.message, (a, v) => this.opts.codec.encode(a, v));
    if (d.editMessageId) return this.edit(d, d.editMessageId, rendered);
    if (d.ephemeralTo) return this.ephemeral(d, d.ephemeralTo, rendered);
    const where = await this.placement(d);
    try {
      // The Telegram message_id as is: replies to this message are mapped back with findRef.
      return { messageId: String(await this.post(d.address.conversationId, rendered, where)) };
    } catch (err) {
      throw toDeliveryError(err, 'sendMessage');
    }
  }

  private async edit(d: Delivery, messageId: string, r: RenderedMessage): Promise<{ messageId: string }> {
    try {
      await callBotApi(
        this.opts.telegram,
        'editMessageText',
        {
          chat_id: d.address.conversationId,
          message_id: Number(messageId),
          text: r.text,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          // An explicit empty keyboard removes buttons the new version no longer has.
          reply_markup: r.reply_markup ?? { inline_keyboard: [] },
        },
        this.opts.requestTimeoutMs,
      );
    } catch (err) {
      if (!isNotModified(err)) throw toDeliveryError(err, 'editMessageText');
    }
    return { messageId };
  }

  private async ephemeral(d: Delivery, userId: string, r: RenderedMessage): Promise<{ messageId: null }> {
    try {
      await this.post(userId, r, {});
    } catch (err) {
      const inGroup = d.address.kind === 'channel' && d.address.conversationId !== userId;
      if (!inGroup || !isUnreachableChat(err)) throw toDeliveryError(err, 'sendMessage');
      this.opts.log.warn({ userId, chatId: d.address.conversationId }, 'telegram: user has not started the bot; answering in the group');
      try {
        await this.post(d.address.conversationId, r, await this.placement(d));
      } catch (again) {
        throw toDeliveryError(again, 'sendMessage');
      }
    }
    // Not a message anyone edits later, and not necessarily in the addressed chat.
    return { messageId: null };
  }

  /**
   * A channel address's `threadId` is either a forum topic (bindings, messages typed in a topic)
   * or, for text replying to one of our ref'd messages (a card), that message's id; the
   * platform_messages table tells them apart. `threadMessageId` replies under a card.
   */
  private async placement(d: Delivery): Promise<Placement> {
    const { address } = d;
    const thread = address.kind === 'channel' ? asMessageId(address.threadId) : undefined;
    let topic: number | undefined;
    let replyTo = asMessageId(d.threadMessageId);
    if (thread !== undefined) {
      const isOurMessage = await this.opts.outbox.findRef('telegram', address.conversationId, String(thread));
      if (isOurMessage) replyTo ??= thread;
      else topic = thread;
    }
    return {
      ...(topic !== undefined ? { message_thread_id: topic } : {}),
      ...(replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
    };
  }

  /** One sendMessage; throws the Bot API error as is, for the caller to judge. */
  private async post(chatId: string, r: RenderedMessage, where: Placement): Promise<number> {
    const sent = await callBotApi(
      this.opts.telegram,
      'sendMessage',
      {
        chat_id: chatId,
        text: r.text,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(r.reply_markup ? { reply_markup: r.reply_markup } : {}),
        ...where,
      },
      this.opts.requestTimeoutMs,
    );
    return sent.message_id;
  }
}
