/**
 * The CMDB's port (`repos.cmdb`): items of every kind, their history (who, when, why), the
 * relations between them and the impact analysis. `db/cmdb.repository.ts` implements it.
 */
import type { CiKind, CiStatus, ConfigurationItem } from '../kernel/configuration-item.ts';
import type {
  ChangeOnItem,
  Impact,
  ItemHistoryEntry,
  ItemRelation,
  ItemSummary,
  OpenAlertOnItem,
  OpenTicketOnItem,
  RelationKind,
} from './model.ts';

export interface NewItem {
  readonly organisationId: string;
  readonly kind: CiKind;
  readonly name: string;
  readonly notes: string | null;
  readonly renewalOn: string | null;
  readonly createdBy: string | null;
}

/** What a person changes; absent fields stay. */
export interface ItemPatch {
  readonly name?: string;
  readonly status?: CiStatus;
  readonly notes?: string | null;
  readonly renewalOn?: string | null;
}

export interface ItemFilter {
  /** Undefined: every organisation. */
  readonly organisationIds?: readonly string[];
  readonly kinds?: readonly CiKind[];
  /** Retired items are left out unless asked for. */
  readonly includeRetired?: boolean;
  readonly limit: number;
  readonly offset?: number;
}

/** An item as the intake's device step sees it. */
export type DeviceCandidate = Pick<ConfigurationItem, 'id' | 'number' | 'name' | 'kind'>;

/** The outcome of adding a relation. */
export type AddRelationOutcome = 'added' | 'exists' | 'cycle';

export interface CmdbRepository {
  /** Inserts the item and its `created` history row. */
  insertItem(item: NewItem, reason: string | null, at: Date): Promise<ConfigurationItem>;
  /**
   * Applies the patch to the item (locked meanwhile) and records one history row per field that
   * really changed; undefined when the item does not exist.
   */
  updateItem(
    id: string,
    patch: ItemPatch,
    actorId: string | null,
    reason: string | null,
    at: Date,
  ): Promise<{ readonly item: ConfigurationItem; readonly changed: readonly string[] } | undefined>;
  /** By organisation, kind and name. */
  listItems(filter: ItemFilter): Promise<ConfigurationItem[]>;
  /**
   * The first `limit` items of one organisation in `listItems`' order, retired ones left out,
   * with only what the intake's device step ranks and shows.
   */
  deviceCandidates(organisationId: string, limit: number): Promise<DeviceCandidate[]>;
  countItems(filter: Omit<ItemFilter, 'limit' | 'offset'>): Promise<number>;
  /** Newest first. */
  history(itemId: string, limit: number): Promise<ItemHistoryEntry[]>;

  /**
   * Records that `sourceId` needs `targetId`. Refused (`cycle`) when the target already needs
   * the source, directly or transitively; checked in the same transaction, with relation
   * writes serialised so two concurrent links cannot close a loop together.
   */
  addRelation(sourceId: string, kind: RelationKind, targetId: string, by: string | null, at: Date): Promise<AddRelationOutcome>;
  /** False when there was no such relation. */
  removeRelation(sourceId: string, kind: RelationKind, targetId: string): Promise<boolean>;
  /** What the item needs (outgoing) and what needs it directly (incoming). */
  relations(itemId: string, limit: number): Promise<{ readonly needs: ItemRelation[]; readonly neededBy: ItemRelation[] }>;
  /**
   * Every item that needs this one, directly or through others (depth 1 = directly), nearest
   * first, at most `limit` of them (and `maxDepth` levels); cycles in stored data end the walk.
   */
  impact(itemId: string, opts: { readonly limit: number; readonly maxDepth: number }): Promise<Impact>;

  openTicketsOn(itemId: string, limit: number): Promise<OpenTicketOnItem[]>;
  openAlertsOn(itemId: string, limit: number): Promise<OpenAlertOnItem[]>;
  /** Changes (RFCs) that touch the item and are not finished, soonest window first. */
  changesTouching(itemId: string, limit: number): Promise<ChangeOnItem[]>;

  /** Licences (not retired) to be renewed on or before `until` (`YYYY-MM-DD`) not yet reminded for that date. */
  licencesToRemind(until: string, limit: number): Promise<ConfigurationItem[]>;
  /** Records the reminder for `renewalOn`; false when another worker did it first or the date moved. */
  markRenewalReminded(id: string, renewalOn: string): Promise<boolean>;
  /** Summaries of the given items (for relations and impact lists). */
  summaries(ids: readonly string[]): Promise<ItemSummary[]>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly cmdb: CmdbRepository;
  }
}
