import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../core/kernel/errors.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Repositories } from '../core/kernel/ports.ts';
import type { TicketKind } from '../core/kernel/ticket.ts';
import type { NewTicket } from '../core/tickets/ports.ts';
import { at, seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let org: Organisation;
let otherOrg: Organisation;
let requester: Person;
let volunteer: Person;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  org = await seedOrganisation(store, 'Pro Loco');
  otherOrg = await seedOrganisation(store, 'Banco Alimentare');
  requester = await seedPerson(store, 'Anna Bianchi');
  volunteer = await seedPerson(store, 'Marco Verdi');
});

afterAll(async () => {
  await tdb?.drop();
});

async function newTicket(repos: Repositories, over: Partial<NewTicket> = {}, kind: TicketKind = 'incident'): Promise<NewTicket> {
  return {
    ref: await repos.tickets.nextRef(kind),
    kind,
    title: 'Stampante ferma',
    description: 'Non stampa da stamattina',
    category: null,
    impact: 2,
    urgency: 2,
    priority: 3,
    tier: 'volunteer',
    organisationId: org.id,
    requesterId: requester.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt: at(0),
    ...over,
  };
}

describe('TicketRepository', () => {
  it('formats refs per kind from separate sequences', async () => {
    const inc = await store.tickets.nextRef('incident');
    const req = await store.tickets.nextRef('service_request');
    const rfc = await store.tickets.nextRef('change');
    expect(inc).toMatch(/^INC-\d{6}$/);
    expect(req).toMatch(/^REQ-\d{6}$/);
    expect(rfc).toBe('RFC-000001');
  });

  it('inserts a ticket in status new and finds it by id, ref and idempotency key', async () => {
    const input = await newTicket(store, { idempotencyKey: 'slack:Ev1', category: 'printer' });
    const t = await store.tickets.insert(input);
    expect(t).toMatchObject({
      ref: input.ref,
      status: 'new',
      pendingOn: null,
      assigneeId: null,
      rating: null,
      category: 'printer',
      configurationItemId: null,
      impact: 2,
      createdAt: at(0),
      updatedAt: at(0),
      resolvedAt: null,
    });
    expect(await store.tickets.findById(t.id)).toEqual(t);
    expect(await store.tickets.findByRef(input.ref)).toEqual(t);
    expect(await store.tickets.findByIdempotencyKey('slack:Ev1')).toEqual(t);
    expect(await store.tickets.findByRef('INC-999999')).toBeUndefined();
  });

  it('rejects a second ticket with the same idempotency key without aborting the transaction', async () => {
    const first = await store.tickets.insert(await newTicket(store, { idempotencyKey: 'tg:42' }));
    const found = await store.transaction(async (repos) => {
      const err = await repos.tickets.insert(await newTicket(repos, { idempotencyKey: 'tg:42' })).catch((e: unknown) => e);
      expect(DomainError.is(err, 'already_exists')).toBe(true);
      return repos.tickets.findByIdempotencyKey('tg:42');
    });
    expect(found?.id).toBe(first.id);
  });

  it('lets exactly one of two concurrent inserts with one idempotency key win', async () => {
    const attempt = () => store.transaction(async (repos) => repos.tickets.insert(await newTicket(repos, { idempotencyKey: 'race' })));
    const results = await Promise.allSettled([attempt(), attempt()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(DomainError.is(rejected?.reason, 'already_exists')).toBe(true);
  });

  it('gives 50 concurrent transactions 50 distinct refs, and never reuses a rolled-back one', async () => {
    const refs = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.transaction(async (repos) => (await repos.tickets.insert(await newTicket(repos, {}, 'service_request'))).ref),
      ),
    );
    expect(new Set(refs).size).toBe(50);

    let lost = '';
    await store
      .transaction(async (repos) => {
        lost = (await repos.tickets.insert(await newTicket(repos, {}, 'service_request'))).ref;
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await store.tickets.findByRef(lost)).toBeUndefined();
    const next = await store.tickets.nextRef('service_request');
    expect(next > lost).toBe(true);
  });

  it('open draws the ref, inserts the ticket, its first history event and its SLA events in one go', async () => {
    const { ref: _, ...row } = await newTicket(store, { idempotencyKey: 'open:1' }, 'change');
    const sla = [
      { target: 'response' as const, kind: 'warn_75' as const, dueAt: at(60) },
      { target: 'unclaimed' as const, kind: 'reannounce' as const, dueAt: at(30) },
    ];
    const opened = await store.tickets.open(row, { actorId: volunteer.id, sla });
    const t = opened?.ticket;
    expect(opened?.organisationName).toBe(org.name);
    expect(t).toMatchObject({ kind: 'change', status: 'new', requesterId: requester.id, createdAt: at(0), updatedAt: at(0) });
    expect(t?.ref).toMatch(/^RFC-\d{6}$/);
    expect(await store.tickets.findByRef(t?.ref ?? '')).toEqual(t);
    expect(await store.tickets.listEvents(t?.id ?? '')).toEqual([
      { ticketId: t?.id, actorId: volunteer.id, at: at(0), field: 'status', from: null, to: 'new', note: null },
    ]);
    const events = await store.sla.listEvents(t?.id ?? '');
    expect(events.map((e) => [e.target, e.kind, e.dueAt, e.createdAt, e.firedAt])).toEqual([
      ['unclaimed', 'reannounce', at(30), at(0), null],
      ['response', 'warn_75', at(60), at(0), null],
    ]);
  });

  it('open with a key already used returns undefined and draws no ref', async () => {
    const { ref: _, ...row } = await newTicket(store, { idempotencyKey: 'open:again' }, 'service_request');
    const first = (await store.tickets.open(row, { actorId: null, sla: [] }))?.ticket;
    expect(await store.tickets.open(row, { actorId: null, sla: [{ target: 'response', kind: 'breach', dueAt: at(9) }] })).toBeUndefined();
    const next = await store.tickets.nextRef('service_request');
    expect(Number(next.slice(4))).toBe(Number(first?.ref.slice(4)) + 1);
    expect(await store.tickets.listEvents(first?.id ?? '')).toHaveLength(1);
    expect(await store.sla.listEvents(first?.id ?? '')).toEqual([]);
  });

  it('open: of two concurrent tickets with one key exactly one is opened, the other sees it committed', async () => {
    const { ref: _, ...row } = await newTicket(store, { idempotencyKey: 'open:race' });
    const attempt = () =>
      store.transaction(
        async (repos) =>
          (await repos.tickets.open(row, { actorId: null, sla: [] }))?.ticket ?? (await repos.tickets.findByIdempotencyKey('open:race')),
      );
    const [a, b] = await Promise.all([attempt(), attempt()]);
    expect(a?.id).toBeDefined();
    expect(b?.id).toBe(a?.id);
    const events = await tdb.db
      .selectFrom('ticket_events')
      .select('ticket_id')
      .where('ticket_id', '=', a?.id ?? '')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('compareAndSet: of two racing claims one wins, the other gets undefined', async () => {
    const t = await store.tickets.insert(await newTicket(store));
    const claim = (who: Person) =>
      store.transaction((repos) =>
        repos.tickets.compareAndSet(t.id, { status: 'new', assigneeId: null }, { status: 'assigned', assigneeId: who.id }, at(5)),
      );
    const [a, b] = await Promise.all([claim(volunteer), claim(requester)]);
    const winners = [a, b].filter((x) => x !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ status: 'assigned', updatedAt: at(5) });
    const stored = await store.tickets.findById(t.id);
    expect(stored?.assigneeId).toBe(winners[0]?.assigneeId);

    // The expected assignee must match too, null included.
    expect(
      await store.tickets.compareAndSet(t.id, { status: 'assigned', assigneeId: null }, { status: 'in_progress' }, at(6)),
    ).toBeUndefined();
    const moved = await store.tickets.compareAndSet(
      t.id,
      { status: 'assigned', assigneeId: stored?.assigneeId ?? null },
      { status: 'pending', pendingOn: 'requester' },
      at(7),
    );
    expect(moved).toMatchObject({ status: 'pending', pendingOn: 'requester', assigneeId: stored?.assigneeId, priority: 3 });
  });

  it('lists with filters, newest first', async () => {
    const mk = async (over: Partial<NewTicket>) => store.tickets.insert(await newTicket(store, over));
    const a = await mk({ organisationId: otherOrg.id, createdAt: at(100), requesterId: volunteer.id });
    const b = await mk({ organisationId: otherOrg.id, createdAt: at(101) });
    await store.tickets.compareAndSet(b.id, { status: 'new', assigneeId: null }, { status: 'assigned', assigneeId: volunteer.id }, at(102));

    const ids = (ts: { id: string }[]) => ts.map((t) => t.id);
    expect(ids(await store.tickets.list({ organisationIds: [otherOrg.id] }))).toEqual([b.id, a.id]);
    expect(ids(await store.tickets.list({ organisationIds: [otherOrg.id], limit: 1 }))).toEqual([b.id]);
    expect(ids(await store.tickets.list({ organisationIds: [otherOrg.id], statuses: ['new'] }))).toEqual([a.id]);
    expect(ids(await store.tickets.list({ organisationIds: [otherOrg.id], requesterId: volunteer.id }))).toEqual([a.id]);
    expect(ids(await store.tickets.list({ assigneeId: volunteer.id, statuses: ['assigned'] }))).toContain(b.id);
    expect(await store.tickets.list({ organisationIds: [] })).toEqual([]);
    expect(await store.tickets.list({ statuses: [] })).toEqual([]);
    const both = await store.tickets.list({ organisationIds: [org.id, otherOrg.id] });
    expect(both.length).toBeGreaterThan(50);
  });

  it('keeps events and comments in the order written', async () => {
    const t = await store.tickets.insert(await newTicket(store));
    await store.tickets.addEvents([
      { ticketId: t.id, actorId: requester.id, at: at(1), field: 'status', from: null, to: 'new', note: null },
      { ticketId: t.id, actorId: volunteer.id, at: at(1), field: 'assignee', from: null, to: volunteer.id, note: 'presa in carico' },
      { ticketId: t.id, actorId: null, at: at(1), field: 'status', from: 'new', to: 'assigned', note: null },
    ]);
    await store.tickets.addEvents([]);
    const events = await store.tickets.listEvents(t.id);
    expect(events.map((e) => e.field)).toEqual(['status', 'assignee', 'status']);
    expect(events[1]).toEqual({
      ticketId: t.id,
      actorId: volunteer.id,
      at: at(1),
      field: 'assignee',
      from: null,
      to: volunteer.id,
      note: 'presa in carico',
    });

    const c1 = await store.tickets.addComment({
      ticketId: t.id,
      authorId: volunteer.id,
      body: 'Riavviata',
      internal: true,
      createdAt: at(2),
    });
    await store.tickets.addComment({ ticketId: t.id, authorId: requester.id, body: 'Grazie', internal: false, createdAt: at(2) });
    const comments = await store.tickets.listComments(t.id);
    expect(comments.map((c) => c.body)).toEqual(['Riavviata', 'Grazie']);
    expect(comments[0]).toEqual(c1);
  });

  it('enforces the CHECK constraints', async () => {
    await expect(store.tickets.insert({ ...(await newTicket(store)), impact: 4 as 1 })).rejects.toThrow(/tickets_impact_check/);
  });

  it('open pads refs to six digits and keeps every digit beyond', async () => {
    const { ref: _, ...row } = await newTicket(store);
    await sql`select setval('ticket_ref_inc_seq', 999999)`.execute(tdb.db);
    expect((await store.tickets.open(row, { actorId: null, sla: [] }))?.ticket.ref).toBe('INC-1000000');
  });
});
