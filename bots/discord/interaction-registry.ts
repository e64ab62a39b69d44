/**
 * Recent, acknowledged interactions, so the outbox can answer a user *inside* the interaction
 * (ephemeral, and ending the "is thinking…" state) instead of by DM.
 *
 * Kept in PostgreSQL (`DeliveryContextRepository`), not in this process: the outbox row the
 * interaction causes may be delivered by any process (another bot process, a `sportello
 * worker`), and that process must answer through the same token, replacing the placeholder
 * first and following up after — exactly once each, whoever races for it. The token is valid
 * 15 minutes; after that (or when Discord refuses it) the answer goes by DM.
 */
import type { DeliveryContextRepository, InteractionRoute } from '../../core/kernel/delivery-context.ts';

export type { InteractionRoute } from '../../core/kernel/delivery-context.ts';

/** Interaction tokens live 15 minutes; stop using them a little before. */
const DEFAULT_TTL_MS = 14 * 60_000;
/** Expired rows are deleted at most this often by a process (they are never used once expired). */
const PURGE_EVERY_MS = 60_000;

export interface AcknowledgedInteraction {
  readonly id: string;
  readonly applicationId: string;
  readonly token: string;
  readonly userId: string;
  /** The channel the interaction came from (the thread id inside a thread), or 'dm'. */
  readonly channelKey: string;
  /** A slash command was deferred with a placeholder reply; a component press was not. */
  readonly kind: 'command' | 'component';
  /** When Discord created the interaction: its token lives 15 minutes from then, not from now. */
  readonly createdAt?: Date;
}

type Interactions = Pick<
  DeliveryContextRepository,
  'rememberInteraction' | 'claimInteraction' | 'unclaimOriginal' | 'claimPlaceholder' | 'forgetInteraction' | 'purgeExpiredInteractions'
>;

export class InteractionRegistry {
  private lastPurge = 0;

  constructor(
    private readonly repo: Interactions,
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records an acknowledged interaction; the user's answers in that channel go through it from now on. */
  async remember(p: AcknowledgedInteraction): Promise<void> {
    const now = this.now();
    const { createdAt, ...interaction } = p;
    // Remembered after retries or behind the user's earlier events, a token may be minutes old.
    const issued = createdAt && createdAt < now ? createdAt : now;
    await this.repo.rememberInteraction({ platform: 'discord', ...interaction, expiresAt: new Date(issued.getTime() + this.ttlMs) });
    if (now.getTime() - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = now.getTime();
      await this.repo.purgeExpiredInteractions(now);
    }
  }

  /**
   * Claims the way to answer `userId` in `channelKey`: the first answer to a deferred slash
   * command replaces its placeholder, later ones are follow-ups. With `originalOnly`, only an
   * unused placeholder qualifies (for DMs, where a normal message is otherwise better). The
   * claim is one atomic statement, so two deliveries (in any processes) never both edit the
   * placeholder.
   */
  route(userId: string, channelKey: string, opts: { readonly originalOnly?: boolean } = {}): Promise<InteractionRoute | undefined> {
    return this.repo.claimInteraction('discord', userId, channelKey, this.now(), opts);
  }

  /** Takes the placeholder to remove it; true if no answer had replaced it (the caller removes it). */
  claimPlaceholder(token: string): Promise<boolean> {
    return this.repo.claimPlaceholder('discord', token);
  }

  /** Gives the placeholder back after a failed (retryable) attempt to replace it. */
  unclaimOriginal(token: string): Promise<void> {
    return this.repo.unclaimOriginal('discord', token);
  }

  /** Forgets an interaction whose token Discord no longer accepts. */
  forget(token: string): Promise<void> {
    return this.repo.forgetInteraction('discord', token);
  }
}
