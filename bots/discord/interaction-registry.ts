/**
 * Recent, acknowledged interactions, so the outbox can answer a user *inside* the interaction
 * (ephemeral, and ending the "is thinking…" state) instead of by DM.
 *
 * Kept in process memory on purpose: an interaction token is only valid for 15 minutes and
 * only the process that received the interaction has it cheaply; when the outbox row is
 * delivered by another process (or after a restart) the sender falls back to a DM, which is a
 * correct — if less elegant — answer. Nothing here is needed for correctness or dedupe.
 */

/** Interaction tokens live 15 minutes; stop using them a little before. */
const DEFAULT_TTL_MS = 14 * 60_000;

export interface PendingInteraction {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
  /** The channel the interaction came from (the thread id inside a thread), or 'dm'. */
  readonly channelKey: string;
  /** A slash command was deferred with a placeholder reply; a component press was not. */
  readonly kind: 'command' | 'component';
  readonly expiresAt: number;
  /** The deferred placeholder has been replaced (or removed): later answers are follow-ups. */
  originalUsed: boolean;
}

/** How the next private answer goes out through an interaction. */
export type InteractionRoute = { readonly token: string; readonly via: 'original' | 'followup' };

export class InteractionRegistry {
  private readonly byKey = new Map<string, PendingInteraction>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an acknowledged interaction; it replaces an older one of the same user and channel. */
  remember(p: Omit<PendingInteraction, 'expiresAt' | 'originalUsed'>): PendingInteraction {
    this.prune();
    const entry: PendingInteraction = { ...p, expiresAt: this.now() + this.ttlMs, originalUsed: p.kind === 'component' };
    const key = keyOf(p.userId, p.channelKey);
    this.byKey.delete(key); // re-insert so the map stays ordered by age for pruning
    this.byKey.set(key, entry);
    return entry;
  }

  /**
   * Claims the way to answer `userId` in `channelKey`: the first answer to a deferred slash
   * command replaces its placeholder, later ones are follow-ups. With `originalOnly`, only an
   * unused placeholder qualifies (for DMs, where a normal message is otherwise better).
   * The claim is synchronous, so two deliveries never both edit the placeholder.
   */
  route(userId: string, channelKey: string, opts: { readonly originalOnly?: boolean } = {}): InteractionRoute | undefined {
    const entry = this.byKey.get(keyOf(userId, channelKey));
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    if (!entry.originalUsed) {
      entry.originalUsed = true;
      return { token: entry.token, via: 'original' };
    }
    return opts.originalOnly ? undefined : { token: entry.token, via: 'followup' };
  }

  /** Marks the placeholder as handled elsewhere; true if it was still unused (caller removes it). */
  claimPlaceholder(entry: PendingInteraction): boolean {
    if (entry.originalUsed) return false;
    entry.originalUsed = true;
    return true;
  }

  /** Gives the placeholder back after a failed (retryable) attempt to replace it. */
  unclaimOriginal(userId: string, channelKey: string, token: string): void {
    const entry = this.byKey.get(keyOf(userId, channelKey));
    if (entry?.token === token && entry.kind === 'command') entry.originalUsed = false;
  }

  /** Forgets an interaction whose token Discord no longer accepts. */
  forget(userId: string, channelKey: string, token: string): void {
    const key = keyOf(userId, channelKey);
    if (this.byKey.get(key)?.token === token) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.byKey) {
      if (entry.expiresAt > now) break; // insertion order = age order
      this.byKey.delete(key);
    }
  }
}

const keyOf = (userId: string, channelKey: string) => `${userId}:${channelKey}`;
