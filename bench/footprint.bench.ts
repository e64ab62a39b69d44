/**
 * The whole embedded default, measured from outside: `npm start` exactly as the README runs it
 * (scripts/build.mjs --if-stale, then `node dist/main.mjs`; no DATABASE_URL, no REDIS_URL, no
 * platform token: embedded PostgreSQL, BullMQ on PostgreSQL, the web chat), in a temporary
 * DATA_DIR on a free PORT. Ready when `/healthz` answers 200.
 *
 * Memory: every ~200 ms the RSS and PSS (/proc/<pid>/smaps_rollup) of the node app process and
 * of every PostgreSQL process under it (the postmaster and its children, found by walking
 * /proc/<pid>/task/<tid>/children), summed at each instant: at idle (just started, before
 * anything is asked of it), the peak while serving the load, and idle again after it. What else
 * `npm start` leaves in the tree (npm itself, a shell, esbuild) is listed apart, not summed.
 *
 * The load: 1,000 organisations' busiest hour. Setup (not measured, its connection closed before
 * any sample): 1,000 organisations, each with a requester (a web chat identity) and an enrolled
 * monitoring agent, 20 volunteers, and 1,000 open tickets whose SLA targets fall due during the
 * load (the app's own timer pump sets and fires them). Then, all at once:
 *  - intakes: every requester opens a ticket through the web chat like a browser: a live stream
 *    (`/web/events`) open, the first message posted, then each button the bot's answers offer
 *    clicked (deflection "open anyway", impact, urgency, Confirm), up to the answer naming the
 *    ticket; `FOOTPRINT_CONCURRENCY` (150, under the web chat's 200 open streams) at a time, so
 *    the hour's intakes arrive compressed into about a minute;
 *  - claims: each new ticket claimed by a volunteer with the card's button in the volunteers channel;
 *  - alerts: every agent sends its signed report (10 check results) once a minute, as agents do,
 *    staggered over the minute, for as long as the intakes run and at least one full minute; one
 *    agent in ten reports a full disk, which fires an alert at once;
 *  - SLA timers: the 1,000 targets falling due, spread over the first minute.
 * Latencies: each chat POST (request → 202), each bot answer (click → the answer on the stream),
 * a whole intake, a claim, an agent report, and SLA lateness (fired_at − due_at).
 *
 * The floor, measured in the same run: a bare `node` HTTP server plus the PostgreSQL server
 * processes without any client connection (postmaster and its auxiliary processes at idle) —
 * what any node app on this database costs before doing anything. `ratio_to_floor` = floor PSS /
 * the app's total PSS at idle (1.0 would be the floor itself).
 *
 * Sizes: FOOTPRINT_ORGS (1000), FOOTPRINT_CONCURRENCY (150), FOOTPRINT_VOLUNTEERS (20).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { conversationKey } from '../bots/web/web-sender.ts';
import { createEnrolmentCode, enrolAgent } from '../core/alerts/enrolment.ts';
import { AGENT_HEADERS, type CheckKind, REPORT_PATH, signRequest, type WireReport } from '../core/alerts/protocol.ts';
import { Actor } from '../core/kernel/actor.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { createDatabase } from '../db/database.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { AGENT_CHECKS } from './agent-checks.ts';
import { round, summarize } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ORGS = Number(process.env.FOOTPRINT_ORGS ?? 1000);
const CONCURRENCY = Number(process.env.FOOTPRINT_CONCURRENCY ?? 150);
const VOLUNTEERS = Number(process.env.FOOTPRINT_VOLUNTEERS ?? 20);
const AGENT_INTERVAL_MS = 60_000;
const SLA_WINDOW_MS = 60_000;
const SAMPLE_MS = 200;
const ANSWER_TIMEOUT_MS = 120_000;
const MB = 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- /proc

const readProc = (pid: number, file: string): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
};

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) => (readProc(pid, `task/${tid}/children`) ?? '').split(' ').filter(Boolean).map(Number));
}

function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!));
  return out;
}

const cmdline = (pid: number) => (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim();
const comm = (pid: number) => (readProc(pid, 'comm') ?? '').trim();

/** kB of RSS and PSS, or undefined for a process gone meanwhile. */
function memoryOf(pid: number): { rss: number; pss: number } | undefined {
  const text = readProc(pid, 'smaps_rollup');
  if (!text) return undefined;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rss: field('Rss'), pss: field('Pss') };
}

type Role = 'app' | 'postgres' | 'postgres_client' | 'other';
interface Sample {
  readonly at: number;
  readonly appRss: number;
  readonly appPss: number;
  readonly pgRss: number;
  readonly pgPss: number;
  /** The PostgreSQL server without its client backends (the floor's share). */
  readonly pgServerPss: number;
  readonly pgProcesses: number;
  readonly pgClients: number;
  readonly others: { readonly pid: number; readonly cmd: string; readonly rss: number; readonly pss: number }[];
}

function sampleTree(launcherPid: number, appPid: number): Sample {
  const pids = descendants(launcherPid);
  const inApp = new Set(descendants(appPid));
  const s = { appRss: 0, appPss: 0, pgRss: 0, pgPss: 0, pgServerPss: 0, pgProcesses: 0, pgClients: 0 };
  const others: Sample['others'][number][] = [];
  for (const pid of pids) {
    const m = memoryOf(pid);
    if (!m) continue;
    const role: Role =
      pid === appPid
        ? 'app'
        : inApp.has(pid) && comm(pid) === 'postgres'
          ? / \d+\.\d+\.\d+\.\d+\(\d+\)/.test(cmdline(pid))
            ? 'postgres_client'
            : 'postgres'
          : 'other';
    if (role === 'app') {
      s.appRss += m.rss;
      s.appPss += m.pss;
    } else if (role === 'other') {
      others.push({ pid, cmd: cmdline(pid).slice(0, 80), ...m });
    } else {
      s.pgRss += m.rss;
      s.pgPss += m.pss;
      s.pgProcesses++;
      if (role === 'postgres_client') s.pgClients++;
      else s.pgServerPss += m.pss;
    }
  }
  return { at: Date.now(), ...s, others };
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat (USER_HZ = 100). */
function cpuSeconds(pid: number): number {
  const fields = (readProc(pid, 'stat') ?? '').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

const totalPss = (s: Sample) => s.appPss + s.pgPss;
const totalRss = (s: Sample) => s.appRss + s.pgRss;
const mb = (kb: number) => round(kb / MB, 1);

/** Samples every SAMPLE_MS until stopped; keeps every sample. */
function sampler(launcherPid: number, appPid: number) {
  const samples: Sample[] = [sampleTree(launcherPid, appPid)];
  const timer = setInterval(() => samples.push(sampleTree(launcherPid, appPid)), SAMPLE_MS);
  return {
    samples,
    stop() {
      clearInterval(timer);
      samples.push(sampleTree(launcherPid, appPid));
      return samples;
    },
  };
}

/**
 * The quiet state: once the PostgreSQL connections stop changing for 3 s, and no sooner than
 * 11 s after `since` (pg closes a pool's idle connections after 10 s), the median of 10 samples
 * SAMPLE_MS apart (by summed PSS).
 */
async function idle(launcherPid: number, appPid: number, since: number): Promise<Sample> {
  let clients = -1;
  let stableSince = Date.now();
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(SAMPLE_MS)) {
    const now = sampleTree(launcherPid, appPid).pgClients;
    if (now !== clients) [clients, stableSince] = [now, Date.now()];
    if (Date.now() - stableSince >= 3_000 && Date.now() - since >= 11_000) break;
  }
  const samples: Sample[] = [];
  for (let i = 0; i < 10; i++) {
    samples.push(sampleTree(launcherPid, appPid));
    await sleep(SAMPLE_MS);
  }
  return samples.sort((a, b) => totalPss(a) - totalPss(b))[5]!;
}

// ---------------------------------------------------------------- the app

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

interface Started {
  readonly npm: ChildProcess;
  readonly port: number;
  readonly dataDir: string;
  readonly readyMs: number;
  readonly appPid: number;
  readonly log: string[];
}

/** `npm start` on the embedded default in a temporary DATA_DIR; resolves once `/healthz` answers 200. */
async function startSportello(): Promise<Started> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sportello-footprint-'));
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // The embedded default: nothing configured but where to keep the data and which port.
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'PUBLIC_URL', 'WEB_CHAT', 'HOST', 'WEB_CHAT_PUBLIC', 'LOG_LEVEL', 'NODE_OPTIONS'])
    delete env[k];
  for (const k of Object.keys(env)) if (/^(SLACK|TELEGRAM|DISCORD)_/.test(k)) delete env[k];
  Object.assign(env, { DATA_DIR: dataDir, PORT: String(port) });
  const t0 = performance.now();
  // Its own process group: the whole tree can be stopped even if the bench fails half-way.
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) log.push(line);
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  npm.stdout?.on('data', keep);
  npm.stderr?.on('data', keep);
  let exited = false;
  npm.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`npm start exited before ready:\n${log.slice(-20).join('\n')}`);
    if (performance.now() - t0 > 300_000) throw new Error(`not ready after 300 s:\n${log.slice(-20).join('\n')}`);
    const r = await get(port, '/healthz').catch(() => undefined);
    if (r?.status === 200) break;
    await sleep(100);
  }
  const readyMs = performance.now() - t0;
  const appPid = descendants(npm.pid!).find((pid) => pid !== npm.pid && cmdline(pid).includes('dist/main.mjs'));
  if (!appPid) throw new Error('no `node dist/main.mjs` process under npm start');
  return { npm, port, dataDir, readyMs, appPid, log };
}

/** SIGTERM to the app (what a service manager sends), then waits for npm to exit; kills the group if it hangs. */
async function stopSportello(s: Started): Promise<{ stopMs: number; leftRunning: number }> {
  const t0 = performance.now();
  const pids = descendants(s.npm.pid!);
  const exited = new Promise<void>((resolve) => (s.npm.exitCode !== null ? resolve() : s.npm.once('exit', () => resolve())));
  try {
    process.kill(s.appPid, 'SIGTERM');
  } catch {}
  const timedOut = await Promise.race([exited.then(() => false), sleep(30_000).then(() => true)]);
  const stopMs = performance.now() - t0;
  // The postmaster exits after its children: wait for every process of the tree to be gone.
  for (let i = 0; i < 100 && pids.some((p) => existsSync(`/proc/${p}`)); i++) await sleep(100);
  const leftRunning = pids.filter((p) => existsSync(`/proc/${p}`)).length;
  if (timedOut || leftRunning) {
    try {
      process.kill(-s.npm.pid!, 'SIGKILL');
    } catch {}
  }
  return { stopMs, leftRunning };
}

/** The floor's node half: a bare HTTP server, idle. */
async function bareNodePss(): Promise<{ rss: number; pss: number }> {
  const child = spawn(process.execPath, ['-e', "require('http').createServer((q,s)=>s.end()).listen(0,()=>console.log('up'))"], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  await sleep(500);
  const m = memoryOf(child.pid!) ?? { rss: 0, pss: 0 };
  child.kill();
  return m;
}

// ---------------------------------------------------------------- setup

interface Fixture {
  readonly requesters: string[];
  readonly volunteers: string[];
  readonly agents: { readonly agentId: string; readonly secret: string }[];
  readonly volunteersChannel: string;
}

/** Whatever the embedded server's postmaster.pid says; the password is the embedded default's. */
function embeddedUrl(dataDir: string): string {
  const port = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
  return `postgres://postgres:sportello@127.0.0.1:${port}/sportello`;
}

async function inParallel<T>(n: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) out[i] = await task(i);
    }),
  );
  return out;
}

/**
 * Organisations, people, agents, and one open ticket per organisation with an SLA target due in
 * a day (beyond the timer pump's hour: no timer yet; `dueDuringLoad` brings them forward).
 * Straight into the app's database; the connections are closed after.
 */
async function setUp(dataDir: string): Promise<Fixture> {
  const db = createDatabase(embeddedUrl(dataDir), { max: 2 });
  try {
    const store = new KyselyStore(db);
    const clock = { now: () => new Date() };
    const tag = randomBytes(3).toString('hex');
    const person = (handle: string, name: string, role: 'requester' | 'volunteer', orgId: string | null) =>
      store.transaction(async (repos) => {
        const p = await createPerson(repos, clock, { displayName: name, locale: 'it', email: 'persona@example.org' });
        await repos.people.linkIdentity({ platform: 'web', externalId: handle, personId: p.id, lastSeenAt: clock.now() });
        await repos.people.grantRole({
          personId: p.id,
          role,
          organisationId: orgId,
          grantedBy: null,
          grantedAt: clock.now(),
          reason: 'bench',
        });
        return p.id;
      });
    const orgs = await inParallel(ORGS, 2, (i) =>
      store.transaction(async (repos) => {
        const org = await createOrganisation(repos, clock, { name: `Ente ${tag} ${i}`, fiscalCode: `96${String(i).padStart(9, '0')}` });
        return { id: org.id, fiscalCode: org.fiscalCode };
      }),
    );
    const requesters = orgs.map((_, i) => `fp-${tag}-r${i}`);
    const requesterIds = await inParallel(ORGS, 2, (i) => person(requesters[i]!, `Richiedente ${i}`, 'requester', orgs[i]!.id));
    const volunteers = Array.from({ length: VOLUNTEERS }, (_, i) => `fp-${tag}-v${i}`);
    await inParallel(VOLUNTEERS, 2, (i) => person(volunteers[i]!, `Volontaria ${i}`, 'volunteer', null));
    const agents = await inParallel(ORGS, 2, (i) =>
      store.transaction(async (repos) => {
        const ctx = { repos, clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
        const { code } = await createEnrolmentCode(ctx, { fiscalCode: orgs[i]!.fiscalCode });
        const r = await enrolAgent({ repos, clock, defaultLocale: 'it' }, { code, hostname: `pc-${i}`, agentVersion: 'bench' });
        return { agentId: r.agent.id, secret: r.secret };
      }),
    );
    const bound = await store.channels.list();
    const volunteersChannel = bound.find((b) => b.platform === 'web' && b.purpose === 'volunteers')?.conversationId;
    if (!volunteersChannel) throw new Error('the demo data bound no web volunteers channel');
    await sql`
      with t as (
        insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id, created_at, updated_at)
        select 'INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 6, '0'), 'incident', 'Rete lenta ' || g, 'La rete è lenta', 2, 2, 3,
               'volunteer', 'new', (${JSON.stringify(orgs.map((o) => o.id))}::jsonb ->> (g - 1))::uuid,
               (${JSON.stringify(requesterIds)}::jsonb ->> (g - 1))::uuid, now(), now()
          from generate_series(1, ${ORGS}::int) g
        returning id
      )
      insert into sla_events (ticket_id, target, kind, due_at, created_at)
      select id, 'response', 'breach', now() + interval '1 day', now() from t`.execute(db);
    return { requesters, volunteers, agents, volunteersChannel };
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------- the web chat, as a browser

// Idle sockets closed after 4 s, before the server's 5 s keep-alive timeout closes them under a request.
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 });

function post(
  port: number,
  p: string,
  headers: Record<string, string>,
  body: string,
  retries = 3,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: p,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: keepAlive,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed (idle past its keep-alive timeout) just as it was
      // reused: nothing reached the server, send again (Node's documented pattern).
      if (retries > 0 && req.reusedSocket && err.code === 'ECONNRESET') resolve(post(port, p, headers, body, retries - 1));
      else reject(new Error(`POST ${p}: ${err.message} (${err.code}, reused socket: ${req.reusedSocket})`));
    });
    req.end(body);
  });
}

interface Button {
  readonly actionId: string;
  readonly value: string;
}
interface Seen {
  readonly id: string;
  readonly author: string;
  readonly message: { readonly text?: string; readonly buttons?: readonly Button[] };
}

/** A browser tab's live stream: the messages of the person's DM, in order, each new one once. */
function openStream(port: number, handle: string): Promise<{ next(timeoutMs: number): Promise<Seen>; close(): void }> {
  return new Promise((resolve, reject) => {
    const dm = conversationKey('dm', handle);
    const queue: Seen[] = [];
    const seen = new Set<string>();
    let wake: (() => void) | undefined;
    const req = http.get({ host: '127.0.0.1', port, path: `/web/events?as=${encodeURIComponent(handle)}`, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`/web/events answered ${res.statusCode}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('error', () => {}); // ended by close()
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const event = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (event.startsWith(': connected')) resolve(stream);
          if (!event.startsWith('data: ')) continue;
          const m = JSON.parse(event.slice(6)) as Seen & { conversation: string };
          // An edit of a message already seen (buttons answered) is not a new answer.
          if (m.conversation !== dm || m.author === handle || seen.has(m.id)) continue;
          seen.add(m.id);
          queue.push(m);
          wake?.();
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`GET /web/events: ${err.message} (${err.code})`)));
    const stream = {
      async next(timeoutMs: number): Promise<Seen> {
        const end = Date.now() + timeoutMs;
        while (queue.length === 0) {
          if (Date.now() > end) throw new Error(`${handle}: no answer within ${timeoutMs} ms`);
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 1000);
          });
        }
        return queue.shift()!;
      },
      close: () => req.destroy(),
    };
  });
}

const REF = /\b(?:INC|RIC|SR|CHG|REQ)-\d{4,}\b/;
/** The button a requester clicks at each step of the intake. */
const CLICK: Readonly<Record<string, (b: Button) => string>> = {
  'intake.open': (b) => b.value,
  'intake.impact': () => '2',
  'intake.urgency': () => '2',
  'intake.skip': (b) => b.value,
  'intake.confirm': (b) => b.value,
};

interface Latencies {
  readonly post: number[];
  readonly answer: number[];
  readonly intake: number[];
  readonly claim: number[];
  readonly report: number[];
}

async function oneIntake(port: number, handle: string, l: Latencies): Promise<string> {
  const headers = { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };
  const dm = conversationKey('dm', handle);
  const stream = await openStream(port, handle);
  try {
    const started = performance.now();
    const say = async (path: string, body: object) => {
      const t0 = performance.now();
      const r = await post(port, path, headers, JSON.stringify({ as: handle, conversation: dm, clientId: randomUUID(), ...body }));
      l.post.push(performance.now() - t0);
      if (r.status !== 202) throw new Error(`${path} answered ${r.status}: ${r.body.slice(0, 200)}`);
      return t0;
    };
    let asked = await say('/web/send', { text: 'La stampante in segreteria non stampa più da stamattina, esce il foglio bianco' });
    for (let step = 0; step < 12; step++) {
      const m = await stream.next(ANSWER_TIMEOUT_MS);
      l.answer.push(performance.now() - asked);
      const button = m.message.buttons?.find((b) => CLICK[b.actionId]);
      if (button) {
        asked = await say('/web/action', { actionId: button.actionId, value: CLICK[button.actionId]!(button) });
        continue;
      }
      const ref = REF.exec(m.message.text ?? '')?.[0];
      if (ref) {
        l.intake.push(performance.now() - started);
        return ref;
      }
      throw new Error(`${handle}: unexpected answer ${JSON.stringify(m.message).slice(0, 300)}`);
    }
    throw new Error(`${handle}: the intake did not end`);
  } finally {
    stream.close();
  }
}

async function claim(port: number, volunteer: string, channel: string, ref: string, l: Latencies): Promise<void> {
  const body = JSON.stringify({ as: volunteer, conversation: channel, clientId: randomUUID(), actionId: 'ticket.claim', value: ref });
  const t0 = performance.now();
  const r = await post(port, '/web/action', { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body);
  l.claim.push(performance.now() - t0);
  if (r.status !== 202) throw new Error(`claim ${ref} answered ${r.status}: ${r.body.slice(0, 200)}`);
}

// ---------------------------------------------------------------- the agents

const CHECKS = AGENT_CHECKS;

function report(i: number, cycle: number): string {
  const observedAt = new Date().toISOString();
  const body: WireReport = {
    agentVersion: 'bench',
    heartbeat: { periodSeconds: 60, graceSeconds: 120 },
    batches: [
      {
        id: randomUUID(),
        createdAt: observedAt,
        results: CHECKS.map(([check, kind, target]) => {
          const failing = i % 10 === 0 && check === 'disco-dati';
          return {
            check,
            kind,
            target,
            status: failing ? 'crit' : 'ok',
            value: failing ? 97.5 : 10 + ((i * 7 + cycle) % 50),
            unit: kind === 'tls' ? 'd' : kind === 'file_age' ? 'h' : '%',
            message: failing ? '97.5% used, 1.2 GiB free of 50 GiB' : 'fine',
            observedAt,
            forSeconds: 0,
            recoverySeconds: 300,
          };
        }),
      },
    ],
  };
  return JSON.stringify(body);
}

/** Every agent reports once per interval, staggered over it; each reports at least once, then until `until()` says stop. */
async function runAgents(port: number, agents: Fixture['agents'], until: () => boolean, l: Latencies, failures: string[]): Promise<number> {
  let sent = 0;
  const start = performance.now();
  await Promise.all(
    agents.map(async (a, i) => {
      for (let cycle = 0; ; cycle++) {
        const due = start + (i * AGENT_INTERVAL_MS) / agents.length + cycle * AGENT_INTERVAL_MS;
        // Waits in short steps: the load may end before this agent's next turn.
        while (performance.now() < due && !(cycle > 0 && until())) await sleep(Math.min(1_000, due - performance.now()));
        if (cycle > 0 && until()) return;
        const body = report(i, cycle);
        const ts = String(Date.now());
        const nonce = randomBytes(16).toString('hex');
        const t0 = performance.now();
        try {
          const r = await post(
            port,
            REPORT_PATH,
            {
              'content-type': 'application/json',
              [AGENT_HEADERS.agent]: a.agentId,
              [AGENT_HEADERS.timestamp]: ts,
              [AGENT_HEADERS.nonce]: nonce,
              [AGENT_HEADERS.signature]: signRequest(a.secret, ts, nonce, body),
            },
            body,
          );
          l.report.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`agent report answered ${r.status}: ${r.body.slice(0, 200)}`);
          sent++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    }),
  );
  return sent;
}

// ---------------------------------------------------------------- the run

export async function run(): Promise<Record<string, number | string>> {
  const app = await startSportello();
  // Whatever happens to this process, the app and its PostgreSQL do not outlive it.
  const killTree = () => {
    try {
      process.kill(-app.npm.pid!, 'SIGKILL');
    } catch {}
  };
  process.once('exit', killTree);
  try {
    // What `npm start` leaves running besides the app and PostgreSQL (npm itself, a shell, esbuild…).
    const atStart = sampleTree(app.npm.pid!, app.appPid);
    const atIdle = await idle(app.npm.pid!, app.appPid, Date.now());
    const bare = await bareNodePss();

    const setupStarted = performance.now();
    const fixture = await setUp(app.dataDir);
    const setupMs = performance.now() - setupStarted;
    // The SLA targets fall due over the first minute of the load, from 5 s into it.
    {
      const db = createDatabase(embeddedUrl(app.dataDir), { max: 1 });
      await sql`update sla_events set due_at = to_timestamp(${(Date.now() + 5_000) / 1000}::float8 + random() * ${SLA_WINDOW_MS / 1000}::float8)
        where fired_at is null and ticket_id in (select id from tickets where title like 'Rete lenta %')`.execute(db);
      await db.destroy();
    }
    // The setup's connections gone (the app's own count again) before the first sample.
    for (let i = 0; i < 100 && sampleTree(app.npm.pid!, app.appPid).pgClients > atIdle.pgClients; i++) await sleep(100);

    const l: Latencies = { post: [], answer: [], intake: [], claim: [], report: [] };
    const mem = sampler(app.npm.pid!, app.appPid);
    const cpuBefore = cpuSeconds(app.appPid);
    const loadStarted = performance.now();
    let intakesDone = false;
    const refs: string[] = [];
    const claims: Promise<void>[] = [];
    const failures: string[] = [];
    const agentsDone = runAgents(
      app.port,
      fixture.agents,
      () => intakesDone && performance.now() - loadStarted >= AGENT_INTERVAL_MS,
      l,
      failures,
    );
    agentsDone.catch(() => {}); // awaited below; a failure must not crash the run before the cleanup
    await inParallel(fixture.requesters.length, CONCURRENCY, async (i) => {
      try {
        const ref = await oneIntake(app.port, fixture.requesters[i]!, l);
        refs.push(ref);
        claims.push(
          claim(app.port, fixture.volunteers[i % fixture.volunteers.length]!, fixture.volunteersChannel, ref, l).catch(
            (err: unknown) => void failures.push(String(err)),
          ),
        );
      } catch (err) {
        failures.push(String(err));
      }
    });
    await Promise.all(claims);
    const intakeMs = performance.now() - loadStarted;
    intakesDone = true;
    const reports = await agentsDone;
    const loadMs = performance.now() - loadStarted;
    const samples = mem.stop();
    const appCpu = cpuSeconds(app.appPid) - cpuBefore;
    // Counted and shown, not fatal: a request the app failed under load is a figure too.
    for (const f of failures.slice(0, 5)) console.error(`failed: ${f}`);

    // What the load left in the database: claims that took, SLA lateness, alerts fired.
    const db = createDatabase(embeddedUrl(app.dataDir), { max: 1 });
    const claimed = Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from tickets where ref = any(${refs}::text[]) and assignee_id is not null`.execute(db)
      ).rows[0]!.n,
    );
    let fired: { due: Date; fired: Date | null }[] = [];
    for (let i = 0; i < 300; i++) {
      fired = (
        await sql<{
          due: Date;
          fired: Date | null;
        }>`select due_at as due, fired_at as fired from sla_events e join tickets t on t.id = e.ticket_id
          where t.title like 'Rete lenta %'`.execute(db)
      ).rows;
      if (fired.every((r) => r.fired)) break;
      await sleep(200);
    }
    const alerts = Number((await sql<{ n: number }>`select count(*)::int as n from alerts`.execute(db)).rows[0]!.n);
    await db.destroy();
    const afterLoad = await idle(app.npm.pid!, app.appPid, Date.now());

    const peak = samples.reduce((a, b) => (totalPss(b) > totalPss(a) ? b : a));
    const peakRss = samples.reduce((a, b) => (totalRss(b) > totalRss(a) ? b : a));
    const appHwm = Number(/^VmHWM:\s+(\d+)/m.exec(readProc(app.appPid, 'status') ?? '')?.[1] ?? 0);
    const launchers = atIdle.others;
    const floorPss = bare.pss + atIdle.pgServerPss;
    const stopped = await stopSportello(app);

    return {
      organisations: ORGS,
      agents: fixture.agents.length,
      requesters_concurrent: CONCURRENCY,
      ready_s: round(app.readyMs / 1000, 1),
      setup_s: round(setupMs / 1000, 1),
      total_pss_mb_at_ready: mb(totalPss(atStart)),
      total_pss_mb_idle: mb(totalPss(atIdle)),
      total_pss_mb_peak: mb(totalPss(peak)),
      total_pss_mb_after_load: mb(totalPss(afterLoad)),
      total_rss_mb_idle: mb(totalRss(atIdle)),
      total_rss_mb_peak: mb(totalRss(peakRss)),
      app_rss_mb_idle: mb(atIdle.appRss),
      app_rss_mb_peak: mb(Math.max(...samples.map((s) => s.appRss))),
      app_rss_mb_hwm: mb(appHwm),
      app_pss_mb_idle: mb(atIdle.appPss),
      app_pss_mb_peak: mb(Math.max(...samples.map((s) => s.appPss))),
      app_pss_mb_after_load: mb(afterLoad.appPss),
      pg_pss_mb_idle: mb(atIdle.pgPss),
      pg_pss_mb_peak: mb(Math.max(...samples.map((s) => s.pgPss))),
      pg_pss_mb_after_load: mb(afterLoad.pgPss),
      pg_processes_idle: atIdle.pgProcesses,
      pg_processes_peak: Math.max(...samples.map((s) => s.pgProcesses)),
      pg_connections_idle: atIdle.pgClients,
      pg_connections_peak: Math.max(...samples.map((s) => s.pgClients)),
      pg_connections_after_load: afterLoad.pgClients,
      memory_samples: samples.length,
      // Outside the sum: what else `npm start` keeps in the tree.
      launcher_processes: launchers.map((o) => o.cmd.split(' ').slice(0, 2).join(' ')).join(', ') || 'none',
      launcher_rss_mb: mb(launchers.reduce((a, o) => a + o.rss, 0)),
      launcher_pss_mb: mb(launchers.reduce((a, o) => a + o.pss, 0)),
      load_s: round(loadMs / 1000, 1),
      failed_requests: failures.length,
      intakes: refs.length,
      intakes_per_s: round((refs.length / intakeMs) * 1000, 1),
      // Robust to the machine's other load, unlike the rates: what the app process itself spent.
      app_cpu_s: round(appCpu, 1),
      app_cpu_ms_per_intake: round((appCpu * 1000) / Math.max(1, refs.length), 1),
      claims: claimed,
      agent_reports: reports,
      agent_results: reports * CHECKS.length,
      alerts_fired: alerts,
      sla_timers_fired: fired.filter((r) => r.fired).length,
      ...summarize('chat_post', l.post),
      ...summarize('bot_answer', l.answer),
      ...summarize('intake', l.intake),
      ...summarize('claim', l.claim),
      ...summarize('agent_report', l.report),
      ...summarize(
        'sla_lateness',
        fired.filter((r) => r.fired).map((r) => (r.fired as Date).getTime() - r.due.getTime()),
      ),
      floor_node_pss_mb: mb(bare.pss),
      floor_pg_server_pss_mb: mb(atIdle.pgServerPss),
      floor_pss_mb: mb(floorPss),
      ratio_to_floor: round(floorPss / Math.max(1, totalPss(atIdle)), 2),
      stop_s: round(stopped.stopMs / 1000, 1),
      left_running_after_stop: stopped.leftRunning,
    };
  } finally {
    process.removeListener('exit', killTree);
    if (app.npm.exitCode === null) killTree();
    rmSync(app.dataDir, { recursive: true, force: true });
  }
}
