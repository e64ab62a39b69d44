import { CompiledQuery, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import { DomainError } from '../core/kernel/errors.ts';
import type { OutboxEntry } from '../core/kernel/outbox.ts';
import type { ChannelPurpose } from '../core/kernel/ports.ts';
import type { Ticket, TicketEvent, TicketKind, TicketStatus } from '../core/kernel/ticket.ts';
import { TicketRef } from '../core/kernel/ticket.ts';
import { newTicket } from '../core/tickets/new-ticket.ts';
import type {
  CardCopies,
  NewTicket,
  OpenedTicket,
  TicketComment,
  TicketFilter,
  TicketOpening,
  TicketPatch,
  TicketRepository as TicketRepositoryPort,
} from '../core/tickets/ports.ts';
import { StaleConfiguration } from '../core/tickets/ports.ts';
import type { ConfigView } from './config-cache.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database, TicketCommentsTable, TicketEventsTable, TicketsTable } from './schema.ts';
import type { WriteTally } from './write-tally.ts';

type TicketRow = Selectable<TicketsTable>;

/** Maps a `tickets` row to the domain ticket. */
export function toTicket(r: TicketRow): Ticket {
  return {
    id: r.id,
    ref: r.ref,
    kind: r.kind,
    title: r.title,
    description: r.description,
    category: r.category,
    impact: r.impact,
    urgency: r.urgency,
    priority: r.priority,
    tier: r.tier,
    status: r.status,
    pendingOn: r.pending_on,
    organisationId: r.organisation_id,
    requesterId: r.requester_id,
    assigneeId: r.assignee_id,
    vendorId: r.vendor_id,
    configurationItemId: r.configuration_item_id,
    rating: r.rating,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
  };
}

function toEvent(r: Selectable<TicketEventsTable>): TicketEvent {
  return {
    ticketId: r.ticket_id,
    actorId: r.actor_id,
    at: r.at,
    field: r.field,
    from: r.from_value,
    to: r.to_value,
    note: r.note,
  };
}

function toComment(r: Selectable<TicketCommentsTable>): TicketComment {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    authorId: r.author_id,
    body: r.body,
    internal: r.internal,
    createdAt: r.created_at,
  };
}

/** Only the keys present in the patch, so an absent key leaves its column alone. */
function patchColumns(p: TicketPatch): Updateable<TicketsTable> {
  const u: Updateable<TicketsTable> = {};
  if (p.status !== undefined) u.status = p.status;
  if (p.pendingOn !== undefined) u.pending_on = p.pendingOn;
  if (p.assigneeId !== undefined) u.assignee_id = p.assigneeId;
  if (p.vendorId !== undefined) u.vendor_id = p.vendorId;
  if (p.priority !== undefined) u.priority = p.priority;
  if (p.impact !== undefined) u.impact = p.impact;
  if (p.urgency !== undefined) u.urgency = p.urgency;
  if (p.tier !== undefined) u.tier = p.tier;
  if (p.rating !== undefined) u.rating = p.rating;
  if (p.resolvedAt !== undefined) u.resolved_at = p.resolvedAt;
  if (p.closedAt !== undefined) u.closed_at = p.closedAt;
  return u;
}

/**
 * A ticket's opening, in one statement instead of nextval, the insert, the history, the SLA
 * events, the organisation and the card apart; of fixed text (prepared once per connection,
 * never rebuilt). The ref is drawn in a FROM-less SELECT whose WHERE is checked first, so a key
 * already used, a configuration version ($2) that is no longer current or an organisation name
 * ($21, the one a card rendered before the opening shows) that is no longer the organisation's
 * draws nothing; the padding is TicketRef.format's (six digits, more when the number needs
 * them). The card's outbox rows ($22: a JSON array of entries, in order) get the drawn ref in
 * place of the placeholder ($23) they were rendered with. It always returns one row, with the
 * current configuration version and the organisation's name.
 */
const OPEN_TICKET = `${PREPARED}
  with config as (
    select version from config_version where id = 1
  ), org as (
    select name from organisations where id = $13::uuid
  ), drawn as (
    select nextval($1::regclass)::text as n
    where ($2::bigint is null or $2::bigint = (select version from config))
      and ($21::text is null or $21::text = (select name from org))
      and ($3::text is null or not exists (select 1 from tickets where idempotency_key = $3::text))
  ), ticket as (
    insert into tickets (ref, kind, title, description, category, impact, urgency, priority, tier, status,
      organisation_id, requester_id, configuration_item_id, idempotency_key, created_at, updated_at)
    select $4::text || lpad(n, greatest(6, length(n)), '0'), $5, $6, $7, $8, $9, $10, $11, $12, 'new',
      $13::uuid, $14::uuid, $15::uuid, $3::text, $16::timestamptz, $16::timestamptz
    from drawn
    on conflict (idempotency_key) do nothing
    returning id, ref
  ), history as (
    insert into ticket_events (ticket_id, actor_id, at, field, from_value, to_value)
    select id, $17::uuid, $16::timestamptz, 'status', null, 'new' from ticket
  ), sla as (
    insert into sla_events (ticket_id, target, kind, due_at, created_at)
    select ticket.id, e.target, e.kind, e.due_at, $16::timestamptz
    from ticket, unnest($18::text[], $19::text[], $20::timestamptz[]) as e(target, kind, due_at)
  ), card as (
    insert into outbox (platform, address, ref, message, ephemeral_to, status, next_attempt_at, created_at)
    select e.v->'address'->>'platform', e.v->'address', e.v->>'ref', e.v->'message', e.v->>'ephemeralTo', 'pending',
      $16::timestamptz, $16::timestamptz
    from ticket, jsonb_array_elements(replace($22::text, $23::text, ticket.ref)::jsonb) with ordinality as e(v, n)
    order by e.n
  )
  select ticket.id, ticket.ref, (select name from org) as organisation_name, config.version::text as config_version
  from config left join ticket on true`;

/** Outbox entries as the opening's JSON array (the columns `OutboxRepository.enqueue` writes). */
function cardRows(entries: readonly OutboxEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({ address: e.address, message: e.message, ref: e.ref ?? null, ephemeralTo: e.ephemeralTo ?? null })),
  );
}

/** Tickets, their history and comments on PostgreSQL. */
export class TicketRepository implements TicketRepositoryPort {
  /**
   * `tally` counts the SLA events written, when the repository serves one transaction (see
   * KyselyStore); `config` learns the configuration version a ticket's opening found current.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly tally?: WriteTally,
    private readonly config?: ConfigView,
  ) {}

  /** Draws from the kind's sequence, which never hands a number out twice, even on rollback. */
  async nextRef(kind: TicketKind): Promise<string> {
    const sequence = `ticket_ref_${TicketRef.prefix(kind).toLowerCase()}_seq`;
    const { rows } = await sql<{ n: number }>`select nextval(${sequence}::regclass) as n`.execute(this.db);
    const n = rows[0]?.n;
    if (n === undefined) throw new Error(`nextval(${sequence}) returned no row`);
    return TicketRef.format(kind, n);
  }

  /**
   * Inserts a new ticket in status `new`. A concurrent ticket with the same idempotency key
   * makes it throw `DomainError('already_exists')` without aborting the transaction, so the
   * caller can still look the winner up with `findByIdempotencyKey`.
   */
  async insert(t: NewTicket): Promise<Ticket> {
    const row = await this.db
      .insertInto('tickets')
      .values({
        ref: t.ref,
        kind: t.kind,
        title: t.title,
        description: t.description,
        category: t.category,
        impact: t.impact,
        urgency: t.urgency,
        priority: t.priority,
        tier: t.tier,
        status: 'new',
        pending_on: null,
        organisation_id: t.organisationId,
        requester_id: t.requesterId,
        assignee_id: null,
        configuration_item_id: t.configurationItemId,
        rating: null,
        idempotency_key: t.idempotencyKey,
        created_at: t.createdAt,
        updated_at: t.createdAt,
        resolved_at: null,
        closed_at: null,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new DomainError('already_exists', { idempotencyKey: t.idempotencyKey ?? '' });
    return toTicket(row);
  }

  async open(t: Omit<NewTicket, 'ref'>, opening: TicketOpening): Promise<OpenedTicket | undefined> {
    const prefix = TicketRef.prefix(t.kind);
    const { sla, card } = opening;
    const expected = opening.configVersion ?? null;
    const { rows } = await this.db.executeQuery(
      CompiledQuery.raw(OPEN_TICKET, [
        `ticket_ref_${prefix.toLowerCase()}_seq`,
        expected,
        t.idempotencyKey,
        `${prefix}-`,
        t.kind,
        t.title,
        t.description,
        t.category,
        t.impact,
        t.urgency,
        t.priority,
        t.tier,
        t.organisationId,
        t.requesterId,
        t.configurationItemId,
        t.createdAt,
        opening.actorId,
        sla.map((e) => e.target),
        sla.map((e) => e.kind),
        sla.map((e) => e.dueAt),
        card ? card.organisationName : null,
        card ? cardRows(card.entries) : null,
        card ? card.placeholder : null,
      ]),
    );
    const row = rows[0] as { id: string | null; ref: string | null; organisation_name: string | null; config_version: string } | undefined;
    if (!row) throw new Error('config_version has no row');
    if (expected !== null && row.config_version !== expected) {
      this.config?.cache.dropSla(expected);
      throw new StaleConfiguration(expected, row.config_version);
    }
    this.config?.confirm(row.config_version);
    if (row.organisation_name !== null) this.config?.cache.organisationNames.set(t.organisationId, row.organisation_name);
    // The card showed another name: nothing written; the caller renders it again with this one.
    if (card && row.organisation_name !== card.organisationName) throw new StaleConfiguration(expected ?? '', row.config_version);
    if (row.id === null || row.ref === null) return undefined;
    if (this.tally) {
      this.tally.slaEvents += sla.length;
      if (card) this.tally.outbox += card.entries.length;
    }
    // The row as inserted: only what the database chose (id, ref) comes back.
    const ticket = newTicket(t, row.id, row.ref);
    return { ticket, organisationName: row.organisation_name ?? '?' };
  }

  cardCopies(organisationId: string, purpose: ChannelPurpose): CardCopies | undefined {
    const config = this.config;
    if (!config || config.wroteConfiguration) return undefined;
    const bindings = config.cache.bindings.get(purpose);
    const organisationName = config.cache.organisationNames.get(organisationId);
    if (!bindings || organisationName === undefined) return undefined;
    return { version: bindings.version, bindings: bindings.rows, organisationName };
  }

  async findById(id: string): Promise<Ticket | undefined> {
    const row = await this.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTicket(row);
  }

  async findByRef(ref: string): Promise<Ticket | undefined> {
    const row = await this.db.selectFrom('tickets').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row && toTicket(row);
  }

  async findByIdempotencyKey(key: string): Promise<Ticket | undefined> {
    const row = await this.db.selectFrom('tickets').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    return row && toTicket(row);
  }

  /** One conditional UPDATE: of two racing callers with the same expectation, one wins. */
  async compareAndSet(
    id: string,
    expected: { readonly status: TicketStatus; readonly assigneeId: string | null },
    patch: TicketPatch,
    at: Date,
  ): Promise<Ticket | undefined> {
    const row = await this.db
      .updateTable('tickets')
      .set({ ...patchColumns(patch), updated_at: at })
      .where('id', '=', id)
      .where('status', '=', expected.status)
      .where(sql<boolean>`assignee_id is not distinct from ${expected.assigneeId}::uuid`)
      .returningAll()
      .executeTakeFirst();
    return row && toTicket(row);
  }

  /** Newest first; an empty id or status list matches nothing. */
  async list(filter: TicketFilter): Promise<Ticket[]> {
    if (filter.organisationIds?.length === 0 || filter.statuses?.length === 0) return [];
    let q = this.db.selectFrom('tickets').selectAll();
    if (filter.organisationIds) q = q.where('organisation_id', 'in', filter.organisationIds);
    if (filter.requesterId !== undefined) q = q.where('requester_id', '=', filter.requesterId);
    if (filter.assigneeId !== undefined) q = q.where('assignee_id', '=', filter.assigneeId);
    if (filter.vendorIds) q = filter.vendorIds.length ? q.where('vendor_id', 'in', filter.vendorIds) : q.where(sql<boolean>`false`);
    if (filter.statuses) q = q.where('status', 'in', filter.statuses);
    q = q.orderBy('created_at', 'desc').orderBy('ref', 'desc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(toTicket);
  }

  async addEvents(events: readonly TicketEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('ticket_events')
      .values(
        events.map((e) => ({
          ticket_id: e.ticketId,
          actor_id: e.actorId,
          at: e.at,
          field: e.field,
          from_value: e.from,
          to_value: e.to,
          note: e.note,
        })),
      )
      .execute();
  }

  /** Oldest first, in the order they were written. */
  async listEvents(ticketId: string): Promise<TicketEvent[]> {
    const rows = await this.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute();
    return rows.map(toEvent);
  }

  async addComment(c: Omit<TicketComment, 'id'>): Promise<TicketComment> {
    const row = await this.db
      .insertInto('ticket_comments')
      .values({
        ticket_id: c.ticketId,
        author_id: c.authorId,
        body: c.body,
        internal: c.internal,
        created_at: c.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toComment(row);
  }

  /** Oldest first. */
  async setEffort(ticketId: string, minutes: number): Promise<void> {
    await this.db.updateTable('tickets').set({ effort_minutes: minutes }).where('id', '=', ticketId).execute();
  }

  async listComments(ticketId: string): Promise<TicketComment[]> {
    const rows = await this.db.selectFrom('ticket_comments').selectAll().where('ticket_id', '=', ticketId).orderBy('seq').execute();
    return rows.map(toComment);
  }
}
