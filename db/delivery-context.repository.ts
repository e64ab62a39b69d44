import { type Kysely, sql } from 'kysely';
import type {
  DeliveryContextRepository as DeliveryContextRepositoryPort,
  InteractionRoute,
  PendingInteraction,
} from '../core/kernel/delivery-context.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { Database } from './schema.ts';

/** Row types of migration 0007, added to the database type with `withTables`. */
export type DeliveryContextTables = {
  platform_dm_channels: {
    platform: string;
    user_id: string;
    channel_id: string;
    updated_at: Date;
  };
  platform_interactions: {
    platform: string;
    user_id: string;
    channel_key: string;
    interaction_id: string;
    application_id: string;
    token: string;
    kind: 'command' | 'component';
    original_used: boolean;
    expires_at: Date;
  };
};

/** DM channels and live interactions learned by the adapters, shared by every process. */
export class DeliveryContextRepository implements DeliveryContextRepositoryPort {
  private readonly db: Kysely<Database & DeliveryContextTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<DeliveryContextTables>();
  }

  async findDmChannel(platform: Platform, userId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('platform_dm_channels')
      .select('channel_id')
      .where('platform', '=', platform)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.channel_id;
  }

  async rememberDmChannel(platform: Platform, userId: string, channelId: string, at: Date): Promise<void> {
    await this.db
      .insertInto('platform_dm_channels')
      .values({ platform, user_id: userId, channel_id: channelId, updated_at: at })
      .onConflict((oc) =>
        oc
          .columns(['platform', 'user_id'])
          .doUpdateSet((eb) => ({ channel_id: eb.ref('excluded.channel_id'), updated_at: eb.ref('excluded.updated_at') }))
          // Unchanged: no new row version for every DM a person writes.
          .where('platform_dm_channels.channel_id', '<>', (eb) => eb.ref('excluded.channel_id')),
      )
      .execute();
  }

  async rememberDmChannels(
    platform: Platform,
    channels: readonly { readonly userId: string; readonly channelId: string }[],
    at: Date,
    askKnown: readonly string[] = [],
  ): Promise<string[]> {
    // One row per user: an upsert cannot touch a row twice.
    const latest = new Map(channels.map((c) => [c.userId, c.channelId]));
    if (latest.size === 0 && askKnown.length === 0) return [];
    const rows = [...latest].map(([userId, channelId]) => sql`(${platform}, ${userId}, ${channelId}, ${at}::timestamptz)`);
    // Unchanged: no new row version for every DM a person writes.
    const remember =
      rows.length === 0
        ? sql``
        : sql`with dm as (
            insert into platform_dm_channels (platform, user_id, channel_id, updated_at) values ${sql.join(rows)}
            on conflict (platform, user_id) do update set channel_id = excluded.channel_id, updated_at = excluded.updated_at
            where platform_dm_channels.channel_id <> excluded.channel_id
          )`;
    const { rows: known } = await sql<{ external_id: string }>`${remember}
      select external_id from identities
      where platform = ${platform} and external_id = any(${[...new Set(askKnown)]}::text[])`.execute(this.db);
    return known.map((r) => r.external_id);
  }

  async rememberInteraction(i: PendingInteraction): Promise<void> {
    await this.db
      .insertInto('platform_interactions')
      .values({
        platform: i.platform,
        user_id: i.userId,
        channel_key: i.channelKey,
        interaction_id: i.id,
        application_id: i.applicationId,
        token: i.token,
        kind: i.kind,
        // A component press has no placeholder of its own: its answers are follow-ups.
        original_used: i.kind === 'component',
        expires_at: i.expiresAt,
      })
      .onConflict((oc) => oc.columns(['platform', 'token']).doNothing())
      .execute();
  }

  /**
   * One statement: the newest live interaction is locked, marked used, and its previous state
   * returned. A concurrent claim waits for the first to commit, then reads `original_used` as
   * the first left it.
   */
  async claimInteraction(
    platform: Platform,
    userId: string,
    channelKey: string,
    now: Date,
    opts: { readonly originalOnly?: boolean } = {},
  ): Promise<InteractionRoute | undefined> {
    const { rows } = await sql<{ application_id: string; token: string; was_used: boolean }>`
      with live as (
        select platform, token, application_id, original_used
        from platform_interactions
        where platform = ${platform} and user_id = ${userId} and channel_key = ${channelKey} and expires_at > ${now}
        order by expires_at desc
        limit 1
        for update
      )
      update platform_interactions p set original_used = true
      from live
      where p.platform = live.platform and p.token = live.token
      returning live.application_id, live.token, live.original_used as was_used`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    if (!row.was_used) return { applicationId: row.application_id, token: row.token, via: 'original' };
    return opts.originalOnly ? undefined : { applicationId: row.application_id, token: row.token, via: 'followup' };
  }

  async unclaimOriginal(platform: Platform, token: string): Promise<void> {
    await this.db
      .updateTable('platform_interactions')
      .set({ original_used: false })
      .where('platform', '=', platform)
      .where('token', '=', token)
      .where('kind', '=', 'command')
      .execute();
  }

  async claimPlaceholder(platform: Platform, token: string): Promise<boolean> {
    const r = await this.db
      .updateTable('platform_interactions')
      .set({ original_used: true })
      .where('platform', '=', platform)
      .where('token', '=', token)
      .where('original_used', '=', false)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async forgetInteraction(platform: Platform, token: string): Promise<void> {
    await this.db.deleteFrom('platform_interactions').where('platform', '=', platform).where('token', '=', token).execute();
  }

  async liveInteractionUsers(platform: Platform, channelKey: string, now: Date): Promise<{ userId: string; expiresAt: Date }[]> {
    const rows = await this.db
      .selectFrom('platform_interactions')
      .select(['user_id', (eb) => eb.fn.max('expires_at').as('expires_at')])
      .where('platform', '=', platform)
      .where('channel_key', '=', channelKey)
      .where('expires_at', '>', now)
      .groupBy('user_id')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, expiresAt: r.expires_at }));
  }

  async purgeExpiredInteractions(now: Date): Promise<number> {
    const r = await this.db.deleteFrom('platform_interactions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
