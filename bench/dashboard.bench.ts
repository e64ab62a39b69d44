/**
 * The dashboard under load: the whole app (startApp + services: HTTP, the dashboard routes, its
 * LISTEN/NOTIFY feed) on a fresh database holding 10,000 open tickets (with SLA events, a third
 * of them unclaimed) and 1,000 open alerts over 200 agents in 50 organisations, made in bulk SQL.
 *
 * - overview query: `loadOverview` for a volunteer (every organisation), p50/p99;
 * - first render: what a browser does once signed in — GET /cruscotto (the page) then GET
 *   /cruscotto/api/overview (the figures) — over real HTTP with the session cookie, p50/p99;
 * - sign-in: POST /cruscotto/entra with a fresh one-time link → 303 + cookie;
 * - live update: an alert inserted (one committed statement) → the `change` event read on an
 *   open server-sent-events stream, and → the refreshed overview received (what the page shows
 *   next), p50/p99 over ~50 alerts, one every ~1.1 s (the stream coalesces to one event a second;
 *   spacing them measures the latency, not the coalescing).
 *
 * Then, on a database of its own, the monthly reports over 1,000,000 tickets (bench/report-load.ts):
 * `monthly_report_ms` is the observers' report of the last month (p50), the flow report beside it.
 */
import http from 'node:http';
import { sql } from 'kysely';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { startServices } from '../app/services.ts';
import { LINK_TTL_MS, loadOverview } from '../core/dashboard/dashboard.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { measureMonthlyReports } from './report-load.ts';
import { summarize } from './stats.ts';

const TICKETS = Number(process.env.BENCH_DASHBOARD_TICKETS ?? 10_000);
const ALERTS = Number(process.env.BENCH_DASHBOARD_ALERTS ?? 1_000);
const ORGS = 50;
const AGENTS = 200;
const ROUNDS = Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 30);
const LIVE_UPDATES = Number(process.env.BENCH_DASHBOARD_LIVE ?? 50);

export async function bulkLoad(app: App): Promise<{ volunteerId: string }> {
  const db = app.db;
  await sql`insert into organisations (name, fiscal_code, created_at)
    select 'Associazione ' || i, lpad(i::text, 11, '9'), now() from generate_series(1, ${ORGS}::int) i`.execute(db);
  const people = await sql<{ id: string; handle: string }>`insert into people (handle, display_name, locale, created_at)
    values ('bench.requester', 'Richiedente', 'it', now()), ('bench.volunteer', 'Volontaria', 'it', now()) returning id, handle`.execute(
    db,
  );
  const id = (handle: string) => people.rows.find((r) => r.handle === handle)?.id as string;
  const requester = id('bench.requester');
  const volunteer = id('bench.volunteer');
  await sql`insert into role_grants (person_id, role, organisation_id, granted_at, reason)
    values (${volunteer}, 'volunteer', null, now(), 'bench')`.execute(db);
  // Open tickets: a third new and unclaimed, the rest assigned or in progress; ages up to 10 days.
  await sql`with orgs as (select id, row_number() over (order by id) - 1 as k from organisations)
    insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id,
      assignee_id, created_at, updated_at)
    select 'INC-' || lpad(i::text, 6, '0'), (array['incident','service_request','change'])[1 + i % 3], 'Ticket ' || i, 'D',
      1 + i % 3, 1 + (i / 3) % 3, 1 + i % 5, 'volunteer', (array['new','assigned','in_progress'])[1 + i % 3], o.id, ${requester},
      case when i % 3 = 0 then null else ${volunteer}::uuid end, now() - (i % 14400) * interval '1 minute', now()
    from generate_series(1, ${TICKETS}::int) i join orgs o on o.k = i % ${ORGS}::int`.execute(db);
  await sql`insert into ticket_events (ticket_id, at, field, from_value, to_value)
    select id, created_at, 'status', null, 'new' from tickets`.execute(db);
  await sql`insert into ticket_events (ticket_id, at, field, from_value, to_value)
    select id, created_at, 'status', 'new', status from tickets where status <> 'new'`.execute(db);
  // SLA events: every ticket's resolution warnings and breach, some due already (at risk, breached).
  await sql`insert into sla_events (ticket_id, target, kind, due_at, created_at)
    select id, 'resolution', k.kind, created_at + k.share * interval '5 days', now()
    from tickets cross join (values ('warn_75', 0.75), ('warn_90', 0.9), ('breach', 1.0)) k(kind, share)`.execute(db);
  await sql`update sla_events set fired_at = due_at where due_at <= now()`.execute(db);
  // One agent in twenty silent for an hour (offline).
  await sql`with orgs as (select id, row_number() over (order by id) - 1 as k from organisations)
    insert into monitoring_agents (organisation_id, person_id, name, secret, heartbeat_seconds, grace_seconds, enrolled_at, last_seen_at)
    select o.id, ${requester}, 'pc-' || i, md5(i::text), 60, 120, now() - interval '30 days',
      now() - case when i % 20 = 0 then interval '1 hour' else interval '10 seconds' end
    from generate_series(1, ${AGENTS}::int) i join orgs o on o.k = i % ${ORGS}::int`.execute(db);
  await sql`with agents as (select id, organisation_id, row_number() over (order by id) - 1 as k from monitoring_agents)
    insert into alerts (fingerprint, organisation_id, agent_id, kind, check_id, target, severity, state, message, opened_at, updated_at)
    select md5('bench' || i), a.organisation_id, a.id, 'disk', 'disco', '/disco-' || i, (array['warn','crit'])[1 + i % 2],
      (array['firing','acknowledged'])[1 + i % 2], 'disco quasi pieno', now() - (i % 600) * interval '1 minute', now()
    from generate_series(1, ${ALERTS}::int) i join agents a on a.k = i % ${AGENTS}::int`.execute(db);
  await sql`analyze`.execute(db);
  return { volunteerId: volunteer };
}

function request(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function signIn(app: App, personId: string): Promise<{ cookie: string; ms: number }> {
  const token = await app.store.dashboard.createLink(personId, new Date(), new Date(Date.now() + LINK_TTL_MS));
  const started = performance.now();
  const res = await request(app.port, 'POST', '/cruscotto/entra', { 'content-type': 'application/x-www-form-urlencoded' }, `t=${token}`);
  const ms = performance.now() - started;
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return { cookie: String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] as string, ms };
}

/** An open event stream: resolves `next()` with the time the next `change` event arrived. */
function openStream(port: number, cookie: string): Promise<{ next(): Promise<number>; close(): void }> {
  return new Promise((resolve, reject) => {
    let waiting: ((at: number) => void) | undefined;
    let buffer = '';
    const req = http.get({ host: '127.0.0.1', port, path: '/cruscotto/api/events', headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let i = buffer.indexOf('\n\n');
        while (i >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (frame.startsWith('event: change')) {
            const w = waiting;
            waiting = undefined;
            w?.(performance.now());
          }
          i = buffer.indexOf('\n\n');
        }
      });
      resolve({
        next: () => new Promise<number>((r) => (waiting = r)),
        close: () => req.destroy(),
      });
    });
    req.on('error', () => undefined);
  });
}

async function measureDashboard(): Promise<Record<string, number | string | null>> {
  const tdb = await createTestDatabase();
  const app = await startApp(
    { ...loadConfig({ DATABASE_URL: tdb.url }), port: 0 },
    { log: createLogger({ level: 'silent' }), host: '127.0.0.1', onReady: async (ctx) => void (await startServices(ctx)) },
  );
  try {
    const loadStarted = performance.now();
    const { volunteerId } = await bulkLoad(app);
    const loadMs = performance.now() - loadStarted;
    const view = { kind: 'all', decisions: true } as const;
    const clock = { now: () => new Date() };

    // Warm up (plans, connections), then measure.
    const check = await loadOverview(app.store, clock, view, {});
    for (let i = 0; i < 3; i++) await loadOverview(app.store, clock, view, {});
    const query: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await loadOverview(app.store, clock, view, {});
      query.push(performance.now() - t);
    }

    const signIns: number[] = [];
    const firstRender: number[] = [];
    let overviewBytes = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const { cookie, ms } = await signIn(app, volunteerId);
      signIns.push(ms);
      const t = performance.now();
      const page = await request(app.port, 'GET', '/cruscotto', { cookie });
      const data = await request(app.port, 'GET', '/cruscotto/api/overview', { cookie });
      firstRender.push(performance.now() - t);
      if (page.status !== 200 || data.status !== 200) throw new Error(`first render answered ${page.status}/${data.status}`);
      overviewBytes = data.body.length;
    }

    const { cookie } = await signIn(app, volunteerId);
    const stream = await openStream(app.port, cookie);
    const agent = (await app.db
      .withTables<{ monitoring_agents: { id: string; organisation_id: string } }>()
      .selectFrom('monitoring_agents')
      .select(['id', 'organisation_id'])
      .limit(1)
      .executeTakeFirstOrThrow()) as { id: string; organisation_id: string };
    const toEvent: number[] = [];
    const toData: number[] = [];
    for (let i = 0; i < LIVE_UPDATES; i++) {
      await new Promise((r) => setTimeout(r, 1_100));
      const arrived = stream.next();
      const t = performance.now();
      await sql`insert into alerts (fingerprint, organisation_id, agent_id, kind, check_id, target, severity, state, message, opened_at, updated_at)
        values (md5(random()::text), ${agent.organisation_id}, ${agent.id}, 'disk', 'disco', ${`/live-${i}`}, 'crit', 'firing', 'live', now(), now())`.execute(
        app.db,
      );
      const at = await arrived;
      toEvent.push(at - t);
      const data = await request(app.port, 'GET', '/cruscotto/api/overview', { cookie });
      if (data.status !== 200) throw new Error(`overview answered ${data.status}`);
      toData.push(performance.now() - t);
    }
    stream.close();

    return {
      open_tickets: check.tickets.open,
      open_alerts: check.alerts.open,
      organisations: ORGS,
      agents: AGENTS,
      bulk_load_ms: Math.round(loadMs),
      overview_bytes: overviewBytes,
      ...summarize('overview_query', query),
      ...summarize('sign_in', signIns),
      ...summarize('first_render', firstRender),
      live_updates: LIVE_UPDATES,
      ...summarize('alert_to_sse_event', toEvent),
      ...summarize('alert_to_fresh_overview', toData),
    };
  } finally {
    await app.close();
    await tdb.drop();
  }
}

export async function run(): Promise<Record<string, number | string | null>> {
  const dashboard = await measureDashboard();
  const reports = await measureMonthlyReports();
  return { ...dashboard, monthly_report_ms: reports.monthly_observer_report_p50_ms ?? null, ...reports };
}
