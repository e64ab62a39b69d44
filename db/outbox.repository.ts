import type { Kysely, Selectable } from 'kysely';
import { CompiledQuery, sql } from 'kysely';
import type { OutboxEntry, OutboxRecord } from '../core/kernel/outbox.ts';
import type { Platform } from '../core/kernel/person.ts';
import type { DeliveredMark, OutboxRepository as OutboxRepositoryPort } from '../core/kernel/ports.ts';
import type { DeferredWrites } from './deferred-writes.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database, OutboxTable } from './schema.ts';
import type { WriteTally } from './write-tally.ts';

type OutboxRow = Selectable<OutboxTable>;
/** What a lease returns: the columns a delivery reads. */
type LeasedRow = Pick<
  OutboxRow,
  'id' | 'seq' | 'address' | 'message' | 'attempts' | 'failures' | 'created_at' | 'unknown_fate_attempts' | 'ref' | 'ephemeral_to'
>;

/**
 * The lease (see `lease`), prepared once per connection: fixed text, the values as parameters
 * ($1 now, $2 the ids to pass over, $3 the limit, $4 the new lease end, $5 the platforms). The
 * columns are listed (see db/prepared-statements.ts). A lease still set on a due row ran out with
 * no mark: that attempt's outcome is unknown (`unknown_fate_attempts`).
 *
 * Only a conversation's oldest pending row may be leased: `heads` finds them by skipping through
 * the pending rows' (conversation_key, seq) index one conversation at a time, so a lease costs
 * one index descent per conversation with something pending, however long one conversation's
 * queue is. (Testing every due row for an older pending one cost a probe per queued row: with
 * 3,000 cards queued for the volunteers' channel each lease took 0.2–1.2 s, and the deliveries
 * of every other conversation waited behind it; with 300,000 delivered rows not yet vacuumed,
 * 34–49 s.) The price: with 10,000 conversations holding one pending row each, a lease reads
 * ~32k buffers (70–100 ms) where the old one read ~2k (13–29 ms).
 */
const leaseText = (platformFilter: string) => `${PREPARED}
  with recursive heads as (
    (select h.conversation_key, h.id from outbox h where h.status = 'pending' order by h.conversation_key, h.seq limit 1)
    union all
    select n.conversation_key, n.id from heads, lateral (
      select h.conversation_key, h.id from outbox h
      where h.status = 'pending' and h.conversation_key > heads.conversation_key
      order by h.conversation_key, h.seq limit 1
    ) n
  ), due as (
    select o.id, o.leased_until as previous_lease from heads join outbox o on o.id = heads.id
    where o.status = 'pending' and o.next_attempt_at <= $1${platformFilter}
      and (o.leased_until is null or o.leased_until < $1)
      and o.id <> all($2::uuid[])
    order by o.seq
    limit $3
    for update of o skip locked
  )
  update outbox set leased_until = $4, attempts = outbox.attempts + 1,
    unknown_fate_attempts = outbox.unknown_fate_attempts + (case when due.previous_lease is null then 0 else 1 end)
  from due where outbox.id = due.id
  returning outbox.id, outbox.seq, outbox.address, outbox.message, outbox.attempts, outbox.failures, outbox.created_at,
    outbox.unknown_fate_attempts, outbox.ref, outbox.ephemeral_to`;
/** Exported for the test of its cost under a long queue. */
export const LEASE_ANY_PLATFORM = leaseText('');
const LEASE_OF_PLATFORMS = leaseText(' and o.platform = any($5::text[])');

/**
 * Delivered marks (see `markDeliveredAll`), prepared: one row per element of the arrays $1–$4,
 * delivered at $5. Locked in id order, as `renew` does (see there).
 */
const MARK_DELIVERED = `${PREPARED}
  with m as (
    select * from unnest($1::uuid[], $2::int[], $3::text[], $4::boolean[]) as m (id, attempt, message_id, blind)
  ), l as (
    select o.id, m.message_id, m.blind from outbox o join m on o.id = m.id and o.attempts = m.attempt
    where o.status = 'pending'
    order by o.id for update of o
  )
  update outbox o set status = 'delivered', delivered_at = $5, platform_message_id = l.message_id, leased_until = null,
    blind_resend = l.blind
  from l where o.id = l.id
  returning o.id`;

/** Platform error bodies can be whole HTML pages; the start is what helps. */
const MAX_ERROR_LENGTH = 2_000;

function toRecord(r: LeasedRow): OutboxRecord {
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
    const { rows } = await this.db.executeQuery<LeasedRow>(
      platforms === undefined
        ? CompiledQuery.raw(LEASE_ANY_PLATFORM, [now, [...exclude], limit, leasedUntil])
        : CompiledQuery.raw(LEASE_OF_PLATFORMS, [now, [...exclude], limit, leasedUntil, [...platforms]]),
    );
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
    const r = await this.db.executeQuery<{ id: string }>(
      CompiledQuery.raw(MARK_DELIVERED, [
        marks.map((m) => m.id),
        marks.map((m) => m.attempt),
        marks.map((m) => m.platformMessageId),
        marks.map((m) => m.blindResend),
        at,
      ]),
    );
    return r.rows.map((row) => row.id);
  }

  /** `retryAt` null gives up for good, which also unblocks the rest of the conversation. */
  async markFailed(
    id: string,
    attempt: number,
    error: string,
    retryAt: Date | null,
    how: { readonly rateLimited?: boolean; readonly fateUnknown?: boolean } = {},
  ): Promise<boolean> {
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
              failures: how.rateLimited ? eb.ref('failures') : eb('failures', '+', 1),
              ...(how.fateUnknown ? { unknown_fate_attempts: eb('unknown_fate_attempts', '+', 1) } : {}),
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
