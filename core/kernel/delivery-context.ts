import type { Platform } from './person.ts';

/**
 * What an adapter learns on the inbound side and needs on the outbound side, kept in the
 * database so that whichever process leases an outbox row (the one that received the event, a
 * second bot process, a `sportello worker`) delivers it the same way: the DM channel a platform
 * gave a user (Slack, Discord address DMs by channel, the core by user id), and the recent
 * interaction through which a user can be answered privately (Discord's interaction token,
 * valid 15 minutes: the answer replaces the "is thinking…" placeholder, then follows up).
 */
export interface PendingInteraction {
  readonly platform: Platform;
  /** The platform's id of the interaction (for logs). */
  readonly id: string;
  /** The platform application the interaction belongs to (its webhook answers it). */
  readonly applicationId: string;
  readonly token: string;
  readonly userId: string;
  /** The conversation it came from (the thread id inside a thread), or 'dm'. */
  readonly channelKey: string;
  /** A slash command was deferred with a placeholder reply; a component press was not. */
  readonly kind: 'command' | 'component';
  readonly expiresAt: Date;
}

/** How the next private answer goes out through an interaction. */
export interface InteractionRoute {
  readonly applicationId: string;
  readonly token: string;
  /** `original` replaces the deferred placeholder; `followup` posts after it. */
  readonly via: 'original' | 'followup';
}

export interface DeliveryContextRepository {
  /** The DM channel a platform gave `userId`, learned from an inbound DM or opened by a sender. */
  findDmChannel(platform: Platform, userId: string): Promise<string | undefined>;
  rememberDmChannel(platform: Platform, userId: string, channelId: string, at: Date): Promise<void>;
  /**
   * `rememberDmChannel` for several users (a user given twice: the last channel), and in the same
   * statement which of `askKnown` have an identity on the platform (`PeopleRepository.knownAccounts`):
   * the two things an adapter needs about the sender of a DM before the engine runs.
   */
  rememberDmChannels(
    platform: Platform,
    channels: readonly { readonly userId: string; readonly channelId: string }[],
    at: Date,
    askKnown?: readonly string[],
  ): Promise<string[]>;
  /** Records an acknowledged interaction; answers go through the newest live one of the user in that conversation. */
  rememberInteraction(i: PendingInteraction): Promise<void>;
  /**
   * Claims the way to answer `userId` in `channelKey` through its newest live interaction: the
   * first claim of a deferred command gets its placeholder (`original`), later ones follow up.
   * With `originalOnly`, only an unused placeholder qualifies. Atomic: of two concurrent claims,
   * in any processes, one gets the placeholder.
   */
  claimInteraction(
    platform: Platform,
    userId: string,
    channelKey: string,
    now: Date,
    opts?: { readonly originalOnly?: boolean },
  ): Promise<InteractionRoute | undefined>;
  /** Gives the placeholder back after a failed (retryable) attempt to replace it. */
  unclaimOriginal(platform: Platform, token: string): Promise<void>;
  /** Takes the still unused placeholder of that interaction, to remove it; false when an answer took it. */
  claimPlaceholder(platform: Platform, token: string): Promise<boolean>;
  /** Forgets an interaction whose token the platform no longer accepts. */
  forgetInteraction(platform: Platform, token: string): Promise<void>;
  /** Deletes expired interactions; returns how many. */
  purgeExpiredInteractions(now: Date): Promise<number>;
  /** The users with a live interaction in `channelKey` ('dm': their DM), with when their newest expires. */
  liveInteractionUsers(platform: Platform, channelKey: string, now: Date): Promise<{ readonly userId: string; readonly expiresAt: Date }[]>;
}

declare module './ports.ts' {
  interface Repositories {
    readonly deliveryContext: DeliveryContextRepository;
  }
}
