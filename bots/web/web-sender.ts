import { EventEmitter } from 'node:events';
import type { ChatSender, Delivery } from '../../core/kernel/outbox.ts';
import type { WebMessage, WebMessageStore } from './web-message-store.ts';

/** 'dm:<handle>' for a person's direct conversation with the bot, the channel id otherwise. */
export function conversationKey(kind: 'dm' | 'channel', id: string): string {
  return kind === 'dm' ? `dm:${id}` : id;
}

/** In-process fan-out of new and edited web messages to the open browser streams. */
export class WebHub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(m: WebMessage): void {
    this.emitter.emit('message', m);
  }

  subscribe(listener: (m: WebMessage) => void): () => void {
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }
}

/** The web chat's side of the outbox: "sending" is storing the message and pushing it live. */
export class WebSender implements ChatSender {
  constructor(
    private readonly store: WebMessageStore,
    private readonly hub: WebHub,
  ) {}

  async send(d: Delivery): Promise<{ messageId: string }> {
    if (d.editMessageId) {
      const edited = await this.store.edit(d.editMessageId, d.message);
      if (edited) {
        this.hub.publish(edited);
        return { messageId: edited.id };
      }
    }
    const added = await this.store.add({
      conversation: conversationKey(d.address.kind, d.address.conversationId),
      threadOf: d.threadMessageId ?? d.address.threadId ?? null,
      author: 'bot',
      ephemeralTo: d.ephemeralTo ?? null,
      message: d.message,
    });
    this.hub.publish(added);
    return { messageId: added.id };
  }
}
