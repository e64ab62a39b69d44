import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChatSender, Delivery } from '../../core/kernel/outbox.ts';
import type { WebMessage, WebMessageStore } from '../../core/kernel/web-chat-store.ts';

/** 'dm:<handle>' for a person's direct conversation with the bot, the channel id otherwise. */
export function conversationKey(kind: 'dm' | 'channel', id: string): string {
  return kind === 'dm' ? `dm:${id}` : id;
}

/** The client id of the web message an outbox row becomes (unique per author, see the store). */
export const outboxClientId = (outboxId: string): string => `outbox:${outboxId}`;

/** Versions remembered to recognise a message the feed brings back after this process published it. */
const REMEMBERED_VERSIONS = 10_000;

/**
 * In-process fan-out of new and edited web messages to the open browser streams. Fed both by
 * this process's writes (at once) and by the `WebMessageFeed` (every process's writes): a
 * version already published is not sent twice.
 */
export class WebHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly published = new Map<string, string>();

  publish(m: WebMessage): void {
    // Two edits can share a millisecond: the content tells them apart.
    const version = `${m.updatedAt.getTime()}:${createHash('sha1').update(JSON.stringify(m.message)).digest('base64')}`;
    if (this.published.get(m.id) === version) return;
    this.published.delete(m.id);
    this.published.set(m.id, version);
    if (this.published.size > REMEMBERED_VERSIONS) this.published.delete(this.published.keys().next().value as string);
    this.emitter.emit('message', m);
  }

  subscribe(listener: (m: WebMessage) => void): () => void {
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }
}

/**
 * The web chat's side of the outbox: "sending" is storing the message and pushing it live. The
 * outbox row id is the stored message's client id, so a row sent again (its first sender died
 * before marking it) is the same message in the history, never a second one.
 */
export class WebSender implements ChatSender {
  constructor(
    private readonly store: WebMessageStore,
    private readonly hub: WebHub,
  ) {}

  async send(d: Delivery): Promise<{ messageId: string; deduplicated: true }> {
    if (d.editMessageId) {
      const edited = await this.store.edit(d.editMessageId, d.message);
      if (edited) {
        this.hub.publish(edited);
        return { messageId: edited.id, deduplicated: true };
      }
    }
    const added = await this.store.add(
      {
        conversation: conversationKey(d.address.kind, d.address.conversationId),
        threadOf: d.threadMessageId ?? d.address.threadId ?? null,
        author: 'bot',
        ephemeralTo: d.ephemeralTo ?? null,
        message: d.message,
      },
      outboxClientId(d.id),
    );
    this.hub.publish(added);
    return { messageId: added.id, deduplicated: true };
  }
}
