import type { Kysely, Selectable } from 'kysely';
import type { Platform } from '../core/kernel/person.ts';
import type { ChannelBinding, ChannelPurpose, ChannelRepository as ChannelRepositoryPort } from '../core/kernel/ports.ts';
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
  constructor(private readonly db: Kysely<Database>) {}

  async bind(b: ChannelBinding): Promise<void> {
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
    const result = await this.db
      .deleteFrom('channel_bindings')
      .where('platform', '=', platform)
      .where('conversation_id', '=', conversationId)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Oldest binding first. */
  async list(purpose?: ChannelPurpose): Promise<ChannelBinding[]> {
    let q = this.db.selectFrom('channel_bindings').selectAll();
    if (purpose !== undefined) q = q.where('purpose', '=', purpose);
    const rows = await q.orderBy('bound_at').orderBy('id').execute();
    return rows.map(toBinding);
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
