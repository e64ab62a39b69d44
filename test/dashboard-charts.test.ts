/**
 * The reports' charts on the dashboard: GET /cruscotto/api/chart/{flow,observers}.svg on the
 * app's real server and database — 401 without a session, the figures of the tickets created
 * here for those who may see them, 403 (logged) for another organisation or a chart the role
 * does not give; the page shows the chart as an <img>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../app/http-server.ts';
import { createDashboard, type Dashboard } from '../bots/dashboard/dashboard-routes.ts';
import { LINK_TTL_MS } from '../core/dashboard/dashboard.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import { type DashboardFeed, listenDashboardChanges } from '../db/dashboard-feed.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { makeTicket } from './fixtures/dashboard-fixtures.ts';
import { seedOrganisation, seedPerson } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let server: HttpServer;
let dashboard: Dashboard;
let feed: DashboardFeed;
let base: string;
let orgA: Organisation;
let orgB: Organisation;
let volunteer: Person;
let lead: Person;
let observer: Person;
const now = Date.now();
const clock = { now: () => new Date(now) };
const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
const log = {
  info() {},
  warn: (obj: object, msg?: string) => void warnings.push({ obj: obj as Record<string, unknown>, msg }),
  error() {},
  debug() {},
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  orgA = await seedOrganisation(store, 'Associazione Alfa');
  orgB = await seedOrganisation(store, 'Cooperativa <Beta>');
  volunteer = await seedPerson(store, 'Vera Volontaria');
  lead = await seedPerson(store, 'Luca Referente');
  observer = await seedPerson(store, 'Olga Osservatrice');
  const requester = await seedPerson(store, 'Anna Richiedente');
  const grant = { grantedBy: null, grantedAt: clock.now(), reason: 'test' };
  await store.people.grantRole({ ...grant, personId: volunteer.id, role: 'volunteer', organisationId: null });
  await store.people.grantRole({ ...grant, personId: lead.id, role: 'ict_lead', organisationId: orgB.id });
  await store.people.grantRole({ ...grant, personId: observer.id, role: 'observer', organisationId: null });
  const day = new Date(now - 86_400_000);
  for (let i = 0; i < 3; i++) await makeTicket(store, { organisationId: orgA.id, requesterId: requester.id, createdAt: day });
  await makeTicket(store, { organisationId: orgB.id, requesterId: requester.id, createdAt: day, kind: 'service_request' });

  feed = await listenDashboardChanges({ url: tdb.url, log });
  dashboard = createDashboard({ store, clock, defaultLocale: 'it', changes: feed, log, coalesceMs: 200 });
  server = createHttpServer({
    log,
    routes: dashboard.routes,
    health: async () => ({ ok: true }),
    metrics: { contentType: 'text/plain', render: async () => '' },
  });
  base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
});

afterAll(async () => {
  dashboard?.close();
  await server?.close(100);
  await feed?.close();
  await tdb?.drop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: 'manual' });

async function signInAs(personId: string): Promise<string> {
  const token = await store.dashboard.createLink(personId, clock.now(), new Date(now + LINK_TTL_MS));
  const res = await fetch(`${base}/cruscotto/entra`, {
    method: 'POST',
    body: `t=${token}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

/** The labels drawn right after a shape of the first series' colour: its legend, then its bars' values (opened, by kind). */
const firstSeries = (svg: string) => [...svg.matchAll(/<rect [^>]*fill="#1f4e79"[^>]*\/>\n<text [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
const openedLabels = (svg: string) => firstSeries(svg).slice(0, 4);

describe('the charts on the dashboard', () => {
  it('answer 401 without a session (or with a forged one)', async () => {
    for (const headers of [{}, { cookie: 'sportello_session=forged' }] as Record<string, string>[])
      for (const name of ['flow', 'observers']) {
        const res = await get(`/cruscotto/api/chart/${name}.svg`, headers);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: 'unauthorized' });
      }
  });

  it('a volunteer sees the flow of every organisation in the last 7 days, as an SVG image', async () => {
    const cookie = await signInAs(volunteer.id);
    const res = await get('/cruscotto/api/chart/flow.svg', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const svg = await res.text();
    expect(svg).toContain('<title>Flusso del lavoro</title>');
    expect(openedLabels(svg)).toEqual(['Aperti', '3', '1', '0']); // 3 incidents, 1 request, 0 changes
    expect(svg).toContain('>—<'); // no SLA target concluded yet: no figure, not 0%
    const page = await (await get('/cruscotto', { cookie })).text();
    expect(page).toContain('<img id="chart-img" class="chart"');
    expect(page).toContain("'/cruscotto/api/chart/' + (view === 'aggregate' ? 'observers' : 'flow') + '.svg?'");
  });

  it('an ICT lead sees only their organisation; another one is 403 and logged; the observers’ chart is not theirs', async () => {
    const cookie = await signInAs(lead.id);
    const own = await (await get('/cruscotto/api/chart/flow.svg', { cookie })).text();
    expect(own).toContain('Cooperativa &lt;Beta&gt;');
    expect(openedLabels(own)).toEqual(['Aperti', '0', '1', '0']);
    const other = await get(`/cruscotto/api/chart/flow.svg?org=${orgA.id}`, { cookie });
    expect(other.status).toBe(403);
    expect(warnings.some((w) => w.msg === 'dashboard: chart outside the scope refused' && w.obj.organisationId === orgA.id)).toBe(true);
    expect((await get('/cruscotto/api/chart/observers.svg', { cookie })).status).toBe(403);
  });

  it('an observer sees the observers’ chart, never the flow nor one organisation', async () => {
    const cookie = await signInAs(observer.id);
    const res = await get('/cruscotto/api/chart/observers.svg', { cookie });
    expect(res.status).toBe(200);
    const svg = await res.text();
    expect(svg).toContain('<title>Richieste servite e tempi</title>');
    expect(svg).not.toContain('Alfa');
    expect((await get('/cruscotto/api/chart/flow.svg', { cookie })).status).toBe(403);
    expect((await get(`/cruscotto/api/chart/observers.svg?org=${orgA.id}`, { cookie })).status).toBe(403);
  });
});
