/**
 * The agent ingest endpoint against forged, replayed, stale and malformed requests, over real
 * HTTP on 127.0.0.1 with a real database: every refusal stores nothing; the rate limit answers
 * 429 with Retry-After; an enrolment code works once, and only for enrolment.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentIngestRoutes } from '../app/agent-ingest.ts';
import { createHttpServer, type HttpServer } from '../app/http-server.ts';
import { createEnrolmentCode } from '../core/alerts/enrolment.ts';
import { AGENT_HEADERS, ENROL_PATH, REPORT_PATH, signRequest, type WireEnrolResponse, type WireReport } from '../core/alerts/protocol.ts';
import { Actor } from '../core/kernel/actor.ts';
import { DomainError } from '../core/kernel/errors.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { redeemCode } from '../core/people/one-time-codes.ts';
import { createOrganisation } from '../core/people/register.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let http: HttpServer;
let base: string;
let creds: WireEnrolResponse;
const clock = { now: () => new Date() };
const FISCAL = '97000000111';

async function newCode(): Promise<string> {
  return store.transaction(async (repos) => {
    const ctx = { repos, clock, actor: Actor.system(), notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
    return (await createEnrolmentCode(ctx, { fiscalCode: FISCAL })).code;
  });
}

const report = (over: Partial<WireReport> = {}): WireReport => ({
  agentVersion: 'test',
  heartbeat: { periodSeconds: 60, graceSeconds: 120 },
  batches: [
    {
      id: randomUUID(),
      createdAt: new Date().toISOString(),
      results: [
        {
          check: 'disco',
          kind: 'disk',
          target: '/',
          status: 'ok',
          value: 40,
          unit: '%',
          message: '40% used',
          observedAt: new Date().toISOString(),
          forSeconds: 300,
          recoverySeconds: 300,
        },
      ],
    },
  ],
  ...over,
});

interface Signed {
  readonly headers: Record<string, string>;
  readonly body: string;
}
function sign(body: string, opts: { secret?: string; agentId?: string; timestamp?: number; nonce?: string } = {}): Signed {
  const timestamp = String(opts.timestamp ?? Date.now());
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [AGENT_HEADERS.agent]: opts.agentId ?? creds.agentId,
      [AGENT_HEADERS.timestamp]: timestamp,
      [AGENT_HEADERS.nonce]: nonce,
      [AGENT_HEADERS.signature]: signRequest(opts.secret ?? creds.secret, timestamp, nonce, body),
    },
  };
}
async function post(path: string, s: { headers: Record<string, string>; body: string }) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: s.headers, body: s.body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

/** Rows written by reports: nothing may change on a refusal. */
async function stored(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['agent_nonces', 'agent_batches', 'check_results', 'check_states', 'alerts', 'outbox']) {
    const r = await tdb.db
      .withTables<Record<string, { x: number }>>()
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  await store.transaction((repos) => createOrganisation(repos, clock, { name: 'Associazione Sicura', fiscalCode: FISCAL }));
  http = createHttpServer({
    log: { debug() {}, warn() {}, error() {} },
    health: async () => ({ ok: true }),
    metrics: { contentType: 'text/plain', render: async () => '' },
  });
  http.addRoutes(
    agentIngestRoutes({
      store,
      clock,
      defaultLocale: 'it',
      log: { warn() {}, info() {} },
      reportRate: { capacity: 12, refillPerSecond: 0.01 },
      enrolRate: { capacity: 10, refillPerSecond: 0.01 },
    }),
  );
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  const code = await newCode();
  const res = await post(ENROL_PATH, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, hostname: 'srv-test', agentVersion: 'test' }),
  });
  expect(res.status).toBe(200);
  creds = res.body as unknown as WireEnrolResponse;
});

afterAll(async () => {
  await http?.close();
  await tdb?.drop();
});

describe('agent enrolment', () => {
  it('gives the agent an id and a secret, and a configuration item', () => {
    expect(creds.agentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(creds.secret.length).toBeGreaterThanOrEqual(40);
    expect(creds.organisation).toBe('Associazione Sicura');
    expect(creds.configurationItem).toMatch(/^CI-\d{6}$/);
  });

  it('a code works once; a wrong code is 401; a malformed request is 400 with the reason', async () => {
    const code = await newCode();
    const ok = await post(ENROL_PATH, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, hostname: 'pc-2', agentVersion: 't' }),
    });
    expect(ok.status).toBe(200);
    const again = await post(ENROL_PATH, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, hostname: 'pc-3', agentVersion: 't' }),
    });
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('invalid_code');
    const bad = await post(ENROL_PATH, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x', agentVersion: 't' }),
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/code: .*hostname: /);
  });

  it('an enrolment code typed in chat ("entra CODE") is refused and not burnt', async () => {
    const code = await newCode();
    const someone = { personId: 'nobody', displayName: 'X', locale: 'it' as const, roles: [] };
    await expect(
      store.transaction(async (repos) =>
        redeemCode({ repos, clock, actor: someone, notifier: new Notifier(repos, 'it'), defaultLocale: 'it' }, code),
      ),
    ).rejects.toSatisfy((e) => DomainError.is(e, 'invalid_code'));
    const ok = await post(ENROL_PATH, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, hostname: 'pc-4', agentVersion: 't' }),
    });
    expect(ok.status).toBe(200);
  });
});

describe('signed reports', () => {
  it('a valid report is stored; the exact same request replayed is 401 and stores nothing', async () => {
    const req = sign(JSON.stringify(report()));
    const first = await post(REPORT_PATH, req);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 1, duplicates: 0, results: 1 });
    const before = await stored();
    const replay = await post(REPORT_PATH, req);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('replayed');
    expect(await stored()).toEqual(before);
  });

  it('a batch resent in a new request (lost answer) is recognised and not stored twice', async () => {
    const body = report();
    expect((await post(REPORT_PATH, sign(JSON.stringify(body)))).body).toMatchObject({ accepted: 1, duplicates: 0 });
    const before = await stored();
    const again = await post(REPORT_PATH, sign(JSON.stringify(body)));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, results: 0 });
    const after = await stored();
    expect(after.agent_batches).toBe(before.agent_batches);
    expect(after.check_results).toBe(before.check_results);
  });

  it('a NUL byte or half an emoji in a log line is stored, not answered 500 forever', async () => {
    const r = report();
    const first = r.batches[0]!.results[0]!;
    const broken = {
      ...first,
      kind: 'log' as const,
      check: 'syslog',
      message: 'errore\u0000 disco \ud83d',
      evidence: { lines: ['riga\u0000con NUL', 'mezzo \ud83d'] },
    };
    const res = await post(REPORT_PATH, sign(JSON.stringify({ ...r, batches: [{ ...r.batches[0]!, results: [broken] }] })));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1 });
  });

  const body = () => JSON.stringify(report());
  it.each<[string, () => Signed | { headers: Record<string, string>; body: string }, string]>([
    ['no signature headers', () => ({ headers: { 'content-type': 'application/json' }, body: body() }), 'unauthenticated'],
    ['signed with another secret', () => sign(body(), { secret: 'not-the-secret' }), 'bad_signature'],
    ['unknown agent', () => sign(body(), { agentId: randomUUID() }), 'bad_signature'],
    ['an agent id that is not a uuid', () => sign(body(), { agentId: "x' or 1=1 --" }), 'bad_signature'],
    [
      'body changed after signing',
      () => {
        const s = sign(body());
        return { headers: s.headers, body: s.body.replace('"ok"', '"crit"') };
      },
      'bad_signature',
    ],
    [
      'signature of another nonce',
      () => {
        const s = sign(body());
        return { headers: { ...s.headers, [AGENT_HEADERS.nonce]: randomBytes(16).toString('hex') }, body: s.body };
      },
      'bad_signature',
    ],
    ['timestamp 6 minutes old (correctly signed)', () => sign(body(), { timestamp: Date.now() - 6 * 60_000 }), 'stale_request'],
    ['timestamp 6 minutes ahead', () => sign(body(), { timestamp: Date.now() + 6 * 60_000 }), 'stale_request'],
    ['a nonce too short to be random', () => sign(body(), { nonce: 'abc' }), 'bad_nonce'],
  ])('%s → 401, nothing stored', async (_name, make, error) => {
    const before = await stored();
    const res = await post(REPORT_PATH, make());
    expect(res.status).toBe(401);
    expect(res.body.error).toBe(error);
    expect(await stored()).toEqual(before);
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"batches": [', /not valid JSON/],
    [
      'a status that does not exist',
      JSON.stringify(report()).replace('"status":"ok"', '"status":"boom"'),
      /batches\.0\.results\.0\.status/,
    ],
    ['a check id with spaces', JSON.stringify(report()).replace('"check":"disco"', '"check":"rm -rf /"'), /batches\.0\.results\.0\.check/],
    ['no heartbeat', JSON.stringify({ ...report(), heartbeat: undefined }), /heartbeat/],
    ['a batch id that is not a uuid', JSON.stringify(report()).replace(/"id":"[^"]+"/, '"id":"42"'), /batches\.0\.id/],
    [
      'a result from the future',
      JSON.stringify(report()).replace(/"observedAt":"[^"]+"/, `"observedAt":"${new Date(Date.now() + 3600_000).toISOString()}"`),
      /future/,
    ],
    [
      'too many batches',
      JSON.stringify(report({ batches: Array.from({ length: 51 }, () => report().batches[0]!).map((b) => ({ ...b, id: randomUUID() })) })),
      /batches/,
    ],
  ])('malformed (%s) → 400 with the reason, nothing stored', async (_name, text, reason) => {
    const before = await stored();
    const res = await post(REPORT_PATH, sign(text));
    expect(res.status).toBe(400);
    expect(String(res.body.message)).toMatch(reason);
    expect(await stored()).toEqual(before);
  });

  it('over the per-agent rate → 429 with Retry-After; another agent is not affected', async () => {
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 15 && !limited; i++) {
      const res = await post(REPORT_PATH, sign(JSON.stringify(report({ batches: [] }))));
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(200);
    }
    expect(limited?.body.error).toBe('rate_limited');
    expect(Number(limited?.retryAfter)).toBeGreaterThanOrEqual(1);
    // A forged request does not spend the real agent's tokens, and other agents have their own bucket.
    const code = await newCode();
    const other = (
      await post(ENROL_PATH, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, hostname: 'pc-5', agentVersion: 't' }),
      })
    ).body as unknown as WireEnrolResponse;
    const res = await post(REPORT_PATH, sign(JSON.stringify(report()), { agentId: other.agentId, secret: other.secret }));
    expect(res.status).toBe(200);
  });
});

describe('signing secrets after a start', () => {
  it("the first report reads the live agents' secrets in one query, not one read per agent; a later agent is read alone", async () => {
    const enrol = async (hostname: string) =>
      (
        await post(ENROL_PATH, {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: await newCode(), hostname, agentVersion: 't' }),
        })
      ).body as unknown as WireEnrolResponse;
    const agents = [creds, await enrol('pc-warm-1'), await enrol('pc-warm-2')];
    // A restarted server: new routes (an empty cache) on the same database, its reads counted.
    const reads = { findAgent: 0, listAgentSecrets: 0 };
    const monitoring = {
      ...store.monitoring,
      findAgent: (id: string) => (reads.findAgent++, store.monitoring.findAgent(id)),
      listAgentSecrets: (limit: number) => (reads.listAgentSecrets++, store.monitoring.listAgentSecrets(limit)),
    };
    const counted = new Proxy(store, {
      get: (target, key) => {
        if (key === 'monitoring') return monitoring;
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const restarted = createHttpServer({
      log: { debug() {}, warn() {}, error() {} },
      health: async () => ({ ok: true }),
      metrics: { contentType: 'text/plain', render: async () => '' },
    });
    restarted.addRoutes(agentIngestRoutes({ store: counted, clock, defaultLocale: 'it', log: { warn() {}, info() {} } }));
    const url = `http://127.0.0.1:${await restarted.listen(0, '127.0.0.1')}`;
    const send = async (a: WireEnrolResponse) => {
      const s = sign(JSON.stringify(report()), { agentId: a.agentId, secret: a.secret });
      return (await fetch(`${url}${REPORT_PATH}`, { method: 'POST', headers: s.headers, body: s.body })).status;
    };
    try {
      expect(await Promise.all(agents.map(send))).toEqual([200, 200, 200]);
      expect(await Promise.all(agents.map(send))).toEqual([200, 200, 200]);
      expect(reads).toEqual({ findAgent: 0, listAgentSecrets: 1 });
      // Enrolled after the secrets were read: its first report reads it, once.
      const late = await enrol('pc-warm-3');
      expect([await send(late), await send(late)]).toEqual([200, 200]);
      expect(reads).toEqual({ findAgent: 1, listAgentSecrets: 1 });
      // A forged report of a known agent is still refused.
      const forged = sign(JSON.stringify(report()), { agentId: late.agentId, secret: 'not-the-secret' });
      expect((await fetch(`${url}${REPORT_PATH}`, { method: 'POST', headers: forged.headers, body: forged.body })).status).toBe(401);
    } finally {
      await restarted.close();
    }
  });
});
