import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Ticket, TicketKind } from '../core/kernel/ticket.ts';
import { DEFAULT_SCAN } from '../core/problems/model.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let org: Organisation;
let otherOrg: Organisation;
let requester: Person;
const since = at(-14 * 24 * 60);

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  org = await seedOrganisation(store, 'Pro Loco');
  otherOrg = await seedOrganisation(store, 'Banco Alimentare');
  requester = await seedPerson(store, 'Anna Bianchi');
});
afterAll(async () => {
  await tdb?.drop();
});

async function item(name: string, organisationId = org.id): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into configuration_items (organisation_id, kind, name, created_at, updated_at)
    values (${organisationId}, 'printer', ${name}, ${T0}, ${T0}) returning id`.execute(tdb.db);
  return rows[0]!.id;
}

async function ticket(
  over: { ci?: string | null; category?: string | null; org?: string; minutes?: number; kind?: TicketKind } = {},
): Promise<Ticket> {
  const kind = over.kind ?? 'incident';
  return store.tickets.insert({
    ref: await store.tickets.nextRef(kind),
    kind,
    title: 'Stampante ferma',
    description: 'Non stampa',
    category: over.category ?? null,
    impact: 2,
    urgency: 2,
    priority: 3,
    tier: 'volunteer',
    organisationId: over.org ?? org.id,
    requesterId: requester.id,
    configurationItemId: over.ci ?? null,
    idempotencyKey: null,
    createdAt: at(over.minutes ?? 0),
  });
}

async function problem(over: { ci?: string | null; category?: string | null; org?: string | null } = {}) {
  return store.problems.insert({
    ref: await store.problems.nextRef(),
    organisationId: over.org === undefined ? org.id : over.org,
    title: 'Stampanti che si bloccano',
    description: '',
    category: over.category ?? null,
    configurationItemId: over.ci ?? null,
    createdBy: null,
    createdAt: T0,
  });
}

describe('ProblemRepository', () => {
  it('draws PRB- refs from their own sequence', async () => {
    expect(await store.problems.nextRef()).toBe('PRB-000001');
    expect(await store.problems.nextRef()).toBe('PRB-000002');
    expect(await store.tickets.nextRef('incident')).toBe('INC-000001');
  });

  it('inserts, finds and updates a problem only from the expected status', async () => {
    const p = await problem();
    expect((await store.problems.findByRef(p.ref))?.status).toBe('new');
    expect(await store.problems.update(p.id, ['investigating'], { status: 'known_error' }, at(1))).toBeUndefined();
    const moved = await store.problems.update(p.id, ['new'], { status: 'investigating', rootCause: 'toner' }, at(1));
    expect(moved).toMatchObject({ status: 'investigating', rootCause: 'toner', kbArticleRef: null });
    expect((await store.problems.list({ statuses: ['investigating'] })).map((x) => x.ref)).toContain(p.ref);
    expect(await store.problems.list({ statuses: [] })).toEqual([]);
    expect(await store.problems.findById('not-a-uuid')).toBeUndefined();
  });

  it('links a ticket to one problem only, and lists links with a change outcome', async () => {
    const [a, b] = [await problem(), await problem()];
    const inc = await ticket();
    const rfc = await ticket({ kind: 'change' });
    await sql`insert into change_details (ticket_id, change_type, outcome, updated_at) values (${rfc.id}, 'normal', 'firmware aggiornato', ${T0})`.execute(
      tdb.db,
    );
    expect(await store.problems.link(a.id, inc.id, null, at(2))).toBe(true);
    expect(await store.problems.link(b.id, inc.id, null, at(2))).toBe(false);
    expect(await store.problems.link(a.id, inc.id, null, at(2))).toBe(false);
    expect(await store.problems.link(a.id, rfc.id, null, at(3))).toBe(true);
    expect((await store.problems.problemOfTicket(inc.id))?.ref).toBe(a.ref);
    const linked = await store.problems.linkedTickets(a.id);
    expect(linked.map((x) => [x.ticket.ref, x.changeOutcome])).toEqual([
      [inc.ref, null],
      [rfc.ref, 'firmware aggiornato'],
    ]);
  });

  it('finds the open problems a ticket may join: same item, same category here or across organisations', async () => {
    const ci = await item('stampante-matches');
    const byItem = await problem({ ci });
    const byCategory = await problem({ category: 'Posta' });
    const crossOrg = await problem({ category: 'posta', org: null });
    await problem({ category: 'posta', org: otherOrg.id }); // another organisation's
    const closed = await problem({ ci });
    await store.problems.update(closed.id, ['new'], { status: 'closed' }, at(1));

    const onItem = await ticket({ ci });
    expect((await store.problemCandidates.openProblemsMatching(onItem, 5)).map((x) => x.ref)).toEqual([byItem.ref]);
    const mail = await ticket({ category: 'posta' });
    expect((await store.problemCandidates.openProblemsMatching(mail, 5)).map((x) => x.ref).sort()).toEqual(
      [byCategory.ref, crossOrg.ref].sort(),
    );
    expect(await store.problemCandidates.openProblemsMatching(mail, 1)).toHaveLength(1);
    await store.problems.link(byCategory.id, mail.id, null, at(1));
    expect(await store.problemCandidates.openProblemsMatching(mail, 5)).toEqual([]);
    expect(await store.problemCandidates.openProblemsMatching(await ticket(), 5)).toEqual([]);
  });
});

describe('the proactive scan', () => {
  it('finds 3 incidents on one item within the window, once; an open problem on the item hides it', async () => {
    const ci = await item('pc-segreteria');
    await ticket({ ci, minutes: -20 * 24 * 60 }); // outside the window
    await ticket({ ci, minutes: 10 });
    await ticket({ ci, minutes: 20 });
    expect((await store.problems.scanPatterns(since, DEFAULT_SCAN)).filter((c) => c.key === ci)).toEqual([]);
    await ticket({ ci, minutes: 30 });
    const [found] = (await store.problems.scanPatterns(since, DEFAULT_SCAN)).filter((c) => c.key === ci);
    expect(found).toMatchObject({ basis: 'ci', organisationId: org.id, evidence: { basis: 'ci', count: 3 } });
    expect(found!.evidence.incidents.map((x) => x.createdAt)).toEqual([at(30), at(20), at(10)].map((d) => d.toISOString()));

    // Two workers record it: one suggestion.
    const both = await Promise.all([0, 1].map(() => store.transaction((r) => r.problems.insertSuggestion(found!, since, at(40)))));
    expect(both.filter(Boolean)).toHaveLength(1);
    await ticket({ ci, minutes: 50 });
    expect((await store.problems.scanPatterns(since, DEFAULT_SCAN)).filter((c) => c.key === ci)).toEqual([]);

    const other = await item('pc-direzione');
    for (const m of [1, 2, 3]) await ticket({ ci: other, minutes: m });
    expect((await store.problems.scanPatterns(since, DEFAULT_SCAN)).map((c) => c.key)).toContain(other);
    await problem({ ci: other });
    expect((await store.problems.scanPatterns(since, DEFAULT_SCAN)).map((c) => c.key)).not.toContain(other);
  });

  it('finds 3 incidents of one organisation and category, not counting those linked to an open problem', async () => {
    const made = [];
    for (const m of [1, 2, 3]) made.push(await ticket({ category: 'Rete', org: otherOrg.id, minutes: m }));
    const key = `${otherOrg.id}:rete`;
    expect((await store.problems.scanPatterns(since, DEFAULT_SCAN)).find((c) => c.key === key)?.evidence).toMatchObject({
      basis: 'category',
      category: 'rete',
      count: 3,
    });
    const p = await problem({ org: null });
    await store.problems.link(p.id, made[0]!.id, null, at(5));
    expect((await store.problems.scanPatterns(since, DEFAULT_SCAN)).find((c) => c.key === key)).toBeUndefined();
  });

  it('finds an alert fingerprint firing 3 times, or repeating 5 times', async () => {
    const person = await seedPerson(store, 'Agente');
    const agent = await store.monitoring.createAgent({
      organisationId: org.id,
      personId: person.id,
      name: 'pc-cassa',
      secret: 'x'.repeat(32),
      heartbeatSeconds: 60,
      graceSeconds: 120,
      enrolledAt: T0,
      enrolledBy: null,
    });
    const alert = async (fingerprint: string, minutes: number, flaps = 0) =>
      sql`insert into alerts (fingerprint, organisation_id, agent_id, kind, check_id, target, severity, state, message, opened_at, resolved_at, flaps, updated_at)
          values (${fingerprint}, ${org.id}, ${agent.id}, 'disk', 'disk', 'C:', 'crit', 'resolved', 'disco pieno', ${at(minutes)}, ${at(minutes + 5)}, ${flaps}, ${at(minutes + 5)})`.execute(
        tdb.db,
      );
    for (const m of [1, 60, 120]) await alert('fp-disk', m);
    await alert('fp-flappy', 1, 5);
    await alert('fp-quiet', 1, 1);
    const keys = (await store.problems.scanPatterns(since, DEFAULT_SCAN)).filter((c) => c.basis === 'alert');
    expect(keys.map((c) => c.key).sort()).toEqual(['fp-disk', 'fp-flappy']);
    expect(keys.find((c) => c.key === 'fp-disk')?.evidence).toMatchObject({ alerts: 3, flaps: 0, checkId: 'disk', target: 'C:' });
  });
});
