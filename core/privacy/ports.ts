/**
 * The privacy feature's port: everything held about one person (the export), the erasure that
 * pseudonymises it, the register of both, the one-time links that deliver an export asked for in
 * chat, and the retention of closed tickets. `db/privacy.repository.ts` implements it; it knows
 * every table that holds personal data, so a new table with a person column is added there.
 */

/** Why a download link was refused: never issued (forged), already used, or past its expiry. */
export type ExportLinkRefusal = 'unknown' | 'used' | 'expired';

/** What an erasure writes in place of the person and of what they wrote. */
export interface Pseudonym {
  readonly handle: string;
  readonly displayName: string;
  /** Replaces every text the person wrote. */
  readonly removedText: string;
}

/** Rows touched by an erasure, per table (for the record and the operator). */
export type ErasureCounts = Readonly<Record<string, number>>;

export interface ErasureResult {
  /** The person had been erased before: this run only swept again. */
  readonly alreadyErased: boolean;
  readonly counts: ErasureCounts;
}

/** A JSON document: the person row, then one list per kind of data (tickets, comments, identities…). */
export type PersonExport = Readonly<Record<string, unknown>>;

export type PrivacyRequestKind = 'export' | 'erase' | 'retention';
export type PrivacyChannel = 'cli' | 'chat' | 'job';

export interface PrivacyRequest {
  readonly kind: PrivacyRequestKind;
  /** Whose data (null for a retention run). */
  readonly personId: string | null;
  /** Who asked: null for the system (the CLI operator, the scheduled job). */
  readonly requestedBy: string | null;
  readonly channel: PrivacyChannel;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

export interface PrivacyRepository {
  /** Everything held about the person, theirs only (no other person's name, text or account). */
  exportPerson(personId: string, at: Date): Promise<PersonExport>;
  /**
   * Pseudonymises the person: name, handle, email, phone replaced; platform accounts, sessions and
   * links deleted; every text they wrote replaced; their name, contacts and texts scrubbed from
   * what others wrote and from the messages sent. Rows, foreign keys and histories stay.
   */
  erasePerson(personId: string, pseudonym: Pseudonym, at: Date): Promise<ErasureResult>;
  record(r: PrivacyRequest): Promise<void>;
  /** The requests about a person, oldest first. */
  requests(personId: string): Promise<PrivacyRequest[]>;
  /** A new one-time download link for the person's export; returns the token (only its hash is stored). */
  createExportLink(personId: string, now: Date, expiresAt: Date): Promise<string>;
  /** Uses a link exactly once; a refused token says why. */
  consumeExportLink(token: string, now: Date): Promise<{ readonly personId: string } | { readonly refused: ExportLinkRefusal }>;
  /** Deletes export links that expired before `before`; returns how many. */
  purgeExpiredLinks(before: Date): Promise<number>;
  /**
   * Removes the texts of up to `limit` tickets closed before `closedBefore` and not yet cleared
   * (title, description, comments, the deflection queries that led to them, their texts in the
   * messages sent); marks them cleared. Returns their refs.
   */
  clearClosedTickets(closedBefore: Date, removedText: string, at: Date, limit: number): Promise<string[]>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly privacy: PrivacyRepository;
  }
}
