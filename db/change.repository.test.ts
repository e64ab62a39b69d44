import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Ticket, TicketStatus } from '../core/kernel/ticket.ts';
import { at, seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase } from '../test/test-database.ts';
import type { ItilTables } from './itil.tables.ts';
import { KyselyStore } from './kysely-store.ts';
import type { MonitoringTables } from './monitoring.tables.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let org: Organisation;
let other: Organisation;
let anna: Person;
let luca: Person;
let ci1: string;
let ci2: string;

const db = () => tdb.db.withTables<MonitoringTables>().withTables<ItilTables>();

async function item(orgId: string, name: string): Promise<string> {
  const row = await db()
    .insertInto('configuration_items')
    .values({ organisation_id: orgId, kind: 'server', name, facts: null, agent_id: null, created_at: at(0), updated_at: at(0) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function change(status: TicketStatus, orgId = org.id): Promise<Ticket> {
  const t = await store.tickets.insert({
    ref: await store.tickets.nextRef('change'),
    kind: 'change',
    title: 'Aggiornare il firewall',
    description: 'Aggiornare il firewall',
    category: null,
    impact: 2,
    urgency: 3,
    priority: 4,
    tier: 'volunteer',
    organisationId: orgId,
    requesterId: anna.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt: at(0),
  });
  return status === 'new' ? t : (await store.tickets.compareAndSet(t.id, { status: 'new', assigneeId: null }, { status }, at(1)))!;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  org = await seedOrganisation(store, 'Pro Loco');
  other = await seedOrganisation(store, 'Banco Alimentare');
  anna = await seedPerson(store, 'Anna Bianchi');
  luca = await seedPerson(store, 'Luca Referente');
  ci1 = await item(org.id, 'firewall');
  ci2 = await item(org.id, 'nas');
});

afterAll(async () => {
  await tdb?.drop();
});

describe('ChangeRepository', () => {
  it('saves a submission (details and items), and a second submission rewrites both', async () => {
    const t = await change('awaiting_approval');
    expect(await store.changes.findDetails(t.id)).toBeUndefined();
    const d = await store.changes.saveSubmission({
      ticketId: t.id,
      changeType: 'normal',
      standardKey: null,
      sharedInfrastructure: true,
      itemIds: [ci2, ci1, ci1],
      at: at(5),
    });
    expect(d).toMatchObject({ ticketId: t.id, changeType: 'normal', sharedInfrastructure: true, submittedAt: at(5), windowStart: null });
    expect(await store.changes.listItems(t.id)).toEqual([ci1, ci2]); // by CI number, once each
    await store.changes.saveSubmission({
      ticketId: t.id,
      changeType: 'standard',
      standardKey: 'stampante',
      sharedInfrastructure: false,
      itemIds: [ci2],
      at: at(6),
    });
    expect(await store.changes.findDetails(t.id)).toMatchObject({
      changeType: 'standard',
      standardKey: 'stampante',
      sharedInfrastructure: false,
    });
    expect(await store.changes.listItems(t.id)).toEqual([ci2]);
  });

  it('records one decision per slot: a second one on the same slot changes nothing', async () => {
    const t = await change('awaiting_approval');
    const a = { ticketId: t.id, slot: 'organisation' as const, decision: 'approved' as const, approverId: luca.id, note: 'ok', at: at(7) };
    expect(await store.changes.addApproval(a)).toBe(true);
    expect(await store.changes.addApproval({ ...a, decision: 'rejected', note: 'no' })).toBe(false);
    expect(await store.changes.addApproval({ ...a, slot: 'committee' })).toBe(true);
    expect((await store.changes.listApprovals(t.id)).map((x) => [x.slot, x.decision, x.note])).toEqual([
      ['organisation', 'approved', 'ok'],
      ['committee', 'approved', 'ok'],
    ]);
  });

  it('sets the window and the outcome; records a review once', async () => {
    const t = await change('scheduled');
    await store.changes.saveSubmission({
      ticketId: t.id,
      changeType: 'emergency',
      standardKey: null,
      sharedInfrastructure: false,
      itemIds: [],
      at: at(1),
    });
    await store.changes.setWindow(t.id, at(60), at(120), at(2));
    await store.changes.setOutcome(t.id, 'non riparte', 'ripristinato il backup', at(3));
    expect(await store.changes.recordReview(t.id, luca.id, 'giustificata', at(4))).toBe(true);
    expect(await store.changes.recordReview(t.id, anna.id, 'ancora', at(5))).toBe(false);
    expect(await store.changes.findDetails(t.id)).toMatchObject({
      windowStart: at(60),
      windowEnd: at(120),
      outcome: 'non riparte',
      backoutPlan: 'ripristinato il backup',
      reviewedAt: at(4),
      reviewedBy: luca.id,
      reviewNote: 'giustificata',
    });
    // A window that ends before it starts is refused by the database too.
    await expect(store.changes.setWindow(t.id, at(120), at(60), at(6))).rejects.toThrow();
  });

  it('lists the calendar: approved and scheduled changes overlapping the range, approved ones without window, of some organisations', async () => {
    const inRange = await change('scheduled');
    const unplanned = await change('approved');
    const later = await change('scheduled');
    const elsewhere = await change('scheduled', other.id);
    const done = await change('implemented');
    for (const t of [inRange, unplanned, later, elsewhere, done])
      await store.changes.saveSubmission({
        ticketId: t.id,
        changeType: 'normal',
        standardKey: null,
        sharedInfrastructure: false,
        itemIds: t === inRange ? [ci1] : [],
        at: at(1),
      });
    await store.changes.setWindow(inRange.id, at(1000), at(1100), at(1));
    await store.changes.setWindow(later.id, at(5000), at(5100), at(1));
    await store.changes.setWindow(elsewhere.id, at(1050), at(1150), at(1));
    await store.changes.setWindow(done.id, at(1000), at(1100), at(1));
    const refs = (await store.changes.listCalendar(at(900), at(2000))).map((c) => c.ref);
    expect(refs).toContain(inRange.ref);
    expect(refs).toContain(unplanned.ref);
    expect(refs).toContain(elsewhere.ref);
    expect(refs).not.toContain(later.ref);
    expect(refs).not.toContain(done.ref);
    expect(refs.indexOf(inRange.ref)).toBeLessThan(refs.indexOf(unplanned.ref)); // planned first, by start
    const mine = await store.changes.listCalendar(at(900), at(2000), [org.id]);
    expect(mine.map((c) => c.ref)).not.toContain(elsewhere.ref);
    expect(mine.find((c) => c.ref === inRange.ref)).toMatchObject({ status: 'scheduled', itemIds: [ci1], windowStart: at(1000) });
  });

  it('lists change ids by status, newest first, and the problems a change is linked to', async () => {
    const ids = await store.changes.listChangeIds({ statuses: ['approved'], limit: 100 });
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect((await store.tickets.findById(id))?.status).toBe('approved');
    const t = await change('approved');
    expect(await store.changes.linkedProblems(t.id)).toEqual([]);
    const problem = await db()
      .insertInto('problems')
      .values({
        ref: 'PRB-000901',
        organisation_id: org.id,
        title: 'Il firewall si blocca',
        status: 'investigating',
        owner_id: luca.id,
        created_by: luca.id,
        created_at: at(0),
        updated_at: at(0),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('problem_links')
      .values({ problem_id: problem.id, ticket_id: t.id, linked_by: luca.id, linked_at: at(1) })
      .execute();
    expect(await store.changes.linkedProblems(t.id)).toEqual([
      { ref: 'PRB-000901', title: 'Il firewall si blocca', ownerId: luca.id, organisationId: org.id },
    ]);
  });
});

describe('silences owned by a change', () => {
  it('are replaced when the window moves, ended (active) or removed (future) when the change ends, and hold only while the change is scheduled', async () => {
    const t = await change('scheduled');
    const silence = (start: number, end: number, ci: string) => ({
      organisationId: org.id,
      configurationItemId: ci,
      startsAt: at(start),
      endsAt: at(end),
      reason: t.ref,
      createdBy: luca.id,
      changeId: t.id,
    });
    await store.monitoring.replaceChangeSilences(t.id, [silence(100, 200, ci1), silence(100, 200, ci2)]);
    await store.monitoring.replaceChangeSilences(t.id, [silence(300, 400, ci1), silence(300, 400, ci2)]);
    const list = await store.monitoring.listChangeSilences(t.id);
    expect(list.map((s) => [s.startsAt, s.endsAt, s.changeId])).toEqual([
      [at(300), at(400), t.id],
      [at(300), at(400), t.id],
    ]);
    expect((await store.monitoring.activeSilences(org.id, at(350))).filter((s) => s.changeId === t.id)).toHaveLength(2);

    // Withdrawn by any path: its silences stop holding at once.
    await store.tickets.compareAndSet(t.id, { status: 'scheduled', assigneeId: null }, { status: 'cancelled' }, at(310));
    expect((await store.monitoring.activeSilences(org.id, at(350))).filter((s) => s.changeId === t.id)).toHaveLength(0);
    expect((await store.monitoring.listSilences(at(350), [org.id])).filter((s) => s.changeId === t.id)).toHaveLength(0);
    await store.tickets.compareAndSet(t.id, { status: 'cancelled', assigneeId: null }, { status: 'scheduled' }, at(311));

    // Ended at 350: the active ones end then.
    expect(await store.monitoring.endChangeSilences(t.id, at(350))).toBe(2);
    expect((await store.monitoring.listChangeSilences(t.id)).map((s) => s.endsAt)).toEqual([at(350), at(350)]);
    // Future ones are removed.
    await store.monitoring.replaceChangeSilences(t.id, [silence(500, 600, ci1)]);
    expect(await store.monitoring.endChangeSilences(t.id, at(450))).toBe(1);
    expect(await store.monitoring.listChangeSilences(t.id)).toEqual([]);
  });
});
