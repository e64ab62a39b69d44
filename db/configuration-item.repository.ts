import { type Kysely, type Selectable, sql } from 'kysely';
import { changedFacts } from '../core/alerts/machine-facts.ts';
import type { ConfigurationItem } from '../core/alerts/model.ts';
import { ConfigurationItemRef } from '../core/alerts/model.ts';
import type { WireFacts } from '../core/alerts/protocol.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { idsForIn, isUuid, toJson } from './column-values.ts';
import type { ItilTables } from './itil.tables.ts';
import type { ConfigurationItemsTable, MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type ConfigurationItemPort = Pick<
  MonitoringRepository,
  'upsertConfigurationItem' | 'findConfigurationItemOfAgent' | 'findConfigurationItem' | 'findConfigurationItemsByName'
>;

export function toItem(r: Selectable<ConfigurationItemsTable>): ConfigurationItem {
  return {
    id: r.id,
    number: r.number,
    organisationId: r.organisation_id,
    kind: r.kind,
    name: r.name,
    facts: r.facts as ConfigurationItem['facts'],
    status: r.status,
    notes: r.notes,
    renewalOn: r.renewal_on,
    agentId: r.agent_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Configuration items (the monitored machines, `CI-000007`) on PostgreSQL, kept current by their agents. */
export class ConfigurationItemRepository implements ConfigurationItemPort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
  }

  /**
   * The agent's machine, created or refreshed in one statement that also returns what it was
   * before; a changed name or material fact (hostname, system, CPU, memory, disk sizes) is then
   * recorded in the item's history as the agent's (actor null, reason `agent`). A report that
   * changes nothing material writes no history: the common case stays one statement.
   */
  async upsertConfigurationItem(
    agentId: string,
    organisationId: string,
    name: string,
    facts: WireFacts | null,
    at: Date,
  ): Promise<ConfigurationItem> {
    const row = await this.db
      .with('before', (db) => db.selectFrom('configuration_items').select(['id', 'name', 'facts']).where('agent_id', '=', agentId))
      .with('saved', (db) =>
        db
          .insertInto('configuration_items')
          .values({
            organisation_id: organisationId,
            kind: 'computer',
            name,
            facts: toJson(facts),
            agent_id: agentId,
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc.column('agent_id').doUpdateSet({
              name,
              updated_at: at,
              // A report without facts keeps the ones we have.
              ...(facts ? { facts: toJson(facts) } : {}),
            }),
          )
          .returningAll(),
      )
      .selectFrom('saved')
      .leftJoin('before', 'before.id', 'saved.id')
      .selectAll('saved')
      .select(['before.id as before_id', 'before.name as before_name', 'before.facts as before_facts'])
      .executeTakeFirstOrThrow();
    const history: { field: string; from: string | null; to: string | null }[] = [];
    if (row.before_id === null) history.push({ field: 'created', from: null, to: name });
    else {
      if (row.before_name !== name) history.push({ field: 'name', from: row.before_name, to: name });
      if (facts)
        for (const [field, from, to] of changedFacts(row.before_facts as WireFacts | null, facts)) history.push({ field, from, to });
    }
    if (history.length)
      await this.db
        .withTables<ItilTables>()
        .insertInto('configuration_item_history')
        .values(
          history.map((h) => ({
            configuration_item_id: row.id,
            actor_id: null,
            at,
            field: h.field,
            from_value: h.from,
            to_value: h.to,
            reason: 'agent',
          })),
        )
        .execute();
    return toItem(row);
  }

  /** The kernel's reader (`repos.configurationItems.find`). */
  find(id: string): Promise<ConfigurationItem | undefined> {
    return this.findConfigurationItem(id);
  }

  async findConfigurationItemOfAgent(agentId: string): Promise<ConfigurationItem | undefined> {
    const row = await this.db.selectFrom('configuration_items').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
    return row && toItem(row);
  }

  async findConfigurationItem(id: string): Promise<ConfigurationItem | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('configuration_items').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toItem(row);
  }

  async findConfigurationItemsByName(nameOrNumber: string, organisationIds?: readonly string[]): Promise<ConfigurationItem[]> {
    const n = ConfigurationItemRef.parse(nameOrNumber);
    let q = this.db.selectFrom('configuration_items').selectAll();
    q = n !== undefined ? q.where('number', '=', n) : q.where(sql<string>`lower(name)`, '=', nameOrNumber.trim().toLowerCase());
    if (organisationIds) q = q.where('organisation_id', 'in', idsForIn(organisationIds));
    return (await q.orderBy('number').limit(10).execute()).map(toItem);
  }
}
