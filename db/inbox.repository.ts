import { type Kysely, sql } from 'kysely';
import type { InboxEntry, InboxRepository as InboxRepositoryPort, NewInboxEntry } from '../core/kernel/inbox.ts';
import type { Platform } from '../core/kernel/person.ts';
import { storableText } from '../core/kernel/sanitize.ts';
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
    if (entries.length === 0) return [];
    const values = entries.map(
      (e) =>
        sql`(${e.platform}, ${e.deliveryId}, ${storableJson(e.payload)}::jsonb, ${e.receivedAt}::timestamptz, ${e.leasedUntil}::timestamptz)`,
    );
    const { rows } = await sql<{ platform: string; delivery_id: string }>`
      insert into inbound_inbox (platform, delivery_id, payload, received_at, leased_until)
      values ${sql.join(values)}
      on conflict (platform, delivery_id) do nothing
      returning platform, delivery_id`.execute(this.db);
    return rows.map((r) => r.delivery_id);
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
