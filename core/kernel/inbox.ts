import type { Platform } from './person.ts';

/** A verified platform event kept until it has been handled: the raw payload, as received. */
export interface InboxEntry {
  readonly platform: Platform;
  /** The platform's id of the event (Slack's `event_id`): the engine's delivery id. */
  readonly deliveryId: string;
  readonly payload: unknown;
  readonly receivedAt: Date;
  /** How many times the replay sweep has taken it (0: only the receiving process had it). */
  readonly attempts: number;
}

export type NewInboxEntry = Omit<InboxEntry, 'attempts'> & {
  readonly leasedUntil: Date;
  /** Who sent it, looked up (and their DM channel remembered) by the statement that stores it. */
  readonly sender?: InboxSender;
};

/** An event's sender: their platform id, and the DM channel the event came from (to remember). */
export interface InboxSender {
  readonly externalId: string;
  readonly dmChannel?: string;
}

/**
 * The durable inbox of a platform that delivers events over HTTP and redelivers only when not
 * answered: an event is stored (one statement) before the platform is answered, handled after,
 * and removed once the engine committed it or it was ignored. An event still there when its
 * lease ran out (the process died, the database was away) is taken again by a replay sweep; the
 * engine's dedupe makes a replay of an event that did commit count once.
 */
export interface InboxRepository {
  /**
   * Stores the events (one statement), each leased to the caller until its `leasedUntil`;
   * returns the delivery ids stored now: one missing was stored already (a redelivery: whoever
   * holds it, or the sweep, handles it), as is the second of one id given twice.
   */
  add(entries: readonly NewInboxEntry[]): Promise<string[]>;
  /**
   * `add`, in the same statement storing the entries' senders' DM channels (one per sender, the
   * latest given) and looking the senders up: `known`, the external ids with an identity.
   */
  addWithSenders(entries: readonly NewInboxEntry[]): Promise<{ readonly stored: string[]; readonly known: string[] }>;
  /** Removes handled (or ignored) events; one statement for all of them. */
  remove(platform: Platform, deliveryIds: readonly string[]): Promise<void>;
  /**
   * Takes up to `limit` events of `platform` whose lease ran out by `now`, oldest first, leased
   * until `leasedUntil` (each take counts an attempt). Rows another process is taking are skipped.
   */
  lease(platform: Platform, now: Date, limit: number, leasedUntil: Date): Promise<InboxEntry[]>;
}

declare module './ports.ts' {
  interface Repositories {
    readonly inbox: InboxRepository;
  }
}
