/**
 * The ports core needs from the outside world. `db/` implements the repositories on
 * PostgreSQL; a use case receives a `Repositories` bound to one transaction, so everything it
 * writes (ticket, history, outbox rows) commits or rolls back together.
 */
import type { Locale } from './i18n.ts';
import type { OutboxEntry, OutboxRecord } from './outbox.ts';
import type { Identity, Organisation, Person, Platform, Role, RoleGrant } from './person.ts';

export interface Clock {
  now(): Date;
}

export interface PeopleRepository {
  createOrganisation(o: Omit<Organisation, 'id' | 'createdAt'>, at: Date): Promise<Organisation>;
  findOrganisation(id: string): Promise<Organisation | undefined>;
  findOrganisationByFiscalCode(code: string): Promise<Organisation | undefined>;
  listOrganisations(): Promise<Organisation[]>;
  createPerson(p: Omit<Person, 'id' | 'createdAt'>, at: Date): Promise<Person>;
  /** Like `createPerson`, but nothing (undefined) when the handle is taken, also by a transaction committing at the same time. */
  createPersonIfHandleFree(p: Omit<Person, 'id' | 'createdAt'>, at: Date): Promise<Person | undefined>;
  findPerson(id: string): Promise<Person | undefined>;
  findPersonByHandle(handle: string): Promise<Person | undefined>;
  /** People holding an active grant of `role`. */
  listPeopleWithRole(role: Role): Promise<Person[]>;
  setLocale(personId: string, locale: Locale): Promise<void>;
  findIdentity(platform: Platform, externalId: string): Promise<Identity | undefined>;
  /** Which of these platform accounts have an identity (one statement). */
  knownAccounts(platform: Platform, externalIds: readonly string[]): Promise<string[]>;
  /** The account's identity, its person and the person's active grants (oldest first), read at once. */
  findSender(platform: Platform, externalId: string): Promise<Sender | undefined>;
  /** Links (or re-links) a platform account to a person. */
  linkIdentity(i: Identity): Promise<void>;
  touchIdentity(platform: Platform, externalId: string, at: Date): Promise<void>;
  listIdentities(personId: string): Promise<Identity[]>;
  /** `vendorId` and `expiresAt` default to null. */
  grantRole(
    g: Omit<RoleGrant, 'id' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'vendorId' | 'expiresAt'> & {
      readonly vendorId?: string | null;
      readonly expiresAt?: Date | null;
    },
  ): Promise<RoleGrant>;
  /** Revokes the active grants of `role` (in `organisationId`, when given); returns how many. */
  revokeRole(personId: string, role: Role, organisationId: string | null, by: string | null, reason: string, at: Date): Promise<number>;
  activeGrants(personId: string): Promise<RoleGrant[]>;
  /** Every grant and revocation of a role, newest first (the committee's register). */
  listGrants(filter: { readonly role?: Role; readonly activeOnly?: boolean }): Promise<RoleGrant[]>;
}

export const CHANNEL_PURPOSES = ['volunteers', 'alerts', 'committee', 'community', 'observers'] as const;
export type ChannelPurpose = (typeof CHANNEL_PURPOSES)[number];

export interface ChannelBinding {
  readonly purpose: ChannelPurpose;
  readonly platform: Platform;
  readonly conversationId: string;
  readonly threadId: string | null;
  readonly organisationId: string | null;
  readonly boundBy: string | null;
  readonly boundAt: Date;
}

export interface ChannelRepository {
  /** Binds a conversation for a purpose; rebinding the same conversation updates it. */
  bind(b: ChannelBinding): Promise<void>;
  unbind(platform: Platform, conversationId: string, purpose: ChannelPurpose): Promise<boolean>;
  list(purpose?: ChannelPurpose): Promise<ChannelBinding[]>;
  find(platform: Platform, conversationId: string): Promise<ChannelBinding[]>;
}

export interface DialogRepository {
  /** The live (unexpired) dialog state of a conversation, locked for this transaction. */
  get(key: string, now: Date): Promise<unknown | undefined>;
  put(key: string, state: unknown, expiresAt: Date): Promise<void>;
  delete(key: string): Promise<void>;
  purgeExpired(now: Date): Promise<number>;
}

/** A platform account as every inbound event first needs it: its identity, person and active grants. */
export interface Sender {
  readonly identity: Identity;
  readonly person: Person;
  readonly grants: RoleGrant[];
}

/** What the conversation engine reads first for every inbound event, in one round trip. */
export interface TurnRepository {
  /**
   * Marks the delivery seen, as `deliveries.markSeen`: undefined when it was seen before (a
   * duplicate: nothing else is locked). Otherwise locks the dialog `dialogKey` for the
   * transaction, as `dialogs.get` does (whose next call for that key then costs at most one
   * query), and returns the sender's account (undefined: a first contact).
   */
  open(q: {
    readonly platform: Platform;
    readonly deliveryId: string;
    readonly externalId: string;
    readonly dialogKey: string;
    readonly at: Date;
  }): Promise<{ readonly sender: Sender | undefined } | undefined>;
}

export interface DeliveryRepository {
  /** Records an inbound delivery id; false when it was seen before (a duplicate). */
  markSeen(platform: Platform, deliveryId: string, at: Date): Promise<boolean>;
  /** Forgets deliveries seen before `before` (platforms redeliver within hours, not weeks). */
  forgetBefore(before: Date): Promise<number>;
}

/**
 * What a one-time code grants: `link` proves a second platform account belongs to `personId`;
 * `invite` makes whoever uses it a member (requester or ict_lead) of `organisationId`.
 */
export type OneTimeCodePurpose =
  | { readonly kind: 'link'; readonly personId: string }
  | { readonly kind: 'invite'; readonly organisationId: string; readonly role: 'requester' | 'ict_lead'; readonly createdBy: string }
  /** `enrol` lets a monitoring agent join `organisationId` (typed by the agent, never in chat). */
  | { readonly kind: 'enrol'; readonly organisationId: string; readonly createdBy: string };

export interface LinkCodeRepository {
  create(code: string, purpose: OneTimeCodePurpose, expiresAt: Date): Promise<void>;
  /** Consumes a live code exactly once (only of `kinds`, when given); returns what it grants, or undefined. */
  consume(code: string, now: Date, kinds?: readonly OneTimeCodePurpose['kind'][]): Promise<OneTimeCodePurpose | undefined>;
  /** Deletes codes that expired before `before`; returns how many. */
  purgeExpired(before: Date): Promise<number>;
}

/** One entry for `OutboxRepository.markDeliveredAll`, with `markDelivered`'s arguments. */
export interface DeliveredMark {
  readonly id: string;
  readonly attempt: number;
  readonly platformMessageId: string | null;
  readonly blindResend: boolean;
}

export interface OutboxRepository {
  enqueue(entries: readonly OutboxEntry[], at: Date): Promise<void>;
  /**
   * Leases up to `limit` due entries, oldest first, one per conversation at a time, only for
   * `platforms` when given (a process leases only what its adapters can send). Each lease
   * increments the record's `attempts`, which fences the marks below.
   */
  lease(
    now: Date,
    limit: number,
    leaseMs: number,
    platforms?: readonly Platform[],
    /** Rows this process is sending now: never leased again by it, whatever their lease says. */
    exclude?: readonly string[],
  ): Promise<OutboxRecord[]>;
  /** Deletes rows delivered or given up before `before` (their message references stay); returns how many. */
  purgeDone(before: Date): Promise<number>;
  /**
   * Extends the leases still held as `attempt` to `leasedUntil` (the heartbeat of a process
   * sending them); returns the ids renewed: a missing id was lost to another worker.
   */
  renew(leases: readonly { readonly id: string; readonly attempt: number }[], leasedUntil: Date): Promise<string[]>;
  /**
   * Marks the entry delivered if it is still the lease taken as `attempt` (false: the lease
   * expired and another worker took the entry over). `blindResend`: it was sent again after an
   * attempt of unknown fate with no platform check, so it may show twice (see `inFlightResends`).
   */
  markDelivered(id: string, attempt: number, at: Date, platformMessageId: string | null, blindResend?: boolean): Promise<boolean>;
  /** `markDelivered` for several entries in one statement; returns the ids marked (a missing one was taken over). */
  markDeliveredAll(marks: readonly DeliveredMark[], at: Date): Promise<string[]>;
  /**
   * Rows delivered since `since` by a blind resend, per platform: the messages a process killed
   * mid-send, or a send with no answer, may have made appear twice (the reliability run's `in_flight`).
   */
  inFlightResends(since: Date): Promise<Partial<Record<Platform, number>>>;
  /**
   * Schedules a retry at `retryAt`, or gives up for good when null; fenced like `markDelivered`.
   * `rateLimited` does not count as a failure (no longer backoff); `fateUnknown` (no answer came)
   * tells the next attempt the platform may show the message already.
   */
  markFailed(
    id: string,
    attempt: number,
    error: string,
    retryAt: Date | null,
    how?: { readonly rateLimited?: boolean; readonly fateUnknown?: boolean },
  ): Promise<boolean>;
  /** Platform message id of an earlier message with a stable reference in a conversation. */
  findMessage(platform: Platform, conversationId: string, ref: string): Promise<string | undefined>;
  rememberMessage(platform: Platform, conversationId: string, ref: string, platformMessageId: string): Promise<void>;
  /** The stable reference of a platform message we sent (to map thread replies to a ticket). */
  findRef(platform: Platform, conversationId: string, platformMessageId: string): Promise<string | undefined>;
}

/**
 * Everything a use case may touch, bound to one transaction. The ground floor lists its own
 * repositories; each feature adds its own with a `declare module` block beside its ports (see
 * tickets/ports.ts), so this floor never imports a feature and a transaction still offers them all.
 */
export interface Repositories {
  readonly people: PeopleRepository;
  readonly channels: ChannelRepository;
  readonly dialogs: DialogRepository;
  readonly deliveries: DeliveryRepository;
  readonly turns: TurnRepository;
  readonly linkCodes: LinkCodeRepository;
  readonly outbox: OutboxRepository;
}

/**
 * What a committed transaction wrote that background work waits for, so the process wakes only
 * that: outbox rows (the dispatcher delivers them) and SLA events (the timer pump sets their
 * timers). A transaction that wrote neither wakes nothing.
 */
export interface Written {
  readonly outbox: number;
  readonly slaEvents: number;
}

/** Runs work in one database transaction; `Repositories` outside a transaction auto-commit. */
export interface Store extends Repositories {
  /** `onCommit` is told what the transaction wrote, once it committed (not when it rolled back). */
  transaction<T>(work: (repos: Repositories) => Promise<T>, opts?: { readonly onCommit?: (written: Written) => void }): Promise<T>;
}
