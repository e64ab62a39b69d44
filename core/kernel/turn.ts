import type { UseCaseContext } from './context.ts';
import type { Locale } from './i18n.ts';
import type { Address, Inbound, OutMessage } from './message.ts';
import type { Person } from './person.ts';

/** One inbound event being handled: who, where, and how to answer there. */
export class Turn {
  readonly address: Address;

  constructor(
    readonly ctx: UseCaseContext,
    readonly inbound: Inbound,
    readonly person: Person,
    /** How long a dialog started in this turn lives. */
    readonly dialogTtlMs: number,
    /** The externally reachable base URL (links to the dashboard), when known. */
    readonly publicUrl?: string,
  ) {
    const c = inbound.conversation;
    this.address = {
      platform: inbound.platform,
      kind: c.kind,
      conversationId: c.kind === 'dm' ? inbound.sender.externalId : c.id,
      ...(c.threadId ? { threadId: c.threadId } : {}),
    };
  }

  get locale(): Locale {
    return this.ctx.actor.locale;
  }

  get inDm(): boolean {
    return this.inbound.conversation.kind === 'dm';
  }

  /** When a dialog started now expires. */
  dialogExpiry(): Date {
    return new Date(this.ctx.clock.now().getTime() + this.dialogTtlMs);
  }

  /** Dialog state is per person per conversation, so a DM and a channel never mix. */
  get dialogKey(): string {
    return Turn.dialogKeyOf(this.inbound);
  }

  static dialogKeyOf(inbound: Inbound): string {
    return `${inbound.platform}:${inbound.conversation.id}:${inbound.sender.externalId}`;
  }

  /** Answers in the conversation (in its thread, if any). */
  reply(message: OutMessage, ref?: string): void {
    this.ctx.notifier.reply(this.address, message, ref ? { ref } : {});
  }

  /** Answers only the sender: ephemeral in a channel, a normal reply in a DM. */
  replyPrivately(message: OutMessage): void {
    if (this.inDm) this.reply(message);
    else this.ctx.notifier.reply(this.address, message, { ephemeralTo: this.inbound.sender.externalId });
  }

  /** A short private answer, already in the reader's language. */
  say(text: string): void {
    this.replyPrivately({ text });
  }
}
