import type { Locale } from './i18n.ts';
import type { Address, OutMessage } from './message.ts';
import type { OutboxEntry } from './outbox.ts';
import type { ChannelBinding, ChannelPurpose, Repositories } from './ports.ts';

/** Builds a message in the recipient's language. */
export type Compose = (locale: Locale) => OutMessage;

/**
 * Turns "tell this person" / "post to the volunteers channel" into concrete outbox rows, in
 * the caller's transaction. Addresses are resolved now (the person's most recently used
 * account, every conversation bound for the purpose) so delivery needs no domain knowledge.
 */
export class Notifier {
  private readonly entries: OutboxEntry[] = [];

  constructor(
    private readonly repos: Repositories,
    private readonly defaultLocale: Locale,
  ) {}

  /** A direct message on the account the person used last; false if they have none. */
  async toPerson(personId: string, compose: Compose, ref?: string): Promise<boolean> {
    const [person, identities] = await Promise.all([this.repos.people.findPerson(personId), this.repos.people.listIdentities(personId)]);
    const latest = identities.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())[0];
    if (!person || !latest) return false;
    this.push({
      address: { platform: latest.platform, kind: 'dm', conversationId: latest.externalId },
      message: compose(person.locale),
      ...(ref ? { ref } : {}),
    });
    return true;
  }

  /**
   * Posts (or, with `ref`, upserts) in every conversation bound for `purpose` — global bindings
   * plus those of `organisationId`. `threadRef` replies under an earlier message.
   */
  async toChannels(
    purpose: ChannelPurpose,
    compose: Compose,
    opts: { readonly organisationId?: string | null; readonly ref?: string; readonly threadRef?: string } = {},
  ): Promise<number> {
    const entries = this.channelEntries(await this.repos.channels.list(purpose), compose, opts);
    for (const e of entries) this.push(e);
    return entries.length;
  }

  /**
   * The entries `toChannels` posts for a purpose whose bindings are `bindings`, without queuing
   * them: for a caller that writes them itself (a new ticket's card, written by its opening).
   */
  channelEntries(
    bindings: readonly ChannelBinding[],
    compose: Compose,
    opts: { readonly organisationId?: string | null; readonly ref?: string; readonly threadRef?: string } = {},
  ): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (const b of bindings) {
      if (b.organisationId !== null && b.organisationId !== opts.organisationId) continue;
      entries.push({
        address: {
          platform: b.platform,
          kind: 'channel',
          conversationId: b.conversationId,
          ...(b.threadId ? { threadId: b.threadId } : {}),
          ...(opts.threadRef ? { threadRef: opts.threadRef } : {}),
        },
        message: compose(this.defaultLocale),
        ...(opts.ref ? { ref: opts.ref } : {}),
      });
    }
    return entries;
  }

  /** How many entries wait for `flush`. */
  get pending(): number {
    return this.entries.length;
  }

  /** A reply in the conversation an inbound event came from. */
  reply(address: Address, message: OutMessage, opts: { readonly ref?: string; readonly ephemeralTo?: string } = {}): void {
    this.push({ address, message, ...opts });
  }

  push(entry: OutboxEntry): void {
    this.entries.push(entry);
  }

  /** Writes everything collected to the outbox; call once, at the end of the use case. */
  async flush(at: Date): Promise<number> {
    const n = this.entries.length;
    if (n > 0) await this.repos.outbox.enqueue(this.entries.splice(0), at);
    return n;
  }
}
