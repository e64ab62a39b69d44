import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Ticket, TicketKind, Tier } from '../core/kernel/ticket.ts';
import { seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

/** The week reported: Monday 30 November to Monday 7 December 2026 (UTC, for round numbers). */
const W = new Date('2026-11-30T00:00:00Z');
const hours = (h: number) => new Date(W.getTime() + h * 3_600_000);
const days = (d: number) => hours(d * 24);
const week = { from: W, to: days(7) };

let tdb: TestDatabase;
let store: KyselyStore;
let orgA: Organisation;
let orgB: Organisation;
let requester: Person;
let volunteer: Person;

async function ticket(org: Organisation, kind: TicketKind, createdAt: Date, tier: Tier = 'volunteer'): Promise<Ticket> {
  const t = await store.tickets.insert({
    ref: await store.tickets.nextRef(kind),
    kind,
    title: 'Prova',
    description: 'Prova',
    category: null,
    impact: 2,
    urgency: 2,
    priority: 3,
    tier,
    organisationId: org.id,
    requesterId: requester.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt,
  });
  await move(t, null, 'new', createdAt);
  return t;
}

async function move(t: Ticket, from: string | null, to: string, at: Date): Promise<void> {
  await store.tickets.addEvents([{ ticketId: t.id, actorId: volunteer.id, at, field: 'status', from, to, note: null }]);
  await sql`update tickets set status = ${to}, updated_at = ${at},
              resolved_at = case when ${to} = 'resolved' then ${at}::timestamptz else resolved_at end
             where id = ${t.id}::uuid`.execute(tdb.db);
}

async function breach(t: Ticket, target: 'response' | 'resolution', firedAt: Date): Promise<void> {
  await sql`insert into sla_events (ticket_id, target, kind, due_at, fired_at, created_at) values (${t.id}::uuid, ${target}, 'breach', ${firedAt}, ${firedAt}, ${firedAt})`.execute(
    tdb.db,
  );
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  orgA = await seedOrganisation(store, 'Associazione Alfa');
  orgB = await seedOrganisation(store, 'Cooperativa Beta');
  requester = await seedPerson(store, 'Rita Richiedente');
  volunteer = await seedPerson(store, 'Vito Volontario');
  await store.reports.setNamedInReports(orgA.id, true);

  // a1: opened, claimed after 2 h, resolved the next day, rated 5, 90 minutes of work.
  const a1 = await ticket(orgA, 'incident', days(1));
  await move(a1, 'new', 'assigned', hours(26));
  await move(a1, 'assigned', 'resolved', days(2));
  // a2: opened the week before; the response target breached while unclaimed, the resolution one while worked.
  const a2 = await ticket(orgA, 'incident', days(-3));
  await breach(a2, 'response', hours(5));
  await move(a2, 'new', 'assigned', hours(12));
  await move(a2, 'assigned', 'in_progress', hours(13));
  await breach(a2, 'resolution', hours(60));
  await move(a2, 'in_progress', 'resolved', days(3));
  // b1: a request nobody claimed, past its response target.
  const b1 = await ticket(orgB, 'service_request', days(2));
  await breach(b1, 'response', hours(60));
  // b2: claimed after an hour, handed to a vendor (a quote of 500 €), resolved on time.
  const b2 = await ticket(orgB, 'incident', days(1), 'vendor');
  await move(b2, 'new', 'assigned', hours(25));
  await move(b2, 'assigned', 'resolved', days(4));
  // A change resolved the week before: outside the period.
  const old = await ticket(orgA, 'change', days(-10));
  await move(old, 'new', 'assigned', days(-9));
  await move(old, 'assigned', 'resolved', days(-8));

  await sql`update tickets set rating = 5, effort_minutes = 90 where id = ${a1.id}::uuid`.execute(tdb.db);
  await sql`update tickets set rating = 3 where id = ${a2.id}::uuid`.execute(tdb.db);
  await store.tickets.setEffort(a2.id, 30);
  await sql`insert into vendors (ref, name, vat_number, regions, categories, contacts, status, certified_until, created_at, updated_at)
            values ('FOR-000001', 'Rete Srl', '01234567897', '{}', '{}', 'x', 'certified', ${days(365)}, ${W}, ${W})`.execute(tdb.db);
  await sql`insert into engagements (ticket_id, organisation_id, status, requested_at, vendor_id, quote_amount_cents, quote_days, started_at, updated_at)
            select ${b2.id}::uuid, ${orgB.id}::uuid, 'active', ${hours(30)}, id, 50000, 3, ${hours(36)}, ${hours(36)} from vendors`.execute(
    tdb.db,
  );
  for (const outcome of ['resolved', 'declined'])
    await sql`insert into deflection_offers (source, person_id, platform, query, offered, outcome, created_at)
              values ('intake', ${requester.id}::uuid, 'web', 'stampante', '{}', ${outcome}, ${days(2)})`.execute(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

describe('the flow report, from the records of the week', () => {
  it('counts what was opened and closed by kind, and the targets met', async () => {
    const r = await store.reports.flowReport(week, {});
    expect(r.opened).toEqual({ incident: 2, service_request: 1, change: 0 });
    expect(r.closed).toEqual({ incident: 3, service_request: 0, change: 0 });
    expect(r.response).toEqual({ concluded: 3, breached: 1, metPct: 66.7 });
    expect(r.resolution).toEqual({ concluded: 3, breached: 1, metPct: 66.7 });
  });

  it('lists the unclaimed past target, the breaches with their cause, and the vendors on time', async () => {
    const r = await store.reports.flowReport(week, {});
    expect(r.unclaimedOverTarget.map((u) => u.priority)).toEqual([3]);
    expect(r.breaches.map((b) => [b.target, b.cause])).toEqual([
      ['response', 'not_claimed'],
      ['resolution', 'volunteer_work'],
      ['response', 'not_claimed'],
    ]);
    expect(r.vendorsOnTime).toEqual([{ vendorRef: 'FOR-000001', vendorName: 'Rete Srl', engagements: 1, onTime: 1, pct: 100 }]);
  });

  it('is scoped to one organisation when asked', async () => {
    const r = await store.reports.flowReport(week, { organisationId: orgB.id });
    expect(r.opened).toEqual({ incident: 1, service_request: 1, change: 0 });
    expect(r.response).toEqual({ concluded: 1, breached: 0, metPct: 100 });
    expect(r.breaches).toHaveLength(1);
    expect(r.certificationsExpiring).toEqual([]);
  });

  it('says nothing concluded rather than 0 % over an empty period', async () => {
    const r = await store.reports.flowReport({ from: days(-60), to: days(-30) }, {});
    expect(r.response).toEqual({ concluded: 0, breached: 0, metPct: null });
  });
});

describe("the observers' report", () => {
  it('aggregates the month without naming organisations that did not agree', async () => {
    const r = await store.reports.observerReport(week, {});
    expect(r.servedByTier).toEqual({ volunteer: 2, vendor: 1 });
    expect(r.organisationsServed).toBe(2);
    expect(r.namedOrganisations).toEqual([{ name: 'Associazione Alfa', served: 2 }]);
    // First claims after 2 h, 84 h and 1 h; resolutions after 24 h, 144 h and 72 h.
    expect(r.response).toMatchObject({ count: 3, p50Hours: 2 });
    expect(r.resolution).toMatchObject({ count: 3, p50Hours: 72 });
    expect(r.satisfaction).toEqual({ ratings: 2, average: 4 });
    expect(r.deflection).toEqual({ offers: 2, solved: 1, pct: 50 });
    expect(r.volunteerHours).toEqual({ hours: 2, ticketsWithTime: 2, ticketsWithoutTime: 0 });
    expect(r.vendorEngagements).toEqual({ count: 1, valueCents: 50000 });
  });
});
