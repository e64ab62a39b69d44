/** The web chat's ports: its message store and the feed of messages written by any process. */
import type { OutMessage } from './message.ts';
import type { Role } from './person.ts';

/** A message as the web chat shows it; `author` is 'bot' or the sender's handle. */
export interface WebMessage {
  readonly id: string;
  readonly seq: number;
  readonly conversation: string;
  readonly threadOf: string | null;
  readonly author: string;
  readonly ephemeralTo: string | null;
  readonly message: OutMessage;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface WebUser {
  readonly handle: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly organisation: string | null;
}

/** Persistence the web chat needs; implemented on PostgreSQL in db/. */
export interface WebMessageStore {
  /**
   * Stores a message; with `clientId` (the browser's id of what a person sent) a second add with
   * the same author and id returns the first message instead of storing it again.
   */
  add(m: Omit<WebMessage, 'id' | 'seq' | 'createdAt' | 'updatedAt'>, clientId?: string): Promise<WebMessage>;
  /** Replaces the content of an earlier message; undefined when it does not exist. */
  edit(id: string, message: OutMessage): Promise<WebMessage | undefined>;
  /** The latest `limit` messages of a conversation, oldest first. */
  list(conversation: string, limit: number): Promise<WebMessage[]>;
  /** People who have a web chat identity, with their active roles. */
  users(): Promise<WebUser[]>;
  /** One of them by their web handle; undefined when there is none. */
  user(handle: string): Promise<WebUser | undefined>;
}

/**
 * Every message stored or edited, by this process or another, as it is written: the outbox row
 * that answers a browser may be delivered by any process (a `sportello worker` too), while the
 * browser's live stream is held by the process it connected to. Implemented in db/ with
 * PostgreSQL's LISTEN/NOTIFY.
 */
export interface WebMessageFeed {
  /** Calls `listener` with each message written from now on; resolves once listening. */
  listen(listener: (m: WebMessage) => void): Promise<{ close(): Promise<void> }>;
}
