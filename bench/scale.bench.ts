/**
 * Scale: the whole target network — 10,000 nonprofits, 1,000,000 tickets a year, 20,000
 * monitoring agents reporting every 60 s — simulated on this machine, on a PostgreSQL 15 and a
 * Redis of its own (started here, pg_stat_statements loaded; the shared servers are untouched).
 *
 * 1. The year at rest (bench/scale/year-load.ts): set-based SQL writes a year of the network;
 *    the database size, the largest tables with their indexes, and the steady-state size of the
 *    rolling monitoring tables projected from a sample's measured bytes per row.
 * 2. The busiest hour, on the real app (startApp + services: HTTP, engine, web chat, dashboard,
 *    workers with BullMQ on Redis): the fleet's signed reports over HTTP at their real rate
 *    (agents / 60 s, from a process of its own), and the people's traffic of the busiest hour
 *    compressed `SCALE_COMPRESS` times (intakes in chat, SLA targets falling due, open dashboard
 *    pages refreshed on every change, community searches) for `SCALE_SECONDS`. Measured: p50/p99
 *    of each, CPU per process (/proc), Redis ops/s and memory, WAL and database growth, and the
 *    busiest statements (pg_stat_statements).
 * 3. Each activity alone at saturation for `SCALE_RAMP_SECONDS` → its sustained maximum;
 *    headroom = maximum / what the busiest hour needs (uncompressed).
 *
 * Needs (the busiest hour; env to change): reports = agents / 60 per second; tickets = 1M/year
 * over 250 working days of 9 hours, twice the average working hour (SCALE_PEAK_TICKETS_PER_HOUR,
 * default 889/h); 2 SLA firings per ticket; SCALE_DASHBOARD_PAGES (20) pages open, each
 * refetching the overview at most once a second when something changed; 2 searches per ticket.
 */
import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { type Services, startServices } from '../app/services.ts';
import { searchCommunity } from '../core/community/search.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import type { CommunityTables } from '../db/community.tables.ts';
import { QUERIES } from '../test/fixtures/community-queries.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import type { FleetResult, FleetRun } from './scale/agent-fleet.ts';
import { intake, openPage, overview, signIn, slaLateness, slaTargetsDue } from './scale/drivers.ts';
import {
  type OwnPostgres,
  type OwnRedis,
  processCpuMs,
  processRssMb,
  startOwnPostgres,
  startOwnRedis,
  treeCpuMs,
} from './scale/servers.ts';
import { loadYear, tableSizes, targets, YEAR } from './scale/year-load.ts';
import { round, summarize } from './stats.ts';

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const SECONDS = env('SCALE_SECONDS', 60);
const COMPRESS = env('SCALE_COMPRESS', 10);
const RAMP_SECONDS = env('SCALE_RAMP_SECONDS', 15);
const PAGES = env('SCALE_DASHBOARD_PAGES', 20);
const PEAK_TICKETS_PER_HOUR = env('SCALE_PEAK_TICKETS_PER_HOUR', Math.round((2 * YEAR.tickets) / (250 * 9)));

/** What the busiest hour needs, per second, uncompressed. */
const NEED = {
  reportsPerS: YEAR.agents / 60,
  intakesPerS: PEAK_TICKETS_PER_HOUR / 3600,
  slaFiringsPerS: (2 * PEAK_TICKETS_PER_HOUR) / 3600,
  searchesPerS: (2 * PEAK_TICKETS_PER_HOUR) / 3600,
};

const log = (m: string) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fleet {
  readonly pid: number;
  run(r: FleetRun): Promise<FleetResult>;
  stop(): void;
}

async function startFleet(app: App): Promise<Fleet> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'scale', 'agent-fleet.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waitFor = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (m: Record<string, unknown>) => {
        if (key in m) {
          child.off('message', on);
          resolve(m[key] as T);
        }
      };
      child.on('message', on);
      child.once('exit', (c) => reject(new Error(`agent fleet exited (${c})`)));
    });
  await waitFor('hello');
  const agents = (await sql<{ id: string; name: string }>`select id, name from monitoring_agents order by name`.execute(app.db)).rows.map(
    (r) => ({
      id: r.id,
      i: Number(r.name.slice(3)),
    }),
  );
  child.send({ port: app.port, agents });
  await waitFor('ready');
  return {
    pid: child.pid!,
    run: (r) => {
      const done = waitFor<FleetResult>('result');
      child.send({ run: r });
      return done;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

/** CPU of every process, sampled over a window: share of one core each. */
function cpuMeter(pgs: OwnPostgres, redis: OwnRedis, fleetPid: number) {
  const read = () => ({
    at: performance.now(),
    app: process.cpuUsage(),
    pg: treeCpuMs(pgs.postmasterPid),
    redis: processCpuMs(redis.pid),
    fleet: processCpuMs(fleetPid),
  });
  const t0 = read();
  return () => {
    const t1 = read();
    const ms = t1.at - t0.at;
    const pct = (used: number) => round((used / ms) * 100, 1);
    return {
      app_cpu_pct: pct((t1.app.user + t1.app.system - t0.app.user - t0.app.system) / 1000),
      postgres_cpu_pct: pct(t1.pg - t0.pg),
      redis_cpu_pct: pct(t1.redis - t0.redis),
      fleet_cpu_pct: pct(t1.fleet - t0.fleet),
    };
  };
}

/** Runs `task` with `concurrency` loops for `seconds`; completions per second and latencies. */
async function saturate(seconds: number, concurrency: number, task: (n: number) => Promise<void>) {
  const latencies: number[] = [];
  let n = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await task(n++);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const wall = performance.now() - start;
  return { perS: round((latencies.length / wall) * 1000, 1), latencies, errors };
}

/** Open loop: `task` started `rate` times a second for `seconds`, whatever the previous ones do. */
async function paced(seconds: number, rate: number, task: (n: number) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let started = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; started < due; started++) {
      const k = started;
      const t0 = performance.now();
      const p = task(k)
        .then(
          () => void latencies.push(performance.now() - t0),
          () => void errors++,
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await sleep(10);
  }
  await Promise.all(pending);
  return { started, latencies, errors };
}

async function topStatements(pgs: OwnPostgres, dbName: string, seconds: number) {
  const pg = await import('pg');
  const c = new pg.default.Client({ connectionString: pgs.adminUrl });
  await c.connect();
  try {
    const r = await c.query<{ query: string; calls: string; total: number; mean: number; stddev: number; max: number; rows: string }>(
      `select regexp_replace(query, '\\s+', ' ', 'g') as query, calls, total_exec_time as total, mean_exec_time as mean,
         stddev_exec_time as stddev, max_exec_time as max, rows
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
       where d.datname = $1 and query not ilike '%pg_stat_statements%'
       order by total_exec_time desc limit 12`,
      [dbName],
    );
    const all = await c.query<{ total: number }>(
      `select coalesce(sum(total_exec_time), 0) as total from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1`,
      [dbName],
    );
    const sum = Number(all.rows[0]?.total ?? 0);
    return r.rows.map((x) => ({
      query: x.query.slice(0, 140),
      calls_per_s: round(Number(x.calls) / seconds, 1),
      mean_ms: round(x.mean, 2),
      stddev_ms: round(x.stddev, 2),
      max_ms: round(x.max, 1),
      share_of_db_time_pct: round((x.total / Math.max(1, sum)) * 100, 1),
    }));
  } finally {
    await c.end();
  }
}

async function resetStatements(pgs: OwnPostgres): Promise<void> {
  const pg = await import('pg');
  const c = new pg.default.Client({ connectionString: pgs.adminUrl });
  await c.connect();
  await c.query('select pg_stat_statements_reset()');
  await c.end();
}

async function pgScalar(app: App, text: string): Promise<number> {
  return Number((await sql<{ v: string }>`${sql.raw(text)}`.execute(app.db)).rows[0]?.v ?? 0);
}

export async function run(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const load0 = os.loadavg()[0] ?? 0;
  const pgs = await startOwnPostgres(log);
  const redis = await startOwnRedis(log);
  const savedUrl = process.env['TEST_DATABASE_URL'];
  process.env['TEST_DATABASE_URL'] = pgs.adminUrl;
  let tdb: TestDatabase | undefined;
  let app: App | undefined;
  let fleet: Fleet | undefined;
  try {
    tdb = await createTestDatabase();
    const dbName = new URL(tdb.url).pathname.slice(1);

    // ── Phase 1: the year at rest ───────────────────────────────────────────────────────────
    log(`phase 1: a year of ${YEAR.orgs} organisations, ${YEAR.agents} agents, ${YEAR.tickets} tickets`);
    await pgs.set({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }); // loading only
    const load = await loadYear(tdb.url, tdb.db.withTables<CommunityTables>(), log);
    await pgs.set({ fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' });
    await sql`checkpoint`.execute(tdb.db);
    const sizes = await tableSizes(tdb.url);
    const byTable = new Map(sizes.tables.map((t) => [t.table, t]));
    // The rolling tables filled with a sample: their measured MB per row × their steady-state rows.
    let projectedMb = sizes.databaseMb;
    const projected: Record<string, { rows: number; mb: number; bytes_per_row: number }> = {};
    for (const t of targets()) {
      const s = byTable.get(t.table);
      if (!s || t.loadedRows === t.yearRows) continue;
      const bytesPerRow = (s.totalMb * 1048576) / Math.max(1, t.loadedRows);
      const mb = (bytesPerRow * t.yearRows) / 1048576;
      projected[t.table] = { rows: t.yearRows, mb: Math.round(mb), bytes_per_row: Math.round(bytesPerRow) };
      projectedMb += mb - s.totalMb;
    }
    log(
      `database ${sizes.databaseMb} MB loaded in ${(load.totalMs / 1000).toFixed(0)} s; projected steady state ${Math.round(projectedMb)} MB`,
    );

    // ── Phase 2: the app under the busiest hour ─────────────────────────────────────────────
    let services: Services | undefined;
    app = await startApp(
      { ...loadConfig({ DATABASE_URL: tdb.url, REDIS_URL: redis.url }), port: 0 },
      {
        log: createLogger({ level: 'silent' }),
        host: '127.0.0.1',
        onReady: async (ctx) => {
          services = await startServices(ctx);
        },
      },
    );
    const engine = services!.engine;
    const now = new Date();
    for (const [purpose, conversationId] of [
      ['volunteers', 'volontari'],
      ['alerts', 'allerte'],
      ['committee', 'comitato'],
    ] as const)
      await app.store.channels.bind({
        purpose,
        platform: 'web',
        conversationId,
        threadId: null,
        organisationId: null,
        boundBy: null,
        boundAt: now,
      });
    const volunteerId = (await app.db.selectFrom('people').select('id').where('handle', '=', 'v0').executeTakeFirstOrThrow()).id;
    const cookie = await signIn(app, volunteerId);
    fleet = await startFleet(app);
    // Warm-up: plans, pools, the first reports of a few agents.
    await fleet.run({ mode: 'rate', rate: 100, seconds: 3 });
    for (let i = 0; i < 3; i++) await overview(app, cookie);
    let requester = 0;
    await intake(app, engine, requester++);

    const c = COMPRESS;
    log(
      `phase 2: ${SECONDS} s of the busiest hour — ${round(NEED.reportsPerS, 1)} reports/s real time; people ×${c}: ` +
        `${round(NEED.intakesPerS * c, 2)} intakes/s, ${round(NEED.slaFiringsPerS * c, 2)} SLA firings/s, ${PAGES} dashboard pages, ${round(NEED.searchesPerS * c, 2)} searches/s`,
    );
    await resetStatements(pgs);
    const wal0 = await pgScalar(app, `select pg_current_wal_lsn() - '0/0' as v`);
    const size0 = await pgScalar(app, 'select pg_database_size(current_database()) as v');
    const redis0 = await redis.info();
    const meter = cpuMeter(pgs, redis, fleet.pid);
    const t0 = performance.now();
    const slaIds = await slaTargetsDue(
      app,
      Math.round(NEED.slaFiringsPerS * c * SECONDS),
      new Date(Date.now() + 3_000),
      SECONDS * 1000 - 5_000,
    );
    const overviewMs: number[] = [];
    const pages = Array.from({ length: PAGES }, () => openPage(app!, cookie, overviewMs));
    const intakeEvents: number[] = [];
    const [agentRun, intakes, searches] = await Promise.all([
      fleet.run({ mode: 'rate', rate: NEED.reportsPerS, seconds: SECONDS }),
      paced(SECONDS, NEED.intakesPerS * c, async () => void intakeEvents.push(...(await intake(app!, engine, requester++)))),
      paced(SECONDS, NEED.searchesPerS * c, async (k) => void (await searchCommunity(app!.store, QUERIES[k % QUERIES.length]![0]))),
    ]);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = meter();
    const redis1 = await redis.info();
    const changes = Math.max(...pages.map((p) => p.changes()));
    for (const p of pages) p.close();
    const statements = await topStatements(pgs, dbName, wallS);
    const wal1 = await pgScalar(app, `select pg_current_wal_lsn() - '0/0' as v`);
    const size1 = await pgScalar(app, 'select pg_database_size(current_database()) as v');
    const rssMb = round(processRssMb(process.pid), 0);
    // Chat messages written but not yet delivered when the window ends (most go to one channel).
    const outboxPending = await pgScalar(app, `select count(*) as v from outbox where status = 'pending'`);
    const outboxTopConversation = await pgScalar(
      app,
      `select coalesce(max(n), 0) as v from (select count(*) as n from outbox where status = 'pending' group by conversation_key) x`,
    );
    // The SLA targets had until the end of the window; give the last ones a few seconds.
    let sla = await slaLateness(app, slaIds);
    for (let i = 0; i < 20 && sla.unfired > 0; i++) {
      await sleep(500);
      sla = await slaLateness(app, slaIds);
    }
    const agentOk = agentRun.statuses['200'] ?? 0;
    const busiest = {
      seconds: round(wallS, 1),
      compress: c,
      reports_offered_per_s: round(NEED.reportsPerS, 1),
      reports_ok_per_s: round(agentOk / wallS, 1),
      reports_shed: agentRun.shed,
      reports_not_200: agentRun.sent - agentOk,
      ...summarize('report', agentRun.latencies),
      intakes: intakes.latencies.length,
      intake_errors: intakes.errors,
      ...summarize('intake_event', intakeEvents),
      ...summarize('intake', intakes.latencies),
      sla_targets: slaIds.length,
      sla_unfired: sla.unfired,
      ...summarize('sla_lateness', sla.lateness),
      dashboard_pages: PAGES,
      dashboard_changes_per_s: round(changes / wallS, 2),
      overview_fetches_per_s: round(overviewMs.length / wallS, 1),
      ...summarize('overview', overviewMs),
      searches: searches.latencies.length,
      ...summarize('search', searches.latencies),
      ...cpu,
      app_rss_mb: rssMb,
      outbox_pending_at_end: outboxPending,
      outbox_pending_in_busiest_conversation: outboxTopConversation,
      redis_ops_per_s: round((redis1.commands - redis0.commands) / wallS, 0),
      redis_used_memory_mb: round(redis1.usedMemoryMb, 1),
      wal_mb_per_s: round((wal1 - wal0) / 1048576 / wallS, 2),
      db_growth_mb_per_hour: round(((size1 - size0) / 1048576 / wallS) * 3600, 0),
    };
    log(`busiest hour: ${JSON.stringify(busiest)}`);

    // ── Phase 3: each alone, at saturation ──────────────────────────────────────────────────
    log(`phase 3: each activity alone for ${RAMP_SECONDS} s at saturation`);
    // CPU of the servers (app, PostgreSQL, Redis; not the fleet) per operation: what one core
    // can serve, whatever else the machine was doing.
    const msPerOp = (c: ReturnType<ReturnType<typeof cpuMeter>>, perS: number) =>
      round(((c.app_cpu_pct + c.postgres_cpu_pct + c.redis_cpu_pct) * 10) / Math.max(0.001, perS), 2);
    const costed = async (work: () => Promise<{ perS: number; latencies: number[]; errors: number }>) => {
      const m = cpuMeter(pgs, redis, fleet!.pid);
      const r = await work();
      return { ...r, cpuMsPerOp: msPerOp(m(), r.perS) };
    };
    const m1 = cpuMeter(pgs, redis, fleet.pid);
    const r1 = await fleet.run({ mode: 'closed', concurrency: 64, seconds: RAMP_SECONDS });
    const ingestCpu = m1();
    const ingestMax = round(((r1.statuses['200'] ?? 0) / r1.wallMs) * 1000, 1);
    log(`  ingest: ${ingestMax} reports/s ${JSON.stringify(ingestCpu)}`);
    const r2 = await costed(() => saturate(RAMP_SECONDS, 16, async () => void (await intake(app!, engine, requester++))));
    log(`  intake: ${r2.perS}/s (${r2.errors} errors)`);
    const requesterPerson = (await app.db.selectFrom('people').select('id').where('handle', '=', 'r1').executeTakeFirstOrThrow()).id;
    const actor = await actorForPerson(app.store, (await app.store.people.findPerson(requesterPerson))!);
    const r3 = await costed(() =>
      saturate(RAMP_SECONDS, 8, (i) =>
        app!.store.transaction(async (repos) => {
          const notifier = new Notifier(repos, 'it');
          await createTicket(
            { repos, clock: { now: () => new Date() }, actor, notifier, defaultLocale: 'it' },
            { kind: 'incident', title: `Stampante ${i}`, description: 'La stampante non stampa', impact: 2, urgency: 2 },
          );
          await notifier.flush(new Date());
        }),
      ),
    );
    log(`  createTicket: ${r3.perS}/s`);
    const r4 = await costed(() => saturate(RAMP_SECONDS, 4, () => overview(app!, cookie)));
    log(`  overview: ${r4.perS}/s`);
    const r5 = await costed(() =>
      saturate(RAMP_SECONDS, 4, async (k) => void (await searchCommunity(app!.store, QUERIES[k % QUERIES.length]![0]))),
    );
    log(`  search: ${r5.perS}/s`);
    const flood = await slaTargetsDue(app, env('SCALE_SLA_FLOOD', 2_000), new Date(Date.now() + 3_000), 0);
    let f = await slaLateness(app, flood);
    for (let i = 0; i < 240 && f.unfired > 0; i++) {
      await sleep(500);
      f = await slaLateness(app, flood);
    }
    const floodDue = Date.now();
    const slaMax = f.firedAt.length
      ? round((f.firedAt.length / Math.max(1, Math.max(...f.firedAt) - Math.min(...f.firedAt) + 1)) * 1000, 1)
      : 0;
    log(`  sla: ${slaMax} firings/s (${f.unfired} unfired)`);
    void floodDue;

    const neededOverviews = PAGES * Math.min(1, changes / wallS);
    const headroom = (max: number, need: number) => (need > 0 ? round(max / need, 1) : null);
    const maxima = {
      ingest_max_reports_per_s: ingestMax,
      ingest_at_max_statuses: r1.statuses,
      ...summarize('ingest_at_max', r1.latencies),
      ingest_at_max_cpu: ingestCpu,
      ingest_cpu_ms_per_report: msPerOp(ingestCpu, ingestMax),
      intake_max_per_s: r2.perS,
      intake_errors_at_max: r2.errors,
      intake_cpu_ms: r2.cpuMsPerOp,
      create_ticket_max_per_s: r3.perS,
      create_ticket_cpu_ms: r3.cpuMsPerOp,
      overview_max_per_s: r4.perS,
      overview_cpu_ms: r4.cpuMsPerOp,
      ...summarize('overview_at_max', r4.latencies),
      search_max_per_s: r5.perS,
      search_cpu_ms: r5.cpuMsPerOp,
      sla_max_firings_per_s: slaMax,
    };
    const headrooms = {
      agent_reports: headroom(ingestMax, NEED.reportsPerS),
      intakes: headroom(r2.perS, NEED.intakesPerS),
      tickets_created: headroom(r3.perS, NEED.intakesPerS),
      dashboard_overviews: headroom(r4.perS, neededOverviews),
      searches: headroom(r5.perS, NEED.searchesPerS),
      sla_firings: headroom(slaMax, NEED.slaFiringsPerS),
      // Single-threaded Redis: the share of one core it used at the busiest hour.
      redis_cpu: headroom(100, Math.max(0.1, cpu.redis_cpu_pct)),
    };

    const top = sizes.tables.slice(0, 12).map((t) => ({ table: t.table, rows: t.rows, mb: t.totalMb, index_mb: t.indexMb }));
    return {
      organisations: YEAR.orgs,
      agents: YEAR.agents,
      tickets_per_year: YEAR.tickets,
      peak_tickets_per_hour: PEAK_TICKETS_PER_HOUR,
      needs_per_s: {
        reports: round(NEED.reportsPerS, 1),
        intakes: round(NEED.intakesPerS, 3),
        sla_firings: round(NEED.slaFiringsPerS, 3),
        overviews: round(neededOverviews, 1),
        searches: round(NEED.searchesPerS, 3),
      },
      year_load_s: round(load.totalMs / 1000, 0),
      year_db_mb: sizes.databaseMb,
      year_top_tables: top,
      projected_rolling_tables: projected,
      projected_steady_state_db_gb: round(projectedMb / 1024, 1),
      busiest_hour: busiest,
      maxima,
      headroom: headrooms,
      busiest_statements: statements,
      total_s: round((performance.now() - started) / 1000, 0),
      // Other work on the machine: the 1-minute load average at the start and at the end.
      load_average: [round(load0, 1), round(os.loadavg()[0] ?? 0, 1)],
    };
  } finally {
    fleet?.stop();
    // Bounded: a backlog left in the outbox keeps the delivery busy, and the figures are taken.
    await Promise.race([app?.close().catch(() => undefined), sleep(15_000)]);
    await Promise.race([tdb?.drop().catch(() => undefined), sleep(15_000)]);
    if (savedUrl === undefined) delete process.env['TEST_DATABASE_URL'];
    else process.env['TEST_DATABASE_URL'] = savedUrl;
    await redis.stop();
    await pgs.stop();
  }
}
