/**
 * Monitoring: (1) ingestion — signed reports from many simulated agents over real HTTP into the
 * whole app (startApp + services: ingest route, PostgreSQL, outbox, web chat), each report one
 * batch of 10 check results, some checks failing so alerts fire and incidents open; then a share
 * of the batches resent (lost answers) to show they are recognised, not stored twice.
 * (2) footprint — a real `sportello-agent` process with every kind of check on (cpu, load,
 * memory, disk with forecast, process by name and by pattern, log tail, https + certificate,
 * file age) at a 1 s interval, its CPU time (utime + stime from /proc/<pid>/stat) and RSS
 * (/proc/<pid>/status) sampled; CPU per cycle = CPU time / cycles reported after a warm-up,
 * and the share of one core at a 60 s interval = CPU per cycle / 60 000 ms (timers between
 * cycles cost nothing measurable).
 *
 * The load generator and the server share this one Node process; PostgreSQL runs on the same
 * machine. Requests are signed before the clock starts (as agents do before sending).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { startServices } from '../app/services.ts';
import { createEnrolmentCode, enrolAgent } from '../core/alerts/enrolment.ts';
import {
  AGENT_HEADERS,
  type CheckKind,
  REPORT_PATH,
  signRequest,
  verifyRequest,
  type WireReport,
  type WireResult,
} from '../core/alerts/protocol.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { createOrganisation } from '../core/people/register.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { AGENT_CHECKS } from './agent-checks.ts';
import { round, summarize, timedPool } from './stats.ts';

const AGENTS = Number(process.env.BENCH_ALERT_AGENTS ?? 100);
const REPORTS = Number(process.env.BENCH_ALERT_REPORTS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_ALERT_CONCURRENCY ?? 16);
const AGENT_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 20);
const RESEND_SHARE = 0.1;
const CLK_TCK = 100;

const CHECKS = AGENT_CHECKS;

interface Creds {
  readonly agentId: string;
  readonly secret: string;
}

async function enrolMany(app: App, n: number): Promise<Creds[]> {
  const clock = { now: () => new Date() };
  const orgs: string[] = [];
  await app.store.transaction(async (repos) => {
    for (let i = 0; i < 10; i++)
      orgs.push(
        (await createOrganisation(repos, clock, { name: `Ente di prova ${i}`, fiscalCode: `9700000${String(9000 + i)}` })).fiscalCode,
      );
  });
  await app.store.channels.bind({
    purpose: 'alerts',
    platform: 'web',
    conversationId: 'allerte',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: new Date(),
  });
  await app.store.channels.bind({
    purpose: 'volunteers',
    platform: 'web',
    conversationId: 'volontari',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: new Date(),
  });
  const out: Creds[] = [];
  for (let i = 0; i < n; i++) {
    const r = await app.store.transaction(async (repos) => {
      const ctx = { repos, clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
      const { code } = await createEnrolmentCode(ctx, { fiscalCode: orgs[i % orgs.length]! });
      return enrolAgent({ repos, clock, defaultLocale: 'it' }, { code, hostname: `pc-${i}`, agentVersion: 'bench' });
    });
    out.push({ agentId: r.agent.id, secret: r.secret });
  }
  return out;
}

/** Report `r` of agent `i`: one batch (one cycle) of 10 results; every 10th agent's data disk is full from the 5th cycle on. */
function reportOf(i: number, r: number, start: number): WireReport {
  const observedAt = new Date(start - (REPORTS - r) * 60_000).toISOString();
  const results: WireResult[] = CHECKS.map(([check, kind, target]) => {
    const failing = i % 10 === 0 && check === 'disco-dati' && r >= 5;
    return {
      check,
      kind,
      target,
      status: failing ? 'crit' : 'ok',
      value: failing ? 97.5 : 10 + ((i * 7 + r) % 50),
      unit: kind === 'tls' ? 'd' : kind === 'file_age' ? 'h' : '%',
      message: failing ? '97.5% used, 1.2 GiB free of 50 GiB' : 'fine',
      observedAt,
      forSeconds: 300,
      recoverySeconds: 300,
    };
  });
  return {
    agentVersion: 'bench',
    heartbeat: { periodSeconds: 60, graceSeconds: 120 },
    batches: [{ id: randomUUID(), createdAt: observedAt, results }],
  };
}

function signed(c: Creds, body: string): Record<string, string> {
  const ts = String(Date.now());
  const nonce = randomBytes(16).toString('hex');
  return {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    [AGENT_HEADERS.agent]: c.agentId,
    [AGENT_HEADERS.timestamp]: ts,
    [AGENT_HEADERS.nonce]: nonce,
    [AGENT_HEADERS.signature]: signRequest(c.secret, ts, nonce, body),
  };
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(port: number, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: REPORT_PATH, method: 'POST', headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function ingestion(app: App): Promise<Record<string, number | string>> {
  const creds = await enrolMany(app, AGENTS);
  const start = Date.now();
  // Interleaved so that the reports of one agent go in order (r), agents in parallel.
  const bodies: { c: Creds; r: number; body: string }[] = [];
  for (let r = 0; r < REPORTS; r++)
    for (let i = 0; i < AGENTS; i++) bodies.push({ c: creds[i]!, r, body: JSON.stringify(reportOf(i, r, start)) });
  const requests = bodies.map(({ c, body }) => ({ headers: signed(c, body), body }));
  let failures = 0;
  const timed = await timedPool(requests.length, CONCURRENCY, async (k) => {
    const res = await post(app.port, requests[k]!.headers, requests[k]!.body);
    if (res.status !== 200) failures++;
  });
  const results = requests.length * CHECKS.length;

  // Lost answers: a share of every agent's batches sent again, in new requests.
  const resend = bodies.filter((b) => b.r % Math.round(1 / RESEND_SHARE) === 0);
  let duplicates = 0;
  for (const { c, body } of resend) {
    const res = await post(app.port, signed(c, body), body);
    if (res.status !== 200) throw new Error(`resend answered ${res.status}: ${res.body}`);
    duplicates += (JSON.parse(res.body) as { duplicates: number }).duplicates;
  }
  const stored = { results: 0, alerts: 0 };
  const count = async (table: string) =>
    Number(
      (
        await app.db
          .withTables<Record<string, { x: number }>>()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  stored.results = await count('check_results');
  stored.alerts = await count('alerts');
  const productRate = (results / timed.wallMs) * 1000;
  // What the slowest reports are: each agent's first (a cold process), the ten that fire an
  // alert and open its incident, the other reports with a failing check, the rest.
  const kindOf = (k: number): 'first' | 'fires' | 'failing' | 'ok' => {
    const r = Math.floor(k / AGENTS);
    const i = k % AGENTS;
    if (r === 0) return 'first';
    if (i % 10 === 0 && r === 10) return 'fires';
    return i % 10 === 0 && r >= 5 ? 'failing' : 'ok';
  };
  const kinds = ['first', 'fires', 'failing', 'ok'] as const;
  const slowest = timed.durations
    .map((ms, k) => ({ ms, k }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, Math.ceil(timed.durations.length / 100));
  const byKind = Object.fromEntries(
    kinds.flatMap((kind) => [
      ...Object.entries(
        summarize(
          `ingest_${kind}`,
          timed.durations.filter((_, k) => kindOf(k) === kind),
        ),
      ),
      [`ingest_slowest_1pct_${kind}`, slowest.filter((s) => kindOf(s.k) === kind).length],
    ]),
  );
  const floor = await bareIngestion(app, creds, start);
  return {
    agents: AGENTS,
    reports: requests.length,
    results_per_report: CHECKS.length,
    concurrency: CONCURRENCY,
    failed_requests: failures,
    ingest_results_per_s: round(productRate, 0),
    ingest_reports_per_s: round((requests.length / timed.wallMs) * 1000, 1),
    ...summarize('ingest', timed.durations),
    ...byKind,
    stored_results: stored.results,
    alerts_opened: stored.alerts,
    resent_batches: resend.length,
    resent_recognised_as_duplicates: duplicates,
    floor_results_per_s: round(floor.resultsPerS, 0),
    ...summarize('floor', floor.durations),
    floor_method:
      'bare node:http handler, same signed reports: HMAC check, JSON.parse, then one plain SQL statement writing the nonce, heartbeat, batch id, 10 check states and 10 results',
    ratio_to_floor: round(productRate / floor.resultsPerS, 2),
  };
}

/**
 * The floor: the same reports (new batch ids and nonces, same agents, same 16 in flight, a pool
 * of 10 like the app's) into a bare node:http handler that checks the signature, parses the
 * JSON and writes the same rows with one plain SQL statement — no schema validation, no reads,
 * no hysteresis, no alerts.
 */
async function bareIngestion(app: App, creds: Creds[], start: number): Promise<{ resultsPerS: number; durations: number[] }> {
  const secrets = new Map(creds.map((c) => [c.agentId, c.secret]));
  const pool = new pg.Pool({ connectionString: app.config.databaseUrl, max: 10 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = (k: string) => String(req.headers[k] ?? '');
      const agentId = h(AGENT_HEADERS.agent);
      const secret = secrets.get(agentId);
      if (!secret || !verifyRequest(secret, h(AGENT_HEADERS.timestamp), h(AGENT_HEADERS.nonce), body, h(AGENT_HEADERS.signature))) {
        res.writeHead(401).end();
        return;
      }
      const report = JSON.parse(body) as WireReport;
      const batch = report.batches[0]!;
      const rs = batch.results;
      pool
        .query(
          `with n as (insert into agent_nonces (agent_id, nonce, seen_at) values ($1, $2, now())),
                a as (update monitoring_agents set last_seen_at = now(), agent_version = $3 where id = $1),
                b as (insert into agent_batches (agent_id, batch_id, results, received_at) values ($1, $4, $5, now()) on conflict do nothing),
                s as (insert into check_states (fingerprint, agent_id, organisation_id, check_id, kind, target, status, last_at, last_value, unit, last_message, for_seconds, recovery_seconds)
                      select $1 || ':' || c || ':' || t, $1, (select organisation_id from monitoring_agents where id = $1), c, k, t, st, o, v, u, m, 300, 300
                        from unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::float8[], $12::text[], $13::text[]) as x(c, k, t, st, o, v, u, m)
                      on conflict (fingerprint) do update set status = excluded.status, last_at = excluded.last_at, last_value = excluded.last_value, last_message = excluded.last_message)
           insert into check_results (agent_id, fingerprint, status, value, observed_at)
           select $1, $1 || ':' || c || ':' || t, st, v, o from unnest($6::text[], $8::text[], $9::text[], $10::timestamptz[], $11::float8[]) as x(c, t, st, o, v)`,
          [
            agentId,
            h(AGENT_HEADERS.nonce),
            report.agentVersion,
            batch.id,
            rs.length,
            rs.map((r) => r.check),
            rs.map((r) => r.kind),
            rs.map((r) => r.target),
            rs.map((r) => r.status),
            rs.map((r) => r.observedAt),
            rs.map((r) => r.value),
            rs.map((r) => r.unit),
            rs.map((r) => r.message),
          ],
        )
        .then(
          () =>
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ accepted: 1, duplicates: 0, results: rs.length })),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const requests: { headers: Record<string, string>; body: string }[] = [];
    for (let r = 0; r < REPORTS; r++)
      for (let i = 0; i < AGENTS; i++) {
        const body = JSON.stringify(reportOf(i, r, start));
        requests.push({ headers: signed(creds[i]!, body), body });
      }
    let failures = 0;
    const timed = await timedPool(requests.length, CONCURRENCY, async (k) => {
      const res = await post(port, requests[k]!.headers, requests[k]!.body);
      if (res.status !== 200) failures++;
    });
    if (failures > 0) throw new Error(`the floor's handler failed ${failures} requests`);
    return { resultsPerS: ((requests.length * CHECKS.length) / timed.wallMs) * 1000, durations: timed.durations };
  } finally {
    await new Promise((r) => server.close(r));
    await pool.end();
  }
}

/** A real agent process with every check on, sampled from /proc. */
async function footprint(app: App): Promise<Record<string, number | string>> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sportello-bench-agent-'));
  const tlsDir = path.join(work, 'tls');
  mkdirSync(tlsDir);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      path.join(tlsDir, 'key.pem'),
      '-out',
      path.join(tlsDir, 'cert.pem'),
      '-days',
      '30',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const site = https.createServer(
    { key: readFileSync(path.join(tlsDir, 'key.pem')), cert: readFileSync(path.join(tlsDir, 'cert.pem')) },
    (_q, res) => res.end('<h1>Benvenuti</h1>'),
  );
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const logFile = path.join(work, 'app.log');
  writeFileSync(logFile, '');
  const logTimer = setInterval(
    () => appendFileSync(logFile, `${new Date().toISOString()} INFO request served\n${Math.random() < 0.1 ? 'ERROR timeout\n' : ''}`),
    200,
  );
  writeFileSync(path.join(work, 'backup.tar'), 'x');
  const code = await app.store.transaction(async (repos) => {
    const ctx = {
      repos,
      clock: { now: () => new Date() },
      actor: Actor.system(),
      notifier: new Notifier(repos, 'it'),
      defaultLocale: 'it' as const,
    };
    return (await createEnrolmentCode(ctx, { fiscalCode: '97000009000' })).code; // the first benchmark organisation
  });
  const config = path.join(work, 'agent.yml');
  writeFileSync(
    config,
    `interval: 1s
stateDir: ${path.join(work, 'state')}
checks:
  - { id: cpu, kind: cpu, warn: 90, crit: 98 }
  - { id: carico, kind: load, warn: 2, crit: 4 }
  - { id: memoria, kind: memory, warn: 90, crit: 97 }
  - { id: disco, kind: disk, path: /, warn: 85, crit: 95, fullWithinWarn: 48h, fullWithinCrit: 12h }
  - { id: postgres, kind: process, name: postgres }
  - { id: node, kind: process, pattern: "bench/run\\\\.ts" }
  - { id: log, kind: log, path: ${logFile}, pattern: "ERROR|FATAL", window: 5m, warn: 5, crit: 50 }
  - { id: sito, kind: http, url: "https://127.0.0.1:${(site.address() as AddressInfo).port}/", ca: ${path.join(tlsDir, 'cert.pem')}, contains: Benvenuti }
  - { id: backup, kind: file_age, path: ${path.join(work, 'backup.tar')}, warn: 26h, crit: 48h }
`,
  );
  const bin = path.resolve(import.meta.dirname, '..', 'bin', 'sportello-agent.cjs');
  const runBin = (args: string[]) => new Promise<number | null>((resolve) => spawn(bin, args, { stdio: 'ignore' }).on('close', resolve));
  if ((await runBin(['enroll', '--server', `http://127.0.0.1:${app.port}`, '--code', code, '--config', config])) !== 0)
    throw new Error('agent enrolment failed');
  const agentId = (JSON.parse(readFileSync(path.join(work, 'state', 'credentials.json'), 'utf8')) as { agentId: string }).agentId;

  // Run as a command, exactly as installed (`sportello-agent run …`, with the flags of its shebang).
  const child = spawn(bin, ['run', '--config', config], { stdio: 'ignore' });
  const pid = child.pid!;
  const cpuTicks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  };
  const status = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const batches = async () =>
    Number(
      (
        await app.db
          .withTables<{ agent_batches: { agent_id: string } }>()
          .selectFrom('agent_batches')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('agent_id', '=', agentId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  try {
    await new Promise((r) => setTimeout(r, 3000)); // start-up and first cycles (bundle load, first CPU sample)
    const startupCpuMs = (cpuTicks() * 1000) / CLK_TCK;
    const t0 = { cpu: cpuTicks(), cycles: await batches(), at: Date.now() };
    const rss: number[] = [];
    for (let s = 0; s < AGENT_SECONDS; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(status('VmRSS'));
    }
    const t1 = { cpu: cpuTicks(), cycles: await batches(), at: Date.now() };
    const hwm = status('VmHWM');
    const cycles = t1.cycles - t0.cycles;
    const cpuMs = ((t1.cpu - t0.cpu) * 1000) / CLK_TCK;
    const perCycle = cpuMs / Math.max(1, cycles);
    return {
      agent_checks: 10,
      agent_interval_s: 1,
      agent_measured_s: round((t1.at - t0.at) / 1000, 1),
      agent_cycles: cycles,
      agent_startup_cpu_ms: round(startupCpuMs, 0),
      agent_cpu_ms_per_cycle: round(perCycle, 1),
      agent_cpu_share_at_1s_pct: round((cpuMs / (t1.at - t0.at)) * 100, 2),
      agent_cpu_share_at_60s_pct: round((perCycle / 60_000) * 100, 3),
      agent_rss_mb_max: round(Math.max(...rss), 1),
      agent_rss_mb_end: round(rss.at(-1) ?? 0, 1),
      agent_rss_mb_peak_hwm: round(hwm, 1),
      agent_floor_rss_mb_peak_hwm: round(nodeFloorMb(), 1),
      agent_floor_method: "node itself with the agent's flags, the built-ins it loads (crypto, net, tls, os, fs, path) loaded, nothing run",
      agent_cpu_method: 'share at 60 s = (utime+stime over the window / cycles in it) / 60000 ms',
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    clearInterval(logTimer);
    await new Promise((r) => site.close(r));
    rmSync(work, { recursive: true, force: true });
  }
}

/** The peak RSS (MB) of node with the agent's V8 flags and the built-in modules every check kind needs, doing nothing: the agent's floor. */
function nodeFloorMb(): number {
  const flags = readFileSync(path.resolve(import.meta.dirname, '..', 'bin', 'sportello-agent.cjs'), 'utf8')
    .split('\n', 1)[0]!
    .split(' ')
    .filter((f) => f.startsWith('--'));
  const out = execFileSync(
    process.execPath,
    [
      ...flags,
      '-e',
      "for (const m of ['node:crypto', 'node:net', 'node:tls', 'node:os', 'node:fs', 'node:path']) require(m); process.stdout.write(String(process.resourceUsage().maxRSS))",
    ],
    { env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, encoding: 'utf8' },
  );
  return Number(out) / 1024;
}

export async function run(): Promise<Record<string, number | string>> {
  const tdb = await createTestDatabase();
  const app = await startApp(
    { ...loadConfig({ DATABASE_URL: tdb.url }), port: 0 },
    {
      log: createLogger({ level: 'silent' }),
      host: '127.0.0.1',
      onReady: async (ctx) => void (await startServices(ctx)),
    },
  );
  try {
    const ingest = await ingestion(app);
    const agent = await footprint(app);
    return { ...ingest, ...agent };
  } finally {
    keepAlive.destroy();
    await app.close();
    await tdb.drop();
  }
}
