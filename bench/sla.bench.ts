/**
 * SLA timers under load, on each BullMQ backend (Redis, then PostgreSQL), beside bare BullMQ
 * delayed jobs in the same run:
 *
 * 1. 100,000 open tickets, each with an SLA event due over the coming days (rows inserted in bulk
 *    with SQL), then timers set for all of them through Sportello's path (the timer pump: claim
 *    in `sla_events`, BullMQ `addBulk`, horizon widened to 5 days so BullMQ really holds them all)
 *    → scheduling throughput. Bare: `addBulk` of 100,000 delayed jobs.
 * 2. With those pending, a worker in its own process (`startWorkers`, as `sportello worker` runs
 *    it), and a burst of 2,000 targets falling due within one measured minute → firing lateness
 *    (`fired_at - due_at`) p50/p99/max. Bare: a plain BullMQ Worker recording `now - due`.
 * 3. A flood of 2,000 targets due at the same instant → the highest firing rate sustained.
 * 4. The worker process's peak RSS (`resourceUsage().maxRSS`).
 *
 * Sizes: `npm run bench -- sla --sla-pending=100000 --sla-burst=2000 --sla-flood=2000
 * --sla-backends=redis,postgres` (these are the defaults). Redis: `--sla-redis=redis://…/14`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../core/kernel/ports.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import type { Database } from '../db/schema.ts';
import type { JobData } from '../jobs/job-data.ts';
import { createQueueBackend, type JobQueue } from '../jobs/queue-backend.ts';
import { SlaTimers } from '../jobs/sla-timers.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { round, summarize } from './stats.ts';

type Backend = 'redis' | 'postgres';

const ROOT = path.resolve(import.meta.dirname, '..');
const DAY = 86_400_000;
const quiet = { info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function flag(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--sla-${name}=`));
  return hit?.slice(`--sla-${name}=`.length);
}

export interface SlaBenchOptions {
  readonly pending?: number;
  readonly burst?: number;
  readonly flood?: number;
  /** The burst's due times spread over this window (default one minute). */
  readonly burstWindowMs?: number;
  readonly backends?: readonly Backend[];
  readonly redisUrl?: string;
  /** Worker concurrency, the same for Sportello and bare BullMQ (default 8). */
  readonly concurrency?: number;
}

export async function run(opts: SlaBenchOptions = {}): Promise<Record<string, number | string>> {
  const o = {
    pending: opts.pending ?? Number(flag('pending') ?? 100_000),
    burst: opts.burst ?? Number(flag('burst') ?? 2_000),
    flood: opts.flood ?? Number(flag('flood') ?? 2_000),
    burstWindowMs: opts.burstWindowMs ?? Number(flag('window') ?? 60_000),
    backends: opts.backends ?? ((flag('backends')?.split(',') ?? ['redis', 'postgres']) as Backend[]),
    redisUrl: opts.redisUrl ?? flag('redis') ?? 'redis://127.0.0.1:6379/14',
    concurrency: opts.concurrency ?? 8,
  };
  const out: Record<string, number | string> = {
    pending_timers: o.pending,
    burst: o.burst,
    burst_window_s: o.burstWindowMs / 1000,
    flood: o.flood,
    concurrency: o.concurrency,
  };
  for (const backend of o.backends) {
    const s = await sportello(backend, o);
    const b = await bare(backend, o);
    for (const [k, v] of Object.entries(s)) out[`${backend}_sportello_${k}`] = v;
    for (const [k, v] of Object.entries(b)) out[`${backend}_bare_${k}`] = v;
    out[`${backend}_burst_p99_ratio`] = round(Number(s['burst_p99_ms']) / Math.max(1, Number(b['burst_p99_ms'])), 2);
    out[`${backend}_max_rate_ratio`] = round(Number(b['max_rate_per_s']) / Math.max(1, Number(s['max_rate_per_s'])), 2);
    // Sportello's sustained firing (each with its messages written) over bare BullMQ's (nothing written).
    out[`${backend}_ratio_to_floor`] = round(Number(s['max_rate_per_s']) / Math.max(1, Number(b['max_rate_per_s'])), 2);
    out[`${backend}_meets_p99_under_1s`] = Number(s['burst_p99_ms']) < 1000 ? 'yes' : 'no';
  }
  return out;
}

type Opts = Required<Omit<SlaBenchOptions, 'backends'>> & { backends: readonly Backend[] };

/** Fired-per-second peak over a set of firing instants (ms). */
function peakRate(firedAt: readonly number[]): number {
  const buckets = new Map<number, number>();
  for (const t of firedAt) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...buckets.values());
}

/** Rate at which a flood due at one instant was drained: n / (last firing − due). */
function drainRate(due: number, firedAt: readonly number[]): number {
  const last = Math.max(...firedAt);
  return round((firedAt.length / Math.max(1, last - due)) * 1000, 1);
}

async function freshRedis(url: string): Promise<void> {
  const r = new Redis(url);
  await r.flushdb(); // the benchmark's own Redis database
  await r.quit();
}

/** Inserts `n` open tickets with one pending SLA event each, due at `dueSql`; returns the event ids. */
async function seed(
  db: Kysely<Database>,
  orgId: string,
  requesterId: string,
  n: number,
  dueSql: ReturnType<typeof sql>,
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with t as (
      insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id, created_at, updated_at)
      select 'INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 7, '0'), 'incident', 'Bench ' || g, 'Bench', 2, 2, 3, 'volunteer', 'new',
             ${orgId}, ${requesterId}, now(), now()
        from generate_series(1, ${n}) g
      returning id
    )
    insert into sla_events (ticket_id, target, kind, due_at, created_at)
    select id, 'response', 'breach', ${dueSql}, now() from t
    returning id`.execute(db);
  return rows.map((r) => r.id);
}

interface ChildHandle {
  readonly child: ChildProcess;
  readonly messages: { fired?: [number, number]; rssKb?: number }[];
  stop(): Promise<number>;
}

function startChild(code: string, cfg: object): Promise<ChildHandle> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code, '--', JSON.stringify({ root: ROOT, ...cfg })],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    const messages: ChildHandle['messages'] = [];
    let rss: (kb: number) => void = () => {};
    child.on('message', (m: { ready?: true; fired?: [number, number]; rssKb?: number }) => {
      if (m.ready)
        resolve({
          child,
          messages,
          stop: () =>
            new Promise<number>((res) => {
              rss = res;
              child.send({ stop: true });
            }),
        });
      else if (m.rssKb !== undefined) rss(m.rssKb);
      else messages.push(m);
    });
    child.once('exit', (c) => reject(new Error(`benchmark worker exited (${c})`)));
  });
}

const SPORTELLO_WORKER = `
  const { pathToFileURL } = await import('node:url');
  const cfg = JSON.parse(process.argv[1]);
  const load = (p) => import(pathToFileURL(cfg.root + p).href);
  const { createDatabase } = await load('/db/database.ts');
  const { KyselyStore } = await load('/db/kysely-store.ts');
  const { startWorkers } = await load('/jobs/workers.ts');
  const db = createDatabase(cfg.dbUrl, { max: 12 });
  const quiet = { info() {}, warn() {}, error() {} };
  const workers = await startWorkers({ store: new KyselyStore(db), clock: { now: () => new Date() }, log: quiet,
    dbUrl: cfg.dbUrl, redisUrl: cfg.redisUrl, defaultLocale: 'it', namespace: cfg.namespace,
    timerHorizonMs: cfg.horizonMs, concurrency: cfg.concurrency });
  process.on('message', async (m) => {
    if (!m.stop) return;
    await workers.stop();
    await db.destroy();
    process.send({ rssKb: process.resourceUsage().maxRSS }, () => process.exit(0));
  });
  process.on('disconnect', () => process.exit(1)); // never outlive the benchmark
  process.send({ ready: true });`;

const BARE_WORKER = `
  const { pathToFileURL } = await import('node:url');
  const cfg = JSON.parse(process.argv[1]);
  const { createQueueBackend } = await import(pathToFileURL(cfg.root + '/jobs/queue-backend.ts').href);
  const backend = createQueueBackend({ redisUrl: cfg.redisUrl, databaseUrl: cfg.dbUrl });
  await backend.ready();
  const worker = backend.worker(cfg.queue, async (job) => { process.send({ fired: [job.data.due, Date.now()] }); }, { concurrency: cfg.concurrency });
  await worker.waitUntilReady();
  process.on('message', async (m) => {
    if (!m.stop) return;
    await worker.close();
    await backend.close();
    process.send({ rssKb: process.resourceUsage().maxRSS }, () => process.exit(0));
  });
  process.on('disconnect', () => process.exit(1)); // never outlive the benchmark
  process.send({ ready: true });`;

async function sportello(backend: Backend, o: Opts): Promise<Record<string, number>> {
  const redisUrl = backend === 'redis' ? o.redisUrl : undefined;
  if (redisUrl) await freshRedis(redisUrl);
  const tdb = await createTestDatabase();
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const horizonMs = 5 * DAY;
  const clock: Clock = { now: () => new Date() };
  const qb = createQueueBackend({ redisUrl, databaseUrl: tdb.url });
  await qb.ready();
  const queue: JobQueue<JobData> = qb.queue<JobData>(`${namespace}-jobs`, { removeOnComplete: true });
  let worker: ChildHandle | undefined;
  try {
    const store = new KyselyStore(tdb.db);
    const { orgId, requesterId } = await people(tdb);
    await seed(tdb.db, orgId, requesterId, o.pending, sql`now() + interval '1 hour' + random() * interval '4 days'`);
    await sql`analyze`.execute(tdb.db);

    const timers = new SlaTimers({ store, clock, queue, log: quiet, horizonMs, batchSize: 1000 });
    await timers.verifyQueue(); // the sentinel, so the worker does not take the queue for emptied
    const t0 = performance.now();
    const scheduled = await timers.pump();
    const scheduleMs = performance.now() - t0;

    worker = await startChild(SPORTELLO_WORKER, { dbUrl: tdb.url, redisUrl, namespace, horizonMs, concurrency: o.concurrency });
    await sleep(2_000);

    // The burst: due over one minute, starting 5 s from now; its timers set through the same path.
    const burstIds = await seed(
      tdb.db,
      orgId,
      requesterId,
      o.burst,
      sql`now() + interval '5 seconds' + random() * ${`${o.burstWindowMs} milliseconds`}::interval`,
    );
    await timers.pump();
    const burst = await waitFired(tdb, burstIds, o.burstWindowMs + 60_000);

    // The flood: all due at one instant, about 4 s from now.
    const floodIds = await seed(tdb.db, orgId, requesterId, o.flood, sql`date_trunc('second', now()) + interval '4 seconds'`);
    await timers.pump();
    const flood = await waitFired(tdb, floodIds, 120_000, 100);
    const floodSeen = Date.now(); // every flood firing committed (polled every 100 ms)
    const outboxRows = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from outbox o where o.created_at >= (select min(fired_at) from sla_events where id = any(${floodIds}::uuid[]))`.execute(
          tdb.db,
        )
      ).rows[0]?.n ?? 0,
    );

    const rssKb = await worker.stop();
    worker = undefined;
    const floodDue = flood[0]?.[0] ?? 0;
    return {
      scheduled,
      schedule_per_s: round((scheduled / scheduleMs) * 1000, 1),
      ...summarize(
        'burst',
        burst.map(([due, at]) => at - due),
      ),
      burst_peak_per_s: peakRate(burst.map(([, at]) => at)),
      max_rate_per_s: drainRate(
        floodDue,
        flood.map(([, at]) => at),
      ),
      // The same drain, timed by when the firings were seen committed rather than by `fired_at`
      // (taken at the start of each firing transaction): at most 100 ms pessimistic.
      max_rate_committed_per_s: round((flood.length / Math.max(1, floodSeen - floodDue)) * 1000, 1),
      flood_outbox_rows_per_event: round(outboxRows / Math.max(1, flood.length), 2),
      ...summarize(
        'flood',
        flood.map(([due, at]) => at - due),
      ),
      worker_peak_rss_mb: round(rssKb / 1024, 1),
    };
  } finally {
    if (worker) worker.child.kill('SIGKILL');
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await qb.close();
    await tdb.drop();
  }
}

async function bare(backend: Backend, o: Opts): Promise<Record<string, number>> {
  const redisUrl = backend === 'redis' ? o.redisUrl : undefined;
  if (redisUrl) await freshRedis(redisUrl);
  const tdb = await createTestDatabase({ migrate: false });
  const name = `bare-${randomBytes(3).toString('hex')}`;
  const qb = createQueueBackend({ redisUrl, databaseUrl: tdb.url });
  await qb.ready();
  const queue: JobQueue<{ due: number }> = qb.queue<{ due: number }>(name, { removeOnComplete: true });
  let worker: ChildHandle | undefined;
  try {
    await queue.waitUntilReady();
    const add = async (dues: number[], idPrefix: string) => {
      for (let i = 0; i < dues.length; i += 1000) {
        const now = Date.now();
        await queue.addBulk(
          dues.slice(i, i + 1000).map((due, j) => ({
            name: 'timer',
            data: { due },
            opts: { jobId: `${idPrefix}-${i + j}`, delay: Math.max(0, Math.round(due - now)) },
          })),
        );
      }
    };
    const now = Date.now();
    const pendingDues = Array.from({ length: o.pending }, () => now + 3_600_000 + Math.random() * 4 * DAY);
    const t0 = performance.now();
    await add(pendingDues, 'p');
    const scheduleMs = performance.now() - t0;

    worker = await startChild(BARE_WORKER, { dbUrl: tdb.url, redisUrl, queue: name, concurrency: o.concurrency });
    await sleep(2_000);
    const b0 = Date.now() + 5_000;
    await add(
      Array.from({ length: o.burst }, () => b0 + Math.random() * o.burstWindowMs),
      'b',
    );
    const burst = await waitMessages(worker, o.burst, o.burstWindowMs + 60_000);
    const f0 = Math.floor(Date.now() / 1000) * 1000 + 4_000;
    await add(
      Array.from({ length: o.flood }, () => f0),
      'f',
    );
    const flood = (await waitMessages(worker, o.burst + o.flood, 120_000)).slice(o.burst);
    const rssKb = await worker.stop();
    worker = undefined;
    return {
      scheduled: o.pending,
      schedule_per_s: round((o.pending / scheduleMs) * 1000, 1),
      ...summarize(
        'burst',
        burst.map(([due, at]) => at - due),
      ),
      burst_peak_per_s: peakRate(burst.map(([, at]) => at)),
      max_rate_per_s: drainRate(
        f0,
        flood.map(([, at]) => at),
      ),
      ...summarize(
        'flood',
        flood.map(([due, at]) => at - due),
      ),
      worker_peak_rss_mb: round(rssKb / 1024, 1),
    };
  } finally {
    if (worker) worker.child.kill('SIGKILL');
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await qb.close();
    await tdb.drop();
  }
}

async function people(tdb: TestDatabase): Promise<{ orgId: string; requesterId: string }> {
  const store = new KyselyStore(tdb.db);
  const now = new Date();
  const org = await store.people.createOrganisation({ name: 'Associazione Bench ODV', fiscalCode: '97999999999', runtsNumber: null }, now);
  const p = await store.people.createPerson(
    { handle: 'bench', displayName: 'Bench Requester', email: null, phone: null, locale: 'it' },
    now,
  );
  await store.people.linkIdentity({ platform: 'web', externalId: 'bench', personId: p.id, lastSeenAt: now });
  for (const [purpose, conversationId] of [
    ['volunteers', 'volontari'],
    ['committee', 'comitato'],
  ] as const)
    await store.channels.bind({
      purpose,
      platform: 'web',
      conversationId,
      threadId: null,
      organisationId: null,
      boundBy: null,
      boundAt: now,
    });
  return { orgId: org.id, requesterId: p.id };
}

/** Waits until every event fired; returns [due, fired] instants (ms). */
async function waitFired(tdb: TestDatabase, ids: readonly string[], timeoutMs: number, pollMs = 500): Promise<[number, number][]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{
      due: Date;
      fired: Date | null;
    }>`select due_at as due, fired_at as fired from sla_events where id = any(${ids}::uuid[])`.execute(tdb.db);
    if (rows.every((r) => r.fired)) return rows.map((r) => [r.due.getTime(), (r.fired as Date).getTime()]);
    if (Date.now() > end) throw new Error(`only ${rows.filter((r) => r.fired).length} of ${ids.length} SLA events fired in time`);
    await sleep(pollMs);
  }
}

async function waitMessages(h: ChildHandle, n: number, timeoutMs: number): Promise<[number, number][]> {
  const end = Date.now() + timeoutMs;
  while (h.messages.length < n) {
    if (Date.now() > end) throw new Error(`only ${h.messages.length} of ${n} bare jobs ran in time`);
    await sleep(200);
  }
  return h.messages.slice(0, n).map((m) => m.fired as [number, number]);
}
