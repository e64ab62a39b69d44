import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardViewer, LINK_TTL_MS, loadOverview, SESSION_TTL_MS, signIn, signOut } from '../core/dashboard/dashboard.ts';
import { DashboardPolicy } from '../core/dashboard/dashboard-policy.ts';
import type { DashboardOverview } from '../core/dashboard/ports.ts';
import { DomainError } from '../core/kernel/errors.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Ticket } from '../core/kernel/ticket.ts';
import { makeAgent, makeAlert, makeEngagement, makeTicket } from '../test/fixtures/dashboard-fixtures.ts';
import { at, seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { hashToken } from './dashboard.repository.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let orgA: Organisation;
let orgB: Organisation;
let person: Person;
const NOW = at(24 * 60);
const clock = { now: () => NOW };
const tickets: Record<string, Ticket> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  orgA = await seedOrganisation(store, 'Associazione Alfa');
  orgB = await seedOrganisation(store, 'Cooperativa Beta');
  person = await seedPerson(store);
  const min = (n: number) => new Date(NOW.getTime() - n * 60_000);
  const base = { requesterId: person.id };
  // Org A: one breached P1 in progress, one at-risk P2 waiting in the queue, one resolved, one
  // service request in the queue without SLA events yet.
  tickets.breached = await makeTicket(store, {
    ...base,
    organisationId: orgA.id,
    createdAt: min(600),
    status: 'in_progress',
    priority: 1,
    assigneeId: person.id,
    events: [{ target: 'resolution', kind: 'breach', dueAt: min(30), fired: true }],
  });
  tickets.atRisk = await makeTicket(store, {
    ...base,
    organisationId: orgA.id,
    createdAt: min(90),
    priority: 2,
    title: 'Rete <lenta>',
    events: [
      { target: 'response', kind: 'warn_75', dueAt: min(5), fired: true },
      { target: 'response', kind: 'breach', dueAt: min(-30) },
    ],
  });
  tickets.resolved = await makeTicket(store, {
    ...base,
    organisationId: orgA.id,
    createdAt: min(300),
    status: 'resolved',
    events: [{ target: 'resolution', kind: 'breach', dueAt: min(100), fired: true }],
  });
  tickets.request = await makeTicket(store, { ...base, organisationId: orgA.id, createdAt: min(20), kind: 'service_request' });
  // Org B: a P1 assigned, nothing due.
  tickets.other = await makeTicket(store, {
    ...base,
    organisationId: orgB.id,
    createdAt: min(60),
    status: 'assigned',
    priority: 1,
    assigneeId: person.id,
  });

  const a1 = await makeAgent(store, orgA.id, person.id, 'pc-segreteria', min(0.5), min(1000));
  const a2 = await makeAgent(store, orgA.id, person.id, 'server-archivio', min(10), min(1000)); // 60 + 120 s: overdue
  const b1 = await makeAgent(store, orgB.id, person.id, 'pc-cassa', min(0.5), min(1000));
  await makeAlert(store, a1, 'crit', min(15));
  await makeAlert(store, a1, 'warn', min(10), { state: 'acknowledged' });
  await makeAlert(store, a1, 'warn', min(50), { state: 'resolved' });
  await makeAlert(store, b1, 'warn', min(3), { kind: 'agent_offline', target: 'heartbeat' });
  void a2;

  await makeEngagement(store, tickets.breached, 'active', min(200));
  await makeEngagement(store, tickets.other, 'requested', min(40));
  const decision = {
    subjectKind: 'person' as const,
    subjectId: person.id,
    subjectLabel: '@giulia.rossi',
    role: 'volunteer' as const,
    reason: 'formazione',
    decidedBy: null,
    validUntil: null,
  };
  await store.certifications.recordDecision({ ...decision, decision: 'certify', decidedAt: min(2 * 24 * 60) });
  await store.certifications.recordDecision({ ...decision, decision: 'renew', decidedAt: min(40 * 24 * 60) }); // older than 30 days
});

afterAll(async () => {
  await tdb?.drop();
});

describe('dashboard login links', () => {
  it('a link opens one session once; reused, expired and forged links are refused, saying why', async () => {
    const token = await store.dashboard.createLink(person.id, NOW, new Date(NOW.getTime() + LINK_TTL_MS));
    // Only the hash is stored.
    const rows = await tdb.db
      .selectFrom('dashboard_links' as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).toContain(hashToken(token));

    const first = await signIn(store, clock, token);
    expect(first).toMatchObject({ ok: true, personId: person.id, expiresAt: new Date(NOW.getTime() + SESSION_TTL_MS) });
    expect(await signIn(store, clock, token)).toEqual({ ok: false, refused: 'used' });
    expect(await signIn(store, clock, `${token}x`)).toEqual({ ok: false, refused: 'unknown' });

    const old = await store.dashboard.createLink(person.id, NOW, new Date(NOW.getTime() + LINK_TTL_MS));
    const later = { now: () => new Date(NOW.getTime() + LINK_TTL_MS) };
    expect(await signIn(store, later, old)).toEqual({ ok: false, refused: 'expired' });
  });

  it('of many simultaneous uses of one link exactly one opens a session', async () => {
    const token = await store.dashboard.createLink(person.id, NOW, new Date(NOW.getTime() + LINK_TTL_MS));
    const results = await Promise.all(Array.from({ length: 8 }, () => signIn(store, clock, token)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.refused)).toEqual(Array(7).fill('used'));
  });
});

describe('dashboard sessions', () => {
  it('resolve to their person until they expire or are ended; roles are read afresh each time', async () => {
    const lead = await seedPerson(store, 'Luca Ferrari');
    const grant = { personId: lead.id, organisationId: orgA.id, grantedBy: null, grantedAt: NOW, reason: 'test' };
    await store.people.grantRole({ ...grant, role: 'ict_lead' });
    const token = await store.dashboard.openSession(lead.id, NOW, new Date(NOW.getTime() + SESSION_TTL_MS));

    const viewer = await dashboardViewer(store, clock, token);
    expect(viewer?.person.id).toBe(lead.id);
    expect(viewer?.view).toEqual({ kind: 'organisations', organisationIds: [orgA.id] });

    // The role revoked: the same session no longer sees anything.
    await store.people.revokeRole(lead.id, 'ict_lead', orgA.id, null, 'test', NOW);
    expect((await dashboardViewer(store, clock, token))?.view).toBeUndefined();

    const justBefore = { now: () => new Date(NOW.getTime() + SESSION_TTL_MS - 1) };
    const expired = { now: () => new Date(NOW.getTime() + SESSION_TTL_MS) };
    expect(await dashboardViewer(store, justBefore, token)).toBeDefined();
    expect(await dashboardViewer(store, expired, token)).toBeUndefined();

    expect(await signOut(store, clock, token)).toBe(true);
    expect(await dashboardViewer(store, clock, token)).toBeUndefined();
    expect(await signOut(store, clock, token)).toBe(false);
    expect(await dashboardViewer(store, clock, 'forged')).toBeUndefined();
  });
});

describe('dashboard overview', () => {
  const everyone = { kind: 'all', decisions: true } as const;

  it('counts alerts, agents, tickets with their SLA state, the queue, engagements and decisions of every organisation', async () => {
    const o = await loadOverview(store, clock, everyone, {});
    expect(o.alerts.open).toBe(3);
    expect(o.alerts.bySeverity).toEqual({ warn: 2, crit: 1 });
    expect(o.alerts.byOrganisation).toEqual([
      { organisationId: orgA.id, organisationName: 'Associazione Alfa', warn: 1, crit: 1 },
      { organisationId: orgB.id, organisationName: 'Cooperativa Beta', warn: 1, crit: 0 },
    ]);
    expect(o.alerts.latest.map((a) => [a.organisationName, a.severity, a.kind])).toEqual([
      ['Cooperativa Beta', 'warn', 'agent_offline'],
      ['Associazione Alfa', 'warn', 'disk'],
      ['Associazione Alfa', 'crit', 'disk'],
    ]);
    expect(o.alerts.latest[0]?.ref).toMatch(/^AL-\d{6}$/);

    // Offline: overdue heartbeat (server-archivio) or an open agent_offline alert (pc-cassa).
    expect(o.agents.total).toBe(3);
    expect(o.agents.offline).toBe(2);
    expect(o.agents.offlineList.map((a) => a.name).sort()).toEqual(['pc-cassa', 'server-archivio']);

    expect(o.tickets).toMatchObject({ open: 4, atRisk: 1, breached: 1 });
    expect(o.tickets.byPriority).toEqual([
      { priority: 1, open: 2, atRisk: 0, breached: 1 },
      { priority: 2, open: 1, atRisk: 1, breached: 0 },
      { priority: 3, open: 1, atRisk: 0, breached: 0 },
    ]);
    expect(o.tickets.urgent.map((t) => [t.ref, t.sla])).toEqual([
      [tickets.breached?.ref, 'breached'],
      [tickets.atRisk?.ref, 'at_risk'],
    ]);

    expect(o.queue.count).toBe(2);
    expect(o.queue.oldestSince).toEqual(tickets.atRisk?.createdAt);
    expect(o.queue.items.map((t) => t.ref)).toEqual([tickets.atRisk?.ref, tickets.request?.ref]);

    expect(o.engagements.live).toBe(2);
    expect(o.engagements.byStatus.map((s) => [s.status, s.count]).sort()).toEqual([
      ['active', 1],
      ['requested', 1],
    ]);
    expect(o.decisions).toMatchObject({ count: 1, byDecision: [{ decision: 'certify', count: 1 }] });
    expect(o.decisions.recent.map((d) => d.subjectLabel)).toEqual(['@giulia.rossi']);
    expect(o.organisations.map((x) => x.name).sort()).toEqual(['Associazione Alfa', 'Cooperativa Beta']);
  });

  it('filters by organisation, kind and priority', async () => {
    const a = await loadOverview(store, clock, everyone, { organisationId: orgA.id });
    expect([a.alerts.open, a.agents.total, a.agents.offline, a.tickets.open, a.queue.count, a.engagements.live]).toEqual([
      2, 2, 1, 3, 2, 1,
    ]);
    const requests = await loadOverview(store, clock, everyone, { kind: 'service_request' });
    expect([requests.tickets.open, requests.queue.count, requests.engagements.live]).toEqual([1, 1, 0]);
    const p1 = await loadOverview(store, clock, everyone, { priority: 1 });
    expect([p1.tickets.open, p1.tickets.breached, p1.queue.count, p1.engagements.live]).toEqual([2, 1, 0, 2]);
  });

  it('an ICT lead sees only their organisation, and asking for another is refused', async () => {
    const view = { kind: 'organisations', organisationIds: [orgB.id] } as const;
    const o = await loadOverview(store, clock, view, {});
    expect(o.organisations.map((x) => x.name)).toEqual(['Cooperativa Beta']);
    expect([o.alerts.open, o.agents.total, o.tickets.open, o.queue.count, o.engagements.live]).toEqual([1, 1, 1, 0, 1]);
    expect(JSON.stringify(o)).not.toContain('Associazione Alfa');
    // The committee's ledger: counts only.
    expect(o.decisions).toEqual({ count: 1, byDecision: [{ decision: 'certify', count: 1 }], recent: [] });
    const refused = await loadOverview(store, clock, view, { organisationId: orgA.id }).catch((e: unknown) => e);
    expect(DomainError.is(refused, 'forbidden')).toBe(true);
  });

  it('an observer gets the counts only: no organisation, ticket id, title, machine or person', async () => {
    const o: DashboardOverview = await loadOverview(store, clock, { kind: 'aggregate' }, {});
    expect([o.alerts.open, o.agents.offline, o.tickets.open, o.tickets.breached, o.queue.count, o.engagements.live]).toEqual([
      3, 2, 4, 1, 2, 2,
    ]);
    const text = JSON.stringify(o);
    for (const secret of ['Alfa', 'Beta', tickets.breached?.ref, 'Rete', 'pc-cassa', 'giulia', orgA.id]) expect(text).not.toContain(secret);
    const refused = await loadOverview(store, clock, { kind: 'aggregate' }, { organisationId: orgA.id }).catch((e: unknown) => e);
    expect(DomainError.is(refused, 'forbidden')).toBe(true);
  });

  it('the policy: who may open the dashboard and what they see', () => {
    const actor = (
      roles: { role: Parameters<typeof DashboardPolicy.view>[0]['roles'][number]['role']; organisationId: string | null }[],
    ) => ({
      personId: 'p',
      displayName: 'P',
      locale: 'it' as const,
      roles,
    });
    expect(DashboardPolicy.view(actor([{ role: 'requester', organisationId: orgA.id }]))).toBeUndefined();
    expect(DashboardPolicy.view(actor([{ role: 'vendor', organisationId: null }]))).toBeUndefined();
    expect(DashboardPolicy.view(actor([{ role: 'volunteer', organisationId: null }]))).toEqual({ kind: 'all', decisions: false });
    expect(DashboardPolicy.view(actor([{ role: 'moderator', organisationId: null }]))).toEqual({ kind: 'all', decisions: true });
    expect(DashboardPolicy.view(actor([{ role: 'observer', organisationId: null }]))).toEqual({ kind: 'aggregate' });
    expect(
      DashboardPolicy.view(
        actor([
          { role: 'requester', organisationId: orgA.id },
          { role: 'ict_lead', organisationId: orgB.id },
        ]),
      ),
    ).toEqual({ kind: 'organisations', organisationIds: [orgB.id] });
  });
});
