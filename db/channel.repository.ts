import { type Kysely, type Selectable, sql } from 'kysely';
import type { Platform } from '../core/kernel/person.ts';
import type { ChannelBinding, ChannelPurpose, ChannelRepository as ChannelRepositoryPort } from '../core/kernel/ports.ts';
import type { ConfigView } from './config-cache.ts';
import { PREPARED } from './prepared-statements.ts';
import type { ChannelBindingsTable, Database } from './schema.ts';

function toBinding(r: Selectable<ChannelBindingsTable>): ChannelBinding {
  return {
    purpose: r.purpose,
    platform: r.platform,
    conversationId: r.conversation_id,
    threadId: r.thread_id,
    organisationId: r.organisation_id,
    boundBy: r.bound_by,
    boundAt: r.bound_at,
  };
}

/** Which chat conversations serve which purpose (volunteers, alerts, …) on PostgreSQL. */
export class ChannelRepository implements ChannelRepositoryPort {
  /** `config` holds the store's copies of the bindings of each purpose (ConfigCache). */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly config?: ConfigView,
  ) {}

  async bind(b: ChannelBinding): Promise<void> {
    this.config?.wrote();
    await this.db
      .insertInto('channel_bindings')
      .values({
        purpose: b.purpose,
        platform: b.platform,
        conversation_id: b.conversationId,
        thread_id: b.threadId,
        organisation_id: b.organisationId,
        bound_by: b.boundBy,
        bound_at: b.boundAt,
      })
      .onConflict((oc) =>
        oc.columns(['platform', 'conversation_id', 'purpose']).doUpdateSet((eb) => ({
          thread_id: eb.ref('excluded.thread_id'),
          organisation_id: eb.ref('excluded.organisation_id'),
          bound_by: eb.ref('excluded.bound_by'),
          bound_at: eb.ref('excluded.bound_at'),
        })),
      )
      .execute();
  }

  async unbind(platform: Platform, conversationId: string, purpose: ChannelPurpose): Promise<boolean> {
    this.config?.wrote();
    const result = await this.db
      .deleteFrom('channel_bindings')
      .where('platform', '=', platform)
      .where('conversation_id', '=', conversationId)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Oldest binding first. A purpose's bindings come from the store's copy, without a query,
   * when this transaction confirmed the version they were read at (a ticket's opening does).
   */
  async list(purpose?: ChannelPurpose): Promise<ChannelBinding[]> {
    if (purpose === undefined) {
      const rows = await this.db.selectFrom('channel_bindings').selectAll().orderBy('bound_at').orderBy('id').execute();
      return rows.map(toBinding);
    }
    const config = this.config;
    const copy = config?.cache.bindings.get(purpose);
    if (copy && copy.version === config?.confirmed) return [...copy.rows];
    const { rows } = await sql<Partial<Selectable<ChannelBindingsTable>> & { config_version: string }>`${sql.raw(PREPARED)}
      select b.id, b.purpose, b.platform, b.conversation_id, b.thread_id, b.organisation_id, b.bound_by, b.bound_at,
        v.version::text as config_version
      from config_version v left join channel_bindings b on b.purpose = ${purpose}
      where v.id = 1
      order by b.bound_at, b.id`.execute(this.db);
    const bindings = rows.filter((r) => r.id != null).map((r) => toBinding(r as Selectable<ChannelBindingsTable>));
    const version = rows[0]?.config_version;
    // No row at all: `config_version` itself is gone, not "no channel bound".
    if (version === undefined) throw new Error('config_version has no row');
    if (config && !config.wroteConfiguration)
      config.cache.bindings.set(purpose, { version, rows: Object.freeze(bindings.map((b) => Object.freeze(b))) });
    return bindings;
  }

  async find(platform: Platform, conversationId: string): Promise<ChannelBinding[]> {
    const rows = await this.db
      .selectFrom('channel_bindings')
      .selectAll()
      .where('platform', '=', platform)
      .where('conversation_id', '=', conversationId)
      .orderBy('purpose')
      .execute();
    return rows.map(toBinding);
  }
}
