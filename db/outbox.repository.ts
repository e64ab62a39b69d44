import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { OutboxEntry, OutboxRecord } from '../core/kernel/outbox.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { DeliveredMark, OutboxRepository as OutboxRepositoryPort } from '../core/kernel/ports.ts';
import type { DeferredWrites } from './deferred-writes.ts';
import type { Database, OutboxTable } from './schema.ts';
import type { WriteTally } from './write-tally.ts';

type OutboxRow = Selectable<OutboxTable>;

/** Platform error bodies can be whole HTML pages; the start is what helps. */
const MAX_ERROR_LENGTH = 2_000;

function toRecord(r: OutboxRow): OutboxRecord {
  return {
    id: r.id,
    address: r.address,
    message: r.message,
    attempts: r.attempts,
    failures: r.failures,
    createdAt: r.created_at,
    unknownFate: r.unknown_fate_attempts > 0,
    ...(r.ref !== null && { ref: r.ref }),
    ...(r.ephemeral_to !== null && { ephemeralTo: r.ephemeral_to }),
  };
}

/**
 * The transactional outbox on PostgreSQL, plus the map from stable message references to the
 * platform message ids they were posted as.
 */
export class OutboxRepository implements OutboxRepositoryPort {
  /** Rows enqueued in this transaction and not yet written (with `deferred`). */
  private readonly unwritten: { readonly entry: OutboxEntry; readonly at: Date }[] = [];

  /**
   * `tally` counts the rows enqueued, when the repository serves one transaction (see
   * KyselyStore); `deferred` then writes them with the transaction's next query or its commit.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly tally?: WriteTally,
    private readonly deferred?: DeferredWrites,
  ) {}

  /**
   * Entries keep their order within a conversation (the `seq` identity follows insertion): the
   * rows not yet written go in one INSERT, in the order enqueued (`with ordinality`).
   */
  async enqueue(entries: readonly OutboxEntry[], at: Date): Promise<void> {
    if (entries.length === 0) return;
    this.unwritten.push(...entries.map((entry) => ({ entry, at })));
    if (this.deferred) this.deferred.defer('outbox', () => this.insertUnwritten());
    else await this.insertUnwritten().execute(this.db);
    if (this.tally) this.tally.outbox += entries.length;
  }

  /** One statement of fixed text for any number of rows (the values as arrays). */
  private insertUnwritten() {
    const rows = this.unwritten.splice(0);
    const column = <T>(f: (r: { readonly entry: OutboxEntry; readonly at: Date }) => T) => rows.map(f);
    return sql`insert into outbox (platform, address, ref, message, ephemeral_to, status, next_attempt_at, created_at)
      select u.platform, u.address, u.ref, u.message, u.ephemeral_to, 'pending', u.at, u.at
      from unnest(${column((r) => r.entry.address.platform)}::text[], ${column((r) => JSON.stringify(r.entry.address))}::jsonb[],
        ${column((r) => r.entry.ref ?? null)}::text[], ${column((r) => JSON.stringify(r.entry.message))}::jsonb[],
        ${column((r) => r.entry.ephemeralTo ?? null)}::text[], ${column((r) => r.at)}::timestamptz[])
        with ordinality as u(platform, address, ref, message, ephemeral_to, at, n)
      order by u.n`;
  }

  /**
   * Leases due entries, oldest first, in one statement. Only the oldest pending entry of a
   * conversation is eligible (so a conversation is delivered in order and by one worker at a
   * time, and a retrying entry holds back the ones after it). `SKIP LOCKED` lets concurrent
   * workers pass over rows another is leasing; a row whose lease another worker has just
   * committed fails the re-checked `leased_until` condition and is dropped. A row leased again
   * while its previous lease is still recorded was abandoned mid-send: it is counted as an
   * attempt of unknown fate, and every later attempt is told so (`unknownFate`).
   */
  async lease(
    now: Date,
    limit: number,
    leaseMs: number,
    platforms?: readonly Platform[],
    exclude: readonly string[] = [],
  ): Promise<OutboxRecord[]> {
    if (limit <= 0 || platforms?.length === 0) return [];
    const leasedUntil = new Date(now.getTime() + leaseMs);
    const rows = await this.db
      .with('due', (db) =>
        db
          .selectFrom('outbox as o')
          .select(['o.id', 'o.leased_until as previous_lease'])
          .where('o.status', '=', 'pending')
          .where('o.next_attempt_at', '<=', now)
          .$if(platforms !== undefined, (qb) => qb.where('o.platform', 'in', [...(platforms ?? [])]))
          .where((eb) => eb.or([eb('o.leased_until', 'is', null), eb('o.leased_until', '<', now)]))
          .$if(exclude.length > 0, (qb) => qb.where('o.id', 'not in', [...exclude]))
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('outbox as older')
                  .select(sql.lit(1).as('one'))
                  .whereRef('older.conversation_key', '=', 'o.conversation_key')
                  .where('older.status', '=', 'pending')
                  .whereRef('older.seq', '<', 'o.seq'),
              ),
            ),
          )
          .orderBy('o.seq')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .updateTable('outbox')
      .from('due')
      .set((eb) => ({
        leased_until: leasedUntil,
        attempts: eb('outbox.attempts', '+', 1),
        // A lease still set on a due row ran out with no mark: that attempt's outcome is unknown.
        unknown_fate_attempts: sql<number>`outbox.unknown_fate_attempts + (case when due.previous_lease is null then 0 else 1 end)`,
      }))
      .whereRef('outbox.id', '=', 'due.id')
      .returningAll('outbox')
      .execute();
    // UPDATE … RETURNING has no defined order.
    return rows.sort((a, b) => a.seq - b.seq).map(toRecord);
  }

  async purgeDone(before: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('outbox')
      .where('status', '<>', 'pending')
      .where((eb) => eb(eb.fn.coalesce('delivered_at', 'created_at'), '<', before))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * One statement for all the rows a process is sending; fenced by the attempt like the marks,
   * and never after a mark (a retry scheduled has no lease: a late beat must not lease it again).
   * Rows are locked in id order, as `markDeliveredAll` does: the heartbeat and a batch of marks
   * of one process run side by side on two connections and must not deadlock.
   */
  async renew(leases: readonly { readonly id: string; readonly attempt: number }[], leasedUntil: Date): Promise<string[]> {
    if (leases.length === 0) return [];
    const values = sql.join(leases.map((l) => sql`(${l.id}::uuid, ${l.attempt}::int)`));
    const r = await sql<{ id: string }>`
      with l as (
        select o.id from outbox o join (values ${values}) as m (id, attempt) on o.id = m.id and o.attempts = m.attempt
        where o.status = 'pending' and o.leased_until is not null
        order by o.id for update of o
      )
      update outbox o set leased_until = ${leasedUntil} from l where o.id = l.id
      returning o.id`.execute(this.db);
    return r.rows.map((row) => row.id);
  }

  async markDelivered(id: string, attempt: number, at: Date, platformMessageId: string | null, blindResend = false): Promise<boolean> {
    const r = await this.db
      .updateTable('outbox')
      .set({
        status: 'delivered',
        delivered_at: at,
        platform_message_id: platformMessageId,
        leased_until: null,
        blind_resend: blindResend,
      })
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async markDeliveredAll(marks: readonly DeliveredMark[], at: Date): Promise<string[]> {
    if (marks.length === 0) return [];
    const values = sql.join(
      marks.map((m) => sql`(${m.id}::uuid, ${m.attempt}::int, ${m.platformMessageId}::text, ${m.blindResend}::boolean)`),
    );
    // Locked in id order, as `renew` does (see there).
    const r = await sql<{ id: string }>`
      with m (id, attempt, message_id, blind) as (values ${values}),
      l as (
        select o.id, m.message_id, m.blind from outbox o join m on o.id = m.id and o.attempts = m.attempt
        where o.status = 'pending'
        order by o.id for update of o
      )
      update outbox o set status = 'delivered', delivered_at = ${at}, platform_message_id = l.message_id, leased_until = null,
        blind_resend = l.blind
      from l where o.id = l.id
      returning o.id`.execute(this.db);
    return r.rows.map((row) => row.id);
  }

  /** `retryAt` null gives up for good, which also unblocks the rest of the conversation. */
  async markFailed(id: string, attempt: number, error: string, retryAt: Date | null, rateLimited = false): Promise<boolean> {
    const lastError = error.slice(0, MAX_ERROR_LENGTH);
    const r = await this.db
      .updateTable('outbox')
      .set((eb) =>
        retryAt === null
          ? { status: 'failed', last_error: lastError, leased_until: null }
          : {
              next_attempt_at: retryAt,
              last_error: lastError,
              leased_until: null,
              failures: rateLimited ? eb.ref('failures') : eb('failures', '+', 1),
            },
      )
      .where('id', '=', id)
      .where('attempts', '=', attempt)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async inFlightResends(since: Date): Promise<Partial<Record<Platform, number>>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['platform', (eb) => eb.fn.countAll<string>().as('n')])
      .where('blind_resend', '=', true)
      .where('delivered_at', '>=', since)
      .groupBy('platform')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.platform, Number(r.n)]));
  }

  async findMessage(platform: Platform, conversationId: string, ref: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('platform_messages')
      .select('message_id')
      .where('platform', '=', platform)
      .where('conversation_id', '=', conversationId)
      .where('ref', '=', ref)
      .executeTakeFirst();
    return row?.message_id;
  }

  /** Remembering a ref again points it at the newer message. */
  async rememberMessage(platform: Platform, conversationId: string, ref: string, platformMessageId: string): Promise<void> {
    await this.db
      .insertInto('platform_messages')
      .values({ platform, conversation_id: conversationId, ref, message_id: platformMessageId })
      .onConflict((oc) =>
        oc.columns(['platform', 'conversation_id', 'ref']).doUpdateSet((eb) => ({
          message_id: eb.ref('excluded.message_id'),
        })),
      )
      .execute();
  }

  async findRef(platform: Platform, conversationId: string, platformMessageId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('platform_messages')
      .select('ref')
      .where('platform', '=', platform)
      .where('conversation_id', '=', conversationId)
      .where('message_id', '=', platformMessageId)
      .orderBy('ref')
      .executeTakeFirst();
    return row?.ref;
  }
}
