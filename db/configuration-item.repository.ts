import { type Kysely, type Selectable, sql } from 'kysely';
import type { ConfigurationItem } from '../core/alerts/model.ts';
import { ConfigurationItemRef } from '../core/alerts/model.ts';
import type { WireFacts } from '../core/alerts/protocol.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { idsForIn, isUuid, toJson } from './column-values.ts';
import type { ConfigurationItemsTable, MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type ConfigurationItemPort = Pick<
  MonitoringRepository,
  'upsertConfigurationItem' | 'findConfigurationItemOfAgent' | 'findConfigurationItem' | 'findConfigurationItemsByName'
>;

function toItem(r: Selectable<ConfigurationItemsTable>): ConfigurationItem {
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

  async upsertConfigurationItem(
    agentId: string,
    organisationId: string,
    name: string,
    facts: WireFacts | null,
    at: Date,
  ): Promise<ConfigurationItem> {
    const row = await this.db
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
      .returningAll()
      .executeTakeFirstOrThrow();
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
