import { type Kysely, sql } from 'kysely';
import type { InboxEntry, InboxRepository as InboxRepositoryPort, NewInboxEntry } from '../core/kernel/inbox.ts';
import type { Platform } from '../core/kernel/person.ts';
import { storableText } from '../core/kernel/sanitize.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

/** Row type of migration 0021, added to the database type with `withTables`. */
export type InboxTables = {
  inbound_inbox: {
    platform: string;
    delivery_id: string;
    payload: unknown;
    received_at: Date;
    leased_until: Date;
    attempts: number;
  };
};

/**
 * jsonb refuses a NUL and an unpaired surrogate (a broken client's text): each becomes U+FFFD,
 * or one such event would fail the insert of every event stored with it, and be lost itself.
 */
const storableJson = (payload: unknown): string =>
  JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'string' ? storableText(value) : value));

/** The inbox of verified platform events (core/kernel/inbox.ts) on PostgreSQL. */
export class InboxRepository implements InboxRepositoryPort {
  private readonly db: Kysely<Database & InboxTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<InboxTables>();
  }

  async add(entries: readonly NewInboxEntry[]): Promise<string[]> {
    return (await this.addWithSenders(entries)).stored;
  }

  /**
   * One prepared statement of fixed text for any number of events (the values as arrays): the
   * events stored, the senders' DM channels remembered (unchanged ones left alone: no new row
   * version for every DM a person writes), the senders with an identity returned beside.
   *
   * This is what Slack waits for, so it never waits for a lock on a DM channel row: a new one is
   * inserted only when none is visible (an erasure deleting it, uncommitted, keeps it visible), a
   * moved one is updated only if no one else holds it (`skip locked`; erasure removes it anyway),
   * an unchanged one is not touched — an upsert would lock it — and rows go in user order, so two
   * such statements never wait on each other in a cycle.
   */
  async addWithSenders(entries: readonly NewInboxEntry[]): Promise<{ stored: string[]; known: string[] }> {
    if (entries.length === 0) return { stored: [], known: [] };
    // One row per user: an upsert cannot touch a row twice.
    const channels = new Map<string, { platform: string; userId: string; channelId: string; at: Date }>();
    const senders = new Map<string, { platform: string; externalId: string }>();
    for (const e of entries) {
      if (!e.sender) continue;
      // As the payload: a NUL in an id must not fail the insert of every event stored with it.
      const externalId = storableText(e.sender.externalId);
      const key = `${e.platform}\u0000${externalId}`;
      senders.set(key, { platform: e.platform, externalId });
      if (e.sender.dmChannel !== undefined)
        channels.set(key, { platform: e.platform, userId: externalId, channelId: storableText(e.sender.dmChannel), at: e.receivedAt });
    }
    const dm = [...channels.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, c]) => c);
    const who = [...senders.values()];
    const { rows } = await sql<{ what: 'stored' | 'known'; id: string }>`${sql.raw(PREPARED)}
      with stored as (
        insert into inbound_inbox (platform, delivery_id, payload, received_at, leased_until)
        select * from unnest(${entries.map((e) => e.platform)}::text[], ${entries.map((e) => e.deliveryId)}::text[],
          ${entries.map((e) => storableJson(e.payload))}::jsonb[], ${entries.map((e) => e.receivedAt)}::timestamptz[],
          ${entries.map((e) => e.leasedUntil)}::timestamptz[])
        on conflict (platform, delivery_id) do nothing
        returning delivery_id
      ), given as (
        select * from unnest(${dm.map((c) => c.platform)}::text[], ${dm.map((c) => c.userId)}::text[],
          ${dm.map((c) => c.channelId)}::text[], ${dm.map((c) => c.at)}::timestamptz[]) with ordinality
          as g (platform, user_id, channel_id, at, n)
      ), added as (
        insert into platform_dm_channels (platform, user_id, channel_id, updated_at)
        select g.platform, g.user_id, g.channel_id, g.at from given g
        where not exists (select 1 from platform_dm_channels p where p.platform = g.platform and p.user_id = g.user_id)
        order by g.n
        on conflict (platform, user_id) do nothing
      ), moved as (
        select p.platform, p.user_id, g.channel_id, g.at from platform_dm_channels p
          join given g on p.platform = g.platform and p.user_id = g.user_id
        where p.channel_id <> g.channel_id
        order by g.n
        for update of p skip locked
      ), updated as (
        update platform_dm_channels p set channel_id = m.channel_id, updated_at = m.at
        from moved m where p.platform = m.platform and p.user_id = m.user_id
      )
      select 'stored' as what, delivery_id as id from stored
      union all
      select 'known', i.external_id from identities i
        join unnest(${who.map((w) => w.platform)}::text[], ${who.map((w) => w.externalId)}::text[]) as w (platform, external_id)
          on i.platform = w.platform and i.external_id = w.external_id`.execute(this.db);
    return {
      stored: rows.filter((r) => r.what === 'stored').map((r) => r.id),
      known: rows.filter((r) => r.what === 'known').map((r) => r.id),
    };
  }

  async remove(platform: Platform, deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await sql`delete from inbound_inbox where platform = ${platform} and delivery_id = any(${[...deliveryIds]}::text[])`.execute(this.db);
  }

  async lease(platform: Platform, now: Date, limit: number, leasedUntil: Date): Promise<InboxEntry[]> {
    const { rows } = await sql<{ delivery_id: string; payload: unknown; received_at: Date; attempts: number }>`
      with due as (
        select platform, delivery_id from inbound_inbox
        where platform = ${platform} and leased_until <= ${now}
        order by received_at
        limit ${limit}
        for update skip locked
      )
      update inbound_inbox i set leased_until = ${leasedUntil}, attempts = i.attempts + 1
      from due
      where i.platform = due.platform and i.delivery_id = due.delivery_id
      returning i.delivery_id, i.payload, i.received_at, i.attempts`.execute(this.db);
    return rows
      .map((r) => ({ platform, deliveryId: r.delivery_id, payload: r.payload, receivedAt: r.received_at, attempts: r.attempts }))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }
}
