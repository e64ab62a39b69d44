import { createHash } from 'node:crypto';
import { type APIMessage, MessageFlags, type RawFile, type REST, Routes } from 'discord.js';
import type { OutMessage } from '../../core/kernel/message.ts';
import type { ChatSender, Delivery } from '../../core/kernel/outbox.ts';
import { chartPng, pngFileName } from '../kit/chart-png.ts';
import { DiscordCode, discordCode, toDeliveryError } from './discord-errors.ts';
import { clip } from './discord-markup.ts';
import { type DiscordMessageBody, renderMessage } from './discord-render.ts';
import type { DmChannels } from './dm-channels.ts';
import type { InteractionRegistry } from './interaction-registry.ts';

/**
 * A delivery; its outbox row id becomes the message `nonce` with `enforce_nonce`, so a retry
 * after a lost response or a process killed mid-send returns the message Discord already
 * created (within the few minutes Discord remembers a nonce) instead of posting it again.
 */
export type DiscordDelivery = Delivery;

export interface DiscordSenderOptions {
  readonly rest: REST;
  /** Known after login when not configured (READY carries it). */
  readonly applicationId: () => string;
  readonly interactions: InteractionRegistry;
  readonly dms: DmChannels;
  readonly log: { warn(o: object, m?: string): void };
}

/**
 * How long after a row was written its nonce is still trusted to catch a repeat. Discord checks
 * an enforced nonce against "the past few minutes"; the row's first attempt came after it was
 * written, so a resend within this much of the writing is surely within Discord's window.
 */
const NONCE_TRUSTED_MS = 2 * 60_000;
/** Clocks differ: a message is taken as one an earlier attempt posted only when clearly older. */
const CLOCK_SLACK_MS = 1_000;

/** `deduplicated`: a resend cannot show twice (a post with an enforced nonce, an edit). */
type Sent = { readonly messageId: string; readonly deduplicated?: boolean };

const THREAD_ARCHIVE_MINUTES = 10080;
const TOKEN_GONE: ReadonlySet<number | undefined> = new Set([
  DiscordCode.UnknownWebhook,
  DiscordCode.InvalidWebhookToken,
  DiscordCode.UnknownInteraction,
  DiscordCode.UnknownMessage,
]);

/** A message body, with the files it uploads (the chart as PNG, shown as the embed's image). */
type Outgoing = DiscordMessageBody & { readonly attachments?: readonly object[]; readonly files?: RawFile[] };

/** The options of a REST call for `o`: JSON alone, or multipart with `payload_json` and the files. */
function request(o: Outgoing, extra: object = {}): { body: object; files?: RawFile[] } {
  const { files, ...body } = o;
  return files ? { body: { ...body, ...extra }, files } : { body: { ...body, ...extra } };
}

/** Renders the message; a chart becomes an attached PNG that the embed shows as its image. */
export async function renderWithImage(m: OutMessage): Promise<Outgoing> {
  const body = renderMessage(m);
  if (!m.image) return body;
  const name = pngFileName(m.image.name);
  const description = clip(m.image.alt, 1024);
  const [first, ...rest] = body.embeds;
  return {
    ...body,
    embeds: [{ ...(first ?? {}), image: { url: `attachment://${name}` } }, ...rest],
    attachments: [{ id: 0, filename: name, description }],
    files: [{ name, data: await chartPng(m.image.chart), contentType: 'image/png' }],
  };
}

/**
 * Answers that may go through an interaction: an earlier attempt of unknown fate may have
 * answered there (the placeholder or a follow-up, no nonce) while this one posts with the nonce,
 * or the reverse, so the nonce cannot promise the answer shows once.
 */
const mayRepeat = (d: DiscordDelivery, sent: Sent): Sent => (d.unknownFate ? { messageId: sent.messageId } : sent);

/** Discord nonces are at most 25 characters. */
export const nonceOf = (id: string): string => createHash('sha256').update(id).digest('base64url').slice(0, 25);

/**
 * Delivers outbox rows to Discord. Message ids returned are bare message snowflakes: the
 * channel is always known from the address when the row is edited later, and a thread opened
 * on a message has that message's id, so `findRef(channel, threadId)` maps a card's thread
 * back to the card.
 */
export class DiscordSender implements ChatSender {
  constructor(private readonly o: DiscordSenderOptions) {}

  async send(d: DiscordDelivery): Promise<Sent> {
    try {
      return await this.deliver(d, await renderWithImage(d.message));
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  private async deliver(d: DiscordDelivery, body: Outgoing): Promise<Sent> {
    const a = d.address;
    if (a.kind === 'channel' && d.ephemeralTo) {
      const viaInteraction = await this.answerInteraction(d.ephemeralTo, a.threadId ?? a.conversationId, body, true);
      return mayRepeat(d, viaInteraction ?? (await this.post(await this.o.dms.channelOf(d.ephemeralTo), body, d)));
    }
    if (a.kind === 'dm') {
      const channelId = () => this.o.dms.channelOf(a.conversationId);
      if (d.editMessageId) return this.edit(await channelId(), d.editMessageId, body);
      // A slash command typed in the DM is still showing "thinking…": the answer replaces it.
      const viaInteraction = this.o.interactions.mayAnswerInDm(a.conversationId)
        ? await this.answerInteraction(a.conversationId, 'dm', body, false)
        : undefined;
      return mayRepeat(d, viaInteraction ?? (await this.post(await channelId(), body, d)));
    }
    if (d.editMessageId) return this.edit(a.threadId ?? d.threadMessageId ?? a.conversationId, d.editMessageId, body);
    if (a.threadId) return this.post(a.threadId, body, d);
    if (d.threadMessageId) return this.postInThread(a.conversationId, d.threadMessageId, body, d);
    return this.post(a.conversationId, body, d);
  }

  private async post(channelId: string, body: Outgoing, d: DiscordDelivery): Promise<Sent> {
    const nonce = { nonce: nonceOf(d.id), enforce_nonce: true };
    const started = Date.now();
    const message = (await this.o.rest.post(Routes.channelMessages(channelId), request(body, nonce))) as APIMessage;
    // Older than this request: Discord returned the message an earlier attempt posted. A new one
    // is no repeat while the nonce is surely remembered; later (a row that waited in a queue or
    // through an outage), an earlier attempt may have posted outside the window: counted blind.
    const returned = Date.parse(message.timestamp) < started - CLOCK_SLACK_MS;
    const late = d.unknownFate !== undefined && started - d.unknownFate.since.getTime() >= NONCE_TRUSTED_MS;
    return late && !returned ? { messageId: message.id } : { messageId: message.id, deduplicated: true };
  }

  private async edit(channelId: string, messageId: string, body: Outgoing): Promise<Sent> {
    await this.o.rest.patch(Routes.channelMessage(channelId, messageId), request(body));
    return { messageId, deduplicated: true };
  }

  /**
   * Through the user's recent interaction in that channel: the deferred placeholder first, then
   * follow-ups (ephemeral in guild channels). Undefined when there is none or its token expired.
   */
  private async answerInteraction(userId: string, channelKey: string, body: Outgoing, ephemeral: boolean): Promise<Sent | undefined> {
    const route = await this.o.interactions.route(userId, channelKey, { originalOnly: !ephemeral });
    if (!route) return undefined;
    const app = route.applicationId || this.o.applicationId();
    try {
      const message =
        route.via === 'original'
          ? await this.o.rest.patch(Routes.webhookMessage(app, route.token, '@original'), { ...request(body), auth: false })
          : await this.o.rest.post(Routes.webhook(app, route.token), {
              ...request(body, ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
              auth: false,
            });
      // Replacing the placeholder is an edit; a webhook follow-up takes no nonce.
      return { messageId: (message as APIMessage).id, ...(route.via === 'original' ? { deduplicated: true } : {}) };
    } catch (err) {
      if (!TOKEN_GONE.has(discordCode(err))) {
        // The outbox retries this row: let the retry replace the placeholder again.
        if (route.via === 'original')
          await this.o.interactions
            .unclaimOriginal(route.token)
            .catch((e: unknown) => this.o.log.warn({ userId, channelKey, err: String(e) }, 'discord placeholder not given back'));
        throw err;
      }
      await this.o.interactions.forget(route.token);
      this.o.log.warn({ userId, channelKey, err: String(err) }, 'discord interaction token no longer valid, answering by DM');
      return undefined;
    }
  }

  /** Replies under a message: its thread has the message's id; opened on first use. */
  private async postInThread(parentId: string, starterId: string, body: Outgoing, d: DiscordDelivery): Promise<Sent> {
    try {
      return await this.post(starterId, body, d);
    } catch (err) {
      if (discordCode(err) !== DiscordCode.UnknownChannel) throw err;
    }
    const starter = (await this.o.rest.get(Routes.channelMessage(parentId, starterId))) as APIMessage;
    // Thread names are plain text: drop our markdown escapes; name it after the card's title.
    const source = (starter.embeds[0]?.title ?? starter.content).replace(/\\(.)/g, '$1').trim() || d.message.title || d.message.text;
    try {
      await this.o.rest.post(Routes.threads(parentId, starterId), {
        body: { name: clip(source.replace(/\s+/g, ' '), 100), auto_archive_duration: THREAD_ARCHIVE_MINUTES },
      });
    } catch (err) {
      // Someone opened it between our two calls: post into it all the same.
      if (discordCode(err) !== DiscordCode.ThreadAlreadyExists) throw err;
    }
    return this.post(starterId, body, d);
  }
}
