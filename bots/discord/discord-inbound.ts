import { type Interaction, type Message, MessageFlags, type REST, Routes, type User } from 'discord.js';
import type { ConversationEngine } from '../../core/conversation/engine.ts';
import type { Inbound } from '../../core/kernel/message.ts';
import type { OutboxRepository } from '../../core/kernel/ports.ts';
import { retryWithBackoff } from '../kit/engine-retry.ts';
import { KeyedQueue } from '../kit/keyed-queue.ts';
import { commandText } from './discord-commands.ts';
import { decodeCustomId } from './discord-render.ts';
import type { DmChannels } from './dm-channels.ts';
import type { AcknowledgedInteraction, InteractionRegistry } from './interaction-registry.ts';

/** 250 ms doubling to 30 s: about three and a half minutes of retries before an event is given up. */
const HANDLE_ATTEMPTS = 14;
export interface InboundLog {
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface DiscordInboundOptions {
  readonly engine: Pick<ConversationEngine, 'handle'>;
  readonly outbox: Pick<OutboxRepository, 'findRef'>;
  readonly rest: REST;
  readonly interactions: InteractionRegistry;
  readonly dms: DmChannels;
  readonly log: InboundLog;
  readonly botUserId: () => string;
  readonly applicationId: () => string;
  /** How long a deferred slash command waits for a private answer before its placeholder goes. */
  readonly replyGraceMs: number;
}

type Conversation = Inbound['conversation'];

const MAX_LOCALES = 50_000;

/**
 * Whether a guild message is meant for the bot (`!command` or a mention of it), and its text
 * without the mention; the engine itself strips a leading `!`.
 */
export function addressedText(content: string, botUserId: string): { addressed: boolean; text: string } {
  const mention = new RegExp(`<@!?${botUserId}>`, 'g');
  const mentioned = botUserId !== '' && mention.test(content);
  const text = mentioned ? content.replace(mention, ' ').replace(/\s+/g, ' ').trim() : content.trim();
  return { addressed: mentioned || text.startsWith('!'), text };
}

/**
 * Turns gateway events into engine calls. DMs always go in; in guild channels only what is
 * addressed to the bot, plus anything typed in the thread of one of our own messages (a ticket
 * card, the volunteers' workspace; a community question, whose thread holds its answers). Interactions are acknowledged at once (Discord allows 3 s), then
 * handled. Events of one user in one conversation are handled in order.
 */
export class DiscordInbound {
  private readonly queue = new KeyedQueue();
  private readonly inflight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly locales = new Map<string, string>();
  private readonly stopping = new AbortController();

  constructor(private readonly o: DiscordInboundOptions) {}

  onMessage(msg: Message): void {
    if (msg.author.bot || msg.system || msg.webhookId) return;
    if (!msg.inGuild()) {
      const inbound = this.inbound(msg.id, { id: msg.channelId, kind: 'dm' }, msg.author, { text: msg.content });
      // Stored before the engine writes the answer, so whichever process delivers it knows the channel.
      this.run(`dm:${msg.author.id}`, () => this.handle(inbound, () => this.o.dms.learn(msg.author.id, msg.channelId)));
      return;
    }
    const channel = msg.channel;
    const thread = channel.isThread() ? channel : undefined;
    const conversation: Conversation = thread
      ? { id: thread.parentId ?? thread.id, kind: 'channel', threadId: thread.id }
      : { id: msg.channelId, kind: 'channel' };
    const { addressed, text } = addressedText(msg.content, this.o.botUserId());
    this.run(`${msg.channelId}:${msg.author.id}`, async () => {
      if (!addressed && !(thread && (await this.isOurThread(conversation.id, thread.id)))) return;
      await this.handle(this.inbound(msg.id, conversation, msg.author, { text }));
    });
  }

  onInteraction(i: Interaction): void {
    if (!i.isChatInputCommand() && !i.isButton() && !i.isStringSelectMenu()) return;
    const inGuild = i.inGuild();
    if (i.locale) this.rememberLocale(i.user.id, i.locale);
    const channelKey = inGuild ? (i.channelId ?? '') : 'dm';
    const channel = i.channel;
    const thread = channel?.isThread() ? channel : undefined;
    const conversation: Conversation = !inGuild
      ? { id: i.channelId ?? i.user.id, kind: 'dm' }
      : thread
        ? { id: thread.parentId ?? thread.id, kind: 'channel', threadId: thread.id }
        : { id: i.channelId ?? '', kind: 'channel' };
    const input = i.isChatInputCommand()
      ? { text: commandText(i.commandName, (n) => i.options.getString(n)) }
      : { action: decodeCustomId(i.customId, i.isStringSelectMenu() ? i.values[0] : undefined) };
    const inbound = this.inbound(i.id, conversation, i.user, input);
    const kind = i.isChatInputCommand() ? 'command' : 'component';

    const acknowledged = this.track(this.acknowledge(i, inGuild));
    const dmChannel = !inGuild ? i.channelId : null;
    this.run(`${channelKey}:${i.user.id}`, async () => {
      const ok = await acknowledged;
      const entry: AcknowledgedInteraction | undefined = ok
        ? {
            id: i.id,
            applicationId: i.applicationId || this.o.applicationId(),
            token: i.token,
            userId: i.user.id,
            channelKey,
            kind,
            createdAt: i.createdAt,
          }
        : undefined;
      // The interaction (and a DM's channel) is stored before the engine writes the answer: the
      // process that delivers it, whichever it is, answers through the token.
      await this.handle(inbound, async () => {
        if (dmChannel) await this.o.dms.learn(i.user.id, dmChannel);
        if (entry) await this.o.interactions.remember(entry);
      });
      if (entry?.kind === 'command') this.removePlaceholderLater(entry);
    });
  }

  /** Waits for the events being handled and cancels pending placeholder clean-ups. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.queue.idle();
    await Promise.allSettled([...this.inflight]);
  }

  private inbound(
    deliveryId: string,
    conversation: Conversation,
    user: User,
    input: { text?: string; action?: { id: string; value: string } },
  ): Inbound {
    const locale = this.locales.get(user.id);
    return {
      platform: 'discord',
      // Message and interaction ids are snowflakes, unique across both: the engine dedupes on them.
      deliveryId,
      conversation,
      sender: { externalId: user.id, displayName: user.globalName ?? user.username, ...(locale ? { locale } : {}) },
      ...input,
    };
  }

  private async acknowledge(i: Interaction, inGuild: boolean): Promise<boolean> {
    try {
      if (i.isChatInputCommand()) await i.deferReply(inGuild ? { flags: MessageFlags.Ephemeral } : {});
      else if (i.isButton() || i.isStringSelectMenu()) await i.deferUpdate();
      return true;
    } catch (err) {
      // Late or replayed (already acknowledged): the engine still sees it, and dedupes replays.
      this.o.log.warn({ interactionId: i.id, err: String(err) }, 'discord interaction not acknowledged');
      return false;
    }
  }

  /**
   * The gateway does not redeliver what it already sent us, so an event the engine could not
   * take (database down) is retried here with backoff, up to about three and a half minutes; the engine's
   * dedupe makes a retry after a commit we did not hear about harmless.
   */
  private async handle(inbound: Inbound, prepare?: () => Promise<void>): Promise<void> {
    let prepared = !prepare;
    const work = async () => {
      if (!prepared) {
        await prepare?.();
        prepared = true;
      }
      await this.o.engine.handle(inbound);
    };
    await retryWithBackoff(work, {
      attempts: HANDLE_ATTEMPTS,
      maxDelayMs: 30_000,
      signal: this.stopping.signal,
      onFailure: (err, attempt, willRetry) =>
        this.o.log[willRetry ? 'warn' : 'error'](
          { deliveryId: inbound.deliveryId, attempt, err: String(err) },
          willRetry ? 'discord event not handled, retrying' : 'discord event not handled',
        ),
    });
  }

  /** A thread opened on one of our messages: the feature that posted it (the registry) takes what is written there. */
  private async isOurThread(channelId: string, threadId: string): Promise<boolean> {
    return (await this.o.outbox.findRef('discord', channelId, threadId)) !== undefined;
  }

  /**
   * A slash command whose answer was public (or none) would show "thinking…" for 15 minutes:
   * once the engine is done and the outbox had time to answer privately, drop the placeholder.
   */
  private removePlaceholderLater(entry: AcknowledgedInteraction): void {
    if (this.stopping.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // Whichever process delivered a private answer took the placeholder in the database first.
      const route = Routes.webhookMessage(entry.applicationId, entry.token, '@original');
      this.track(
        this.o.interactions
          .claimPlaceholder(entry.token)
          .then((unused) => (unused ? this.o.rest.delete(route, { auth: false }) : undefined))
          .then(
            () => undefined,
            (err: unknown) => this.o.log.warn({ interactionId: entry.id, err: String(err) }, 'discord placeholder not removed'),
          ),
      );
    }, this.o.replyGraceMs);
    timer.unref();
    this.timers.add(timer);
  }

  private rememberLocale(userId: string, locale: string): void {
    if (this.locales.size >= MAX_LOCALES) this.locales.delete(this.locales.keys().next().value as string);
    this.locales.set(userId, locale);
  }

  /** Queues `work` behind the previous event of the same key, so one user's events keep their order. */
  private run(key: string, work: () => Promise<void>): void {
    void this.queue.run(key, work).catch((err: unknown) => this.o.log.error({ key, err: String(err) }, 'discord event not handled'));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.finally(() => this.inflight.delete(settled));
    return p;
  }
}
