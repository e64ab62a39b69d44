/**
 * The dashboard's HTTP routes on the app's server, a real database and the real LISTEN/NOTIFY
 * feed: no session, no data (401 on every data route); the login link is used only by the
 * form's POST, once, and a forged, reused or expired one is refused and logged; the cookie's
 * attributes; sessions are per person (scope included); another organisation is 403 and logged;
 * logout; the live stream hears a change written by anyone, coalesced.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../app/http-server.ts';
import { createChangeHub } from '../bots/dashboard/change-hub.ts';
import { createDashboard, type Dashboard } from '../bots/dashboard/dashboard-routes.ts';
import { LINK_TTL_MS } from '../core/dashboard/dashboard.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import { type DashboardFeed, listenDashboardChanges } from '../db/dashboard-feed.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { makeAgent, makeAlert, makeTicket } from './fixtures/dashboard-fixtures.ts';
import { seedOrganisation, seedPerson } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

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
let requester: Person;
let now = Date.now();
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
  orgB = await seedOrganisation(store, 'Cooperativa Beta');
  volunteer = await seedPerson(store, 'Vera Volontaria');
  lead = await seedPerson(store, 'Luca Referente');
  requester = await seedPerson(store, 'Anna Richiedente');
  const grant = { grantedBy: null, grantedAt: clock.now(), reason: 'test' };
  await store.people.grantRole({ ...grant, personId: volunteer.id, role: 'volunteer', organisationId: null });
  await store.people.grantRole({ ...grant, personId: lead.id, role: 'ict_lead', organisationId: orgB.id });
  await store.people.grantRole({ ...grant, personId: requester.id, role: 'requester', organisationId: orgA.id });
  await makeTicket(store, { organisationId: orgA.id, requesterId: requester.id, createdAt: clock.now(), title: 'Stampante <b>ferma</b>' });
  await makeTicket(store, { organisationId: orgB.id, requesterId: requester.id, createdAt: clock.now() });

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
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    redirect: 'manual',
  });
const link = (personId: string) => store.dashboard.createLink(personId, clock.now(), new Date(now + LINK_TTL_MS));

/** Signs in through the form's POST; returns the cookie to send back. */
async function signInAs(personId: string): Promise<string> {
  const res = await post('/cruscotto/entra', `t=${await link(personId)}`);
  expect(res.status).toBe(303);
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0] as string;
}

describe('without a session', () => {
  it('the page only says how to sign in from chat, in the browser language; every data route answers 401', async () => {
    const page = await get('/cruscotto');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Per entrare scrivi «cruscotto» al bot in chat');
    expect(await (await get('/cruscotto', { 'accept-language': 'en-GB,en;q=0.9,it;q=0.5' })).text()).toContain(
      'To sign in, write &#34;dashboard&#34; to the bot in chat',
    );
    for (const cookie of [undefined, 'sportello_session=forged', 'sportello_session=']) {
      const headers: Record<string, string> = cookie ? { cookie } : {};
      for (const path of ['/cruscotto/api/overview', '/cruscotto/api/overview?org=' + orgA.id, '/cruscotto/api/events']) {
        const res = await get(path, headers);
        expect(res.status, `${path} with ${cookie}`).toBe(401);
        expect(await res.json()).toMatchObject({ error: 'unauthorized' });
      }
      const page = await (await get('/cruscotto', headers)).text();
      expect(page).not.toContain('Associazione Alfa');
    }
  });
});

describe('the login link', () => {
  it('opening it (GET, as a link preview does) does not use it; the form posts it, once', async () => {
    const token = await link(volunteer.id);
    for (let i = 0; i < 3; i++) {
      const page = await get(`/cruscotto/entra?t=${token}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<form id="enter" method="post" action="/cruscotto/entra">');
      expect(html).toContain(`name="t" value="${token}"`);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/);
    }
    const res = await post('/cruscotto/entra', `t=${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/cruscotto');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sportello_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/cruscotto; Max-Age=43200$/);
  });

  it("another site's page cannot post the form (403, the link stays unused); our own page's post, as a browser sends it, signs in", async () => {
    const token = await link(volunteer.id);
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ]) {
      const res = await post('/cruscotto/entra', `t=${token}`, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'cross_origin' });
    }
    // The page sends no referrer, so the browser's Origin is "null"; Sec-Fetch-Site tells it is ours.
    const res = await post('/cruscotto/entra', `t=${token}`, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(303);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect((await post('/cruscotto/esci', '', { cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await get('/cruscotto/api/overview', { cookie })).status).toBe(200);
    expect((await post('/cruscotto/esci', '', { cookie, origin: base })).status).toBe(303);
    expect((await get('/cruscotto/api/overview', { cookie })).status).toBe(401);
  });

  it('the token in the page is escaped', async () => {
    const html = await (await get(`/cruscotto/entra?t=${encodeURIComponent('"><script>alert(1)</script>')}`)).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
  });

  it('the cookie is Secure behind HTTPS (X-Forwarded-Proto) or with an https public URL', async () => {
    const res = await post('/cruscotto/entra', `t=${await link(volunteer.id)}`, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
    const behind = createDashboard({ store, clock, defaultLocale: 'it', changes: feed, log, publicUrl: 'https://sportello.example.org' });
    const s = createHttpServer({
      log,
      routes: behind.routes,
      health: async () => ({ ok: true }),
      metrics: { contentType: 'text/plain', render: async () => '' },
    });
    const port = await s.listen(0, '127.0.0.1');
    try {
      const r = await fetch(`http://127.0.0.1:${port}/cruscotto/entra`, {
        method: 'POST',
        body: `t=${await link(volunteer.id)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
      expect(r.headers.get('set-cookie')).toMatch(/; Secure$/);
    } finally {
      behind.close();
      await s.close(100);
    }
  });

  it('a reused, forged or expired link is refused with a page saying so, and logged', async () => {
    const token = await link(volunteer.id);
    expect((await post('/cruscotto/entra', `t=${token}`)).status).toBe(303);
    warnings.length = 0;

    const reused = await post('/cruscotto/entra', `t=${token}`);
    expect(reused.status).toBe(401);
    expect(reused.headers.get('set-cookie')).toBeNull();
    expect(await reused.text()).toContain('Questo link è già stato usato');

    const forged = await post('/cruscotto/entra', 't=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { 'accept-language': 'en' });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain('This link is not valid');

    const late = await link(volunteer.id);
    now += LINK_TTL_MS;
    try {
      const expired = await post('/cruscotto/entra', `t=${late}`);
      expect(expired.status).toBe(401);
      expect(await expired.text()).toContain('Questo link è scaduto');
    } finally {
      now -= LINK_TTL_MS;
    }
    expect(warnings.filter((w) => w.msg === 'dashboard: login link refused').map((w) => w.obj.reason)).toEqual([
      'used',
      'unknown',
      'expired',
    ]);
  });
});

describe('with a session', () => {
  it('each cookie is its own person: the ICT lead sees only their organisation beside a volunteer seeing all', async () => {
    const mine = await signInAs(volunteer.id);
    const theirs = await signInAs(lead.id);
    const all = await (await get('/cruscotto/api/overview', { cookie: mine })).json();
    expect(all.organisations.map((o: { name: string }) => o.name).sort()).toEqual(['Associazione Alfa', 'Cooperativa Beta']);
    expect(all.tickets.open).toBe(2);

    const scoped = await get('/cruscotto/api/overview', { cookie: theirs });
    const body = await scoped.text();
    expect(JSON.parse(body).tickets.open).toBe(1);
    expect(body).not.toContain('Associazione Alfa');

    // The page greets its own person, escaped labels rendered server-side.
    const page = await (await get('/cruscotto', { cookie: theirs })).text();
    expect(page).toContain('Accesso come Luca Referente');
    expect(page).toContain('Solo la tua organizzazione');

    // A cookie altered by one character is nobody's.
    const altered = `${theirs.slice(0, -1)}${theirs.endsWith('A') ? 'B' : 'A'}`;
    expect((await get('/cruscotto/api/overview', { cookie: altered })).status).toBe(401);
  });

  it("another organisation's data is refused (403) and logged; a bad filter is 400", async () => {
    const theirs = await signInAs(lead.id);
    warnings.length = 0;
    const res = await get(`/cruscotto/api/overview?org=${orgA.id}`, { cookie: theirs });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('Alfa');
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: 'dashboard: organisation outside the scope refused',
        obj: expect.objectContaining({ personId: lead.id, organisationId: orgA.id }),
      }),
    ]);
    expect((await get(`/cruscotto/api/overview?org=${orgB.id}`, { cookie: theirs })).status).toBe(200);
    expect((await get('/cruscotto/api/overview?priority=9', { cookie: theirs })).status).toBe(400);
    expect((await get('/cruscotto/api/overview?kind=x', { cookie: theirs })).status).toBe(400);
    expect((await get('/cruscotto/api/overview?org=nope', { cookie: theirs })).status).toBe(400);
  });

  it('a role revoked applies at once to an open session (403)', async () => {
    const other = await seedPerson(store, 'Marco Volontario');
    await store.people.grantRole({
      personId: other.id,
      role: 'volunteer',
      organisationId: null,
      grantedBy: null,
      grantedAt: clock.now(),
      reason: 't',
    });
    const cookie = await signInAs(other.id);
    expect((await get('/cruscotto/api/overview', { cookie })).status).toBe(200);
    await store.people.revokeRole(other.id, 'volunteer', null, null, 'test', clock.now());
    expect((await get('/cruscotto/api/overview', { cookie })).status).toBe(403);
    expect((await get('/cruscotto', { cookie })).status).toBe(403);
  });

  it('logout ends the session: the cookie is cleared and the data routes answer 401 again', async () => {
    const cookie = await signInAs(volunteer.id);
    expect((await get('/cruscotto/api/overview', { cookie })).status).toBe(200);
    const out = await post('/cruscotto/esci', '', { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^sportello_session=; HttpOnly; SameSite=Strict; Path=\/cruscotto; Max-Age=0/);
    expect((await get('/cruscotto/api/overview', { cookie })).status).toBe(401);
    expect((await get('/cruscotto/api/events', { cookie })).status).toBe(401);
  });
});

/** Opens the event stream and collects what arrives. */
function openStream(cookie: string): Promise<{ text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = http.get(`${base}/cruscotto/api/events`, { headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => void (text += chunk));
      res.on('error', () => undefined);
      resolve({ text: () => text, close: () => req.destroy() });
    });
    req.on('error', () => undefined);
  });
}

describe('the live stream', () => {
  it('tells a signed-in page that the data changed, whoever wrote it', async () => {
    const stream = await openStream(await signInAs(volunteer.id));
    try {
      await until('the stream to open', () => stream.text().includes(': connected'));
      const agent = await makeAgent(store, orgA.id, volunteer.id, 'pc-1', clock.now(), clock.now());
      await makeAlert(store, agent, 'crit', clock.now());
      await until('a change event', () => stream.text().includes('event: change\ndata: {}\n\n'));
      await until('the stream to be counted', () => dashboard.streams() >= 1);
    } finally {
      stream.close();
    }
    await until('the closed stream to be forgotten', () => dashboard.streams() === 0);
  });

  it('coalesces a burst of changes: one event at once, one trailing, per interval', async () => {
    const listeners = new Set<() => void>();
    const source = { subscribe: (l: () => void) => (listeners.add(l), () => void listeners.delete(l)) };
    const hub = createChangeHub(source, { coalesceMs: 100 });
    let events = 0;
    hub.subscribe(() => void events++);
    for (let i = 0; i < 50; i++) for (const l of listeners) l();
    expect(events).toBe(1);
    await until('the trailing event', () => events === 2);
    for (const l of listeners) l();
    await until('the next interval', () => events === 3);
    hub.close();
    for (const l of listeners) l();
    expect(listeners.size).toBe(0);
  });
});
