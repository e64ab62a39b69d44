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
});
