/**
 * The Telegram side of the outbox: posts, edits (`editMessageText`), replies under a card, and
 * "ephemeral" messages, which Telegram lacks: they go privately to the user, or into the
 * group when the user never started the bot. Each delivery is exactly one Bot API attempt
 * (Telegraf never retries); the outbox decides about retries from the error thrown.
 */
import { Telegram } from 'telegraf';
import type { MessageImage } from '../../core/kernel/chart.ts';
import type { ChatSender, Delivery } from '../../core/kernel/outbox.ts';
import type { OutboxRepository, Store } from '../../core/kernel/ports.ts';
import { chartPng, pngFileName } from '../kit/chart-png.ts';
import { PartsSent } from '../kit/parts-sent.ts';
import { callBotApi } from './bot-api.ts';
import { CallbackCodec, dialogTokenStore } from './callback-data.ts';
import { isNotModified, isUnreachableChat, toDeliveryError } from './telegram-errors.ts';
import { escapeHtml, type RenderedMessage, renderMessage } from './telegram-html.ts';

/** A photo's caption holds 1024 characters (after the HTML is parsed). */
const CAPTION_MAX = 1024;
const visibleLength = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, '&').length;

export interface TelegramSenderOptions {
  readonly telegram: Telegram;
  readonly outbox: Pick<OutboxRepository, 'findRef'>;
  readonly codec: CallbackCodec;
  /** Longest wait for one Bot API call (the outbox renews its lease meanwhile, up to its `maxSendMs`). */
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
  /** Deliveries in two calls (text, then chart) whose text arrived: a retry sends only the photo. */
  private readonly partsSent = new PartsSent();

  constructor(private readonly opts: TelegramSenderOptions) {}

  async send(d: Delivery): Promise<{ readonly messageId: string | null }> {
    const rendered = await renderMessage(d.message, (a, v) => this.opts.codec.encode(a, v));
    if (d.editMessageId) return this.edit(d, d.editMessageId, rendered);
    if (d.ephemeralTo) return this.ephemeral(d, d.ephemeralTo, rendered);
    const where = await this.placement(d);
    try {
      // The Telegram message_id as is: replies to this message are mapped back with findRef.
      return { messageId: String(await this.post(d.address.conversationId, rendered, where, d)) };
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
      await this.post(userId, r, {}, d);
    } catch (err) {
      const inGroup = d.address.kind === 'channel' && d.address.conversationId !== userId;
      if (!inGroup || !isUnreachableChat(err)) throw toDeliveryError(err, 'sendMessage');
      this.opts.log.warn({ userId, chatId: d.address.conversationId }, 'telegram: user has not started the bot; answering in the group');
      try {
        await this.post(d.address.conversationId, r, await this.placement(d), d);
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

  /**
   * The message, and its chart when it has one: a photo with the message as caption when the
   * text fits one (one call), otherwise the text and then the photo with the chart's alt text
   * as caption (a retry after the text arrived sends only the photo). Throws the Bot API error
   * as is, for the caller to judge.
   */
  private async post(chatId: string, r: RenderedMessage, where: Placement, d: Delivery): Promise<number> {
    const image = d.message.image;
    if (!image) return this.postText(chatId, r, where);
    if (visibleLength(r.text) <= CAPTION_MAX) return this.postPhoto(chatId, image, r.text, where, r.reply_markup);
    const key = `${d.id}:${chatId}`;
    const textId = Number(await this.partsSent.once(key, async () => String(await this.postText(chatId, r, where))));
    await this.postPhoto(chatId, image, escapeHtml(image.alt.slice(0, CAPTION_MAX - 24)), where);
    this.partsSent.done(key);
    return textId;
  }

  /** sendPhoto with the chart as a PNG upload (multipart: objects other than reply_markup go as JSON strings). */
  private async postPhoto(
    chatId: string,
    image: MessageImage,
    captionHtml: string,
    where: Placement,
    markup?: RenderedMessage['reply_markup'],
  ): Promise<number> {
    const payload = {
      chat_id: chatId,
      photo: { source: await chartPng(image.chart), filename: pngFileName(image.name) },
      caption: captionHtml,
      parse_mode: 'HTML',
      ...(markup ? { reply_markup: markup } : {}),
      ...(where.message_thread_id !== undefined ? { message_thread_id: where.message_thread_id } : {}),
      ...(where.reply_parameters ? { reply_parameters: JSON.stringify(where.reply_parameters) } : {}),
    };
    const sent = await callBotApi(this.opts.telegram, 'sendPhoto', payload as never, this.opts.requestTimeoutMs);
    return (sent as { message_id: number }).message_id;
  }

  private async postText(chatId: string, r: RenderedMessage, where: Placement): Promise<number> {
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
