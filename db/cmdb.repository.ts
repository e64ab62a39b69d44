/**
 * The CMDB on PostgreSQL: items with their history, the relations between them (source needs
 * target), the refusal of a relation that would close a loop, and the impact analysis — both
 * recursive CTEs over `configuration_item_relations`, walked from the PK (source_id, …) and the
 * (target_id, source_id) index.
 */
import { type Kysely, type QueryResult, type Selectable, sql } from 'kysely';
import type {
  ChangeOnItem,
  Impact,
  ItemHistoryEntry,
  ItemRelation,
  ItemSummary,
  OpenAlertOnItem,
  OpenTicketOnItem,
  RelationKind,
} from '../core/cmdb/model.ts';
import type {
  AddRelationOutcome,
  CmdbRepository as CmdbPort,
  DeviceCandidate,
  ItemFilter,
  ItemPatch,
  NewItem,
} from '../core/cmdb/ports.ts';
import type { ConfigurationItem } from '../core/kernel/configuration-item.ts';
import { idsForIn, isUuid } from './column-values.ts';
import { toItem } from './configuration-item.repository.ts';
import type { ItilTables } from './itil.tables.ts';
import type { ConfigurationItemsTable, MonitoringTables } from './monitoring.tables.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

type Db = Database & MonitoringTables & ItilTables;

/** Relation writes take this transaction-level lock, so two links cannot close a loop together. */
const RELATIONS_LOCK = 0x636d6462; // 'cmdb'

const OPEN_TICKET = ['new', 'assigned', 'in_progress', 'pending', 'awaiting_approval', 'approved', 'scheduled'] as const;
const UNFINISHED_CHANGE = ['new', 'assigned', 'in_progress', 'pending', 'awaiting_approval', 'approved', 'scheduled'] as const;

function toSummary(
  r: Pick<Selectable<ConfigurationItemsTable>, 'id' | 'number' | 'name' | 'kind' | 'status' | 'organisation_id'>,
): ItemSummary {
  return { id: r.id, number: Number(r.number), name: r.name, kind: r.kind, status: r.status, organisationId: r.organisation_id };
}

const SUMMARY = ['id', 'number', 'name', 'kind', 'status', 'organisation_id'] as const;

export class CmdbRepository implements CmdbPort {
  private readonly db: Kysely<Db>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>().withTables<ItilTables>();
  }

  async insertItem(item: NewItem, reason: string | null, at: Date): Promise<ConfigurationItem> {
    const row = await this.db
      .insertInto('configuration_items')
      .values({
        organisation_id: item.organisationId,
        kind: item.kind,
        name: item.name,
        facts: null,
        agent_id: null,
        notes: item.notes,
        renewal_on: item.renewalOn,
        created_by: item.createdBy,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.record(row.id, item.createdBy, at, [{ field: 'created', from: null, to: item.name }], reason);
    return toItem(row);
  }

  async updateItem(
    id: string,
    patch: ItemPatch,
    actorId: string | null,
    reason: string | null,
    at: Date,
  ): Promise<{ item: ConfigurationItem; changed: string[] } | undefined> {
    if (!isUuid(id)) return undefined;
    const before = await this.db.selectFrom('configuration_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!before) return undefined;
    const changes: { field: string; from: string | null; to: string | null }[] = [];
    const set: { name?: string; status?: ConfigurationItem['status']; notes?: string | null; renewal_on?: string | null } = {};
    if (patch.name !== undefined && patch.name !== before.name) {
      set.name = patch.name;
      changes.push({ field: 'name', from: before.name, to: patch.name });
    }
    if (patch.status !== undefined && patch.status !== before.status) {
      set.status = patch.status;
      changes.push({ field: 'status', from: before.status, to: patch.status });
    }
    if (patch.notes !== undefined && patch.notes !== before.notes) {
      set.notes = patch.notes;
      changes.push({ field: 'notes', from: before.notes, to: patch.notes });
    }
    if (patch.renewalOn !== undefined && patch.renewalOn !== before.renewal_on) {
      set.renewal_on = patch.renewalOn;
      changes.push({ field: 'renewal_on', from: before.renewal_on, to: patch.renewalOn });
    }
    if (changes.length === 0) return { item: toItem(before), changed: [] };
    const row = await this.db
      .updateTable('configuration_items')
      .set({ ...set, updated_at: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.record(id, actorId, at, changes, reason);
    return { item: toItem(row), changed: changes.map((c) => c.field) };
  }

  private async record(
    itemId: string,
    actorId: string | null,
    at: Date,
    changes: readonly { field: string; from: string | null; to: string | null }[],
    reason: string | null,
  ): Promise<void> {
    if (changes.length === 0) return;
    await this.db
      .insertInto('configuration_item_history')
      .values(
        changes.map((c) => ({
          configuration_item_id: itemId,
          actor_id: actorId,
          at,
          field: c.field,
          from_value: c.from,
          to_value: c.to,
          reason,
        })),
      )
      .execute();
  }

  private filtered(filter: Omit<ItemFilter, 'limit' | 'offset'>) {
    let q = this.db.selectFrom('configuration_items');
    if (filter.organisationIds) q = q.where('organisation_id', 'in', idsForIn(filter.organisationIds));
    if (filter.kinds?.length) q = q.where('kind', 'in', [...filter.kinds]);
    if (!filter.includeRetired) q = q.where('status', '<>', 'retired');
    return q;
  }

  async listItems(filter: ItemFilter): Promise<ConfigurationItem[]> {
    const rows = await this.filtered(filter)
      .selectAll()
      .orderBy('organisation_id')
      .orderBy('kind')
      .orderBy(sql`lower(name)`)
      .orderBy('number')
      .limit(filter.limit)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(toItem);
  }

  /**
   * Sent without holding the connection for the answer: the query a caller starts beside it
   * (the intake's community search) leaves in the same write (db/pipelined-client.ts), as the
   * turn's dialog read goes behind its opening. A failure fails the transaction all the same.
   */
  async deviceCandidates(organisationId: string, limit: number): Promise<DeviceCandidate[]> {
    const query = sql<DeviceCandidate>`${sql.raw(PREPARED)}
      select id, number, name, kind from configuration_items
       where organisation_id = ${organisationId}::uuid and status <> 'retired'
       order by kind, lower(name), number
       limit ${limit}`;
    // Outside a transaction the pool's connection is not let go of before its answer.
    if (!this.db.isTransaction) return (await query.execute(this.db)).rows;
    let answer: Promise<QueryResult<DeviceCandidate>> | undefined;
    await this.db.getExecutor().provideConnection(async (connection) => {
      answer = connection.executeQuery(query.compile(this.db));
      answer.catch(() => undefined); // read below
    });
    return answer ? (await answer).rows : [];
  }

  async countItems(filter: Omit<ItemFilter, 'limit' | 'offset'>): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async history(itemId: string, limit: number): Promise<ItemHistoryEntry[]> {
    if (!isUuid(itemId)) return [];
    const rows = await this.db
      .selectFrom('configuration_item_history as h')
      .leftJoin('people as p', 'p.id', 'h.actor_id')
      .select(['h.seq', 'h.at', 'h.actor_id', 'p.display_name', 'h.field', 'h.from_value', 'h.to_value', 'h.reason'])
      .where('h.configuration_item_id', '=', itemId)
      .orderBy('h.seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actorId: r.actor_id,
      actorName: r.display_name,
      field: r.field,
      from: r.from_value,
      to: r.to_value,
      reason: r.reason,
    }));
  }

  async addRelation(sourceId: string, kind: RelationKind, targetId: string, by: string | null, at: Date): Promise<AddRelationOutcome> {
    await sql`select pg_advisory_xact_lock(${RELATIONS_LOCK})`.execute(this.db);
    // A loop closes when the target already needs the source: walk what the target needs.
    const loop = await sql<{ found: number }>`
      with recursive needed(id) as (
        select ${targetId}::uuid
        union
        select r.target_id from needed n join configuration_item_relations r on r.source_id = n.id
      )
      select 1 as found from needed where id = ${sourceId}::uuid limit 1`.execute(this.db);
    if (loop.rows.length > 0) return 'cycle';
    const inserted = await this.db
      .insertInto('configuration_item_relations')
      .values({ source_id: sourceId, kind, target_id: targetId, created_by: by, created_at: at })
      .onConflict((oc) => oc.columns(['source_id', 'kind', 'target_id']).doNothing())
      .returning('source_id')
      .executeTakeFirst();
    return inserted ? 'added' : 'exists';
  }

  async removeRelation(sourceId: string, kind: RelationKind, targetId: string): Promise<boolean> {
    await sql`select pg_advisory_xact_lock(${RELATIONS_LOCK})`.execute(this.db);
    const r = await this.db
      .deleteFrom('configuration_item_relations')
      .where('source_id', '=', sourceId)
      .where('kind', '=', kind)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async relations(itemId: string, limit: number): Promise<{ needs: ItemRelation[]; neededBy: ItemRelation[] }> {
    const [needs, neededBy] = await Promise.all([
      this.db
        .selectFrom('configuration_item_relations as r')
        .innerJoin('configuration_items as c', 'c.id', 'r.target_id')
        .select(['r.kind as relation', ...SUMMARY.map((f) => `c.${f}` as const)])
        .where('r.source_id', '=', itemId)
        .orderBy('c.number')
        .limit(limit)
        .execute(),
      this.db
        .selectFrom('configuration_item_relations as r')
        .innerJoin('configuration_items as c', 'c.id', 'r.source_id')
        .select(['r.kind as relation', ...SUMMARY.map((f) => `c.${f}` as const)])
        .where('r.target_id', '=', itemId)
        .orderBy('c.number')
        .limit(limit)
        .execute(),
    ]);
    return {
      needs: needs.map((r) => ({ kind: r.relation, other: toSummary(r) })),
      neededBy: neededBy.map((r) => ({ kind: r.relation, other: toSummary(r) })),
    };
  }

  /**
   * Walks the relations backwards (who needs this, who needs those…) level by level; `union`
   * drops a (item, depth) pair already reached, and the depth bound ends any loop in stored
   * data. Each item is reported at its nearest depth.
   */
  async impact(itemId: string, opts: { readonly limit: number; readonly maxDepth: number }): Promise<Impact> {
    if (!isUuid(itemId)) return { items: [], total: 0 };
    const result = await sql<{ id: string; depth: number; total: string } & Selectable<ConfigurationItemsTable>>`
      with recursive impacted(id, depth) as (
        select r.source_id, 1 from configuration_item_relations r where r.target_id = ${itemId}::uuid
        union
        select r.source_id, i.depth + 1
          from impacted i join configuration_item_relations r on r.target_id = i.id
         where i.depth < ${opts.maxDepth}
      ),
      nearest as (
        select id, min(depth) as depth from impacted where id <> ${itemId}::uuid group by id
      )
      select c.id, c.number, c.name, c.kind, c.status, c.organisation_id, n.depth, count(*) over () as total
        from nearest n join configuration_items c on c.id = n.id
       order by n.depth, c.number
       limit ${opts.limit}`.execute(this.db);
    return {
      items: result.rows.map((r) => ({ item: toSummary(r), depth: Number(r.depth) })),
      total: Number(result.rows[0]?.total ?? 0),
    };
  }

  async openTicketsOn(itemId: string, limit: number): Promise<OpenTicketOnItem[]> {
    const rows = await this.db
      .selectFrom('tickets')
      .select(['ref', 'kind', 'title', 'status', 'priority'])
      .where('configuration_item_id', '=', itemId)
      .where('status', 'in', [...OPEN_TICKET])
      .orderBy('priority')
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ref: r.ref, kind: r.kind, title: r.title, status: r.status, priority: r.priority }));
  }

  async openAlertsOn(itemId: string, limit: number): Promise<OpenAlertOnItem[]> {
    const rows = await this.db
      .selectFrom('alerts')
      .select(['number', 'check_id', 'target', 'severity', 'state', 'opened_at'])
      .where('configuration_item_id', '=', itemId)
      .where('state', '<>', 'resolved')
      .orderBy('opened_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      number: Number(r.number),
      checkId: r.check_id,
      target: r.target,
      severity: r.severity,
      state: r.state,
      openedAt: r.opened_at,
    }));
  }

  async changesTouching(itemId: string, limit: number): Promise<ChangeOnItem[]> {
    const rows = await this.db
      .selectFrom('change_items as ci')
      .innerJoin('tickets as t', 't.id', 'ci.ticket_id')
      .leftJoin('change_details as d', 'd.ticket_id', 't.id')
      .select(['t.ref', 't.title', 't.status', 'd.window_start', 'd.window_end'])
      .where('ci.configuration_item_id', '=', itemId)
      .where('t.kind', '=', 'change')
      .where('t.status', 'in', [...UNFINISHED_CHANGE])
      .orderBy(sql`d.window_start nulls last`)
      .orderBy('t.created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ref: r.ref, title: r.title, status: r.status, windowStart: r.window_start, windowEnd: r.window_end }));
  }

  async licencesToRemind(until: string, limit: number): Promise<ConfigurationItem[]> {
    const rows = await this.db
      .selectFrom('configuration_items')
      .selectAll()
      .where('renewal_on', 'is not', null)
      .where('renewal_on', '<=', until)
      .where('status', '<>', 'retired')
      .where('kind', '=', 'licence')
      .where((eb) => eb.or([eb('renewal_reminded_on', 'is', null), eb('renewal_reminded_on', '<>', eb.ref('renewal_on'))]))
      .orderBy('renewal_on')
      .limit(limit)
      .execute();
    return rows.map(toItem);
  }

  async markRenewalReminded(id: string, renewalOn: string): Promise<boolean> {
    const r = await this.db
      .updateTable('configuration_items')
      .set({ renewal_reminded_on: renewalOn })
      .where('id', '=', id)
      .where('renewal_on', '=', renewalOn)
      .where((eb) => eb.or([eb('renewal_reminded_on', 'is', null), eb('renewal_reminded_on', '<>', renewalOn)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async summaries(ids: readonly string[]): Promise<ItemSummary[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.db.selectFrom('configuration_items').select(SUMMARY).where('id', 'in', valid).execute();
    return rows.map(toSummary);
  }
}
