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
/** Users with a live DM interaction kept in memory; past it, every DM answer asks the database. */
const MAX_TRACKED = 50_000;

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
  | 'rememberInteraction'
  | 'claimInteraction'
  | 'unclaimOriginal'
  | 'claimPlaceholder'
  | 'forgetInteraction'
  | 'purgeExpiredInteractions'
  | 'liveInteractionUsers'
>;

export class InteractionRegistry {
  private lastPurge = 0;
  /** Users → when their newest interaction in their DM expires (ms), as remembered here. */
  private readonly inDms = new Map<string, number>();
  /** Whether `inDms` holds every live DM interaction (this process holds the gateway: `trackDms`). */
  private tracking = false;

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
    const expiresAt = new Date(issued.getTime() + this.ttlMs);
    if (p.channelKey === 'dm') this.noteDm(p.userId, expiresAt.getTime());
    await this.repo.rememberInteraction({ platform: 'discord', ...interaction, expiresAt });
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

  /**
   * For the process holding the gateway, through which every interaction is remembered: reads
   * the live DM interactions a previous process left, then keeps count of those remembered here,
   * so that `mayAnswerInDm` knows without a query. Any other process (a worker) asks the database.
   */
  async trackDms(): Promise<void> {
    for (const u of await this.repo.liveInteractionUsers('discord', 'dm', this.now())) this.noteDm(u.userId, u.expiresAt.getTime());
    this.tracking = true;
  }

  /**
   * Whether an answer in `userId`'s DM may go through an interaction (a slash command typed there
   * still showing its placeholder): false only when known to have none, so the answer is posted
   * without asking the database.
   */
  mayAnswerInDm(userId: string): boolean {
    if (!this.tracking) return true;
    const until = this.inDms.get(userId);
    return until !== undefined && until > this.now().getTime();
  }

  private noteDm(userId: string, until: number): void {
    if (until <= (this.inDms.get(userId) ?? 0)) return;
    if (this.inDms.size >= MAX_TRACKED) {
      const now = this.now().getTime();
      for (const [user, t] of this.inDms) if (t <= now) this.inDms.delete(user);
      // Still full of live ones: no longer sure of anyone, ask the database from now on.
      if (this.inDms.size >= MAX_TRACKED) this.tracking = false;
    }
    this.inDms.set(userId, until);
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
