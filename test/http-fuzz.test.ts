/**
 * Every HTTP route of the app, fuzzed: the whole app (web chat, dashboard, agent ingest,
 * health and metrics, the Slack and Telegram webhooks against their fakes) on a fresh database
 * with the demo data, hit by property-based requests (fast-check) — any method on every route
 * and on paths near them, malformed and oversized bodies, JSON of the wrong shape, NUL bytes,
 * lone surrogates and invalid UTF-8, wrong content types, foreign origins, forged signatures and
 * secrets. Never a 5xx, the process keeps serving, and a forged or malformed request stores
 * nothing (the rows of every table are counted before and after).
 *
 * The routes are taken from the app itself (every `addRoutes` at startup), so a new route is
 * fuzzed without touching this file.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { DEMO_MARKER_FISCAL_CODE, seedDemo } from '../app/seed-demo.ts';
import { startServices } from '../app/services.ts';
import type { HttpRoute } from '../bots/kit/http-route.ts';
import { AGENT_HEADERS, CHECK_KINDS, CHECK_STATUSES, ENROL_PATH, REPORT_PATH, signRequest } from '../core/alerts/protocol.ts';
import { SlackFake } from './fakes/slack-fake.ts';
import { TelegramFake } from './fakes/telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until, WAIT_MS } from './wait.ts';

const SLACK_SECRET = 'fuzz-signing-secret';
const TELEGRAM_SECRET = 'fuzz-webhook-secret';
/** Requests per property: bounded, so the whole file runs well under a minute. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

let app: App;
let tdb: TestDatabase;
let slack: SlackFake;
let telegram: TelegramFake;
let port: number;
const routes: { method: string; path: string }[] = [];
let demoUsers: { handle: string; roles: string[] }[] = [];
let demoHandles: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  slack = await SlackFake.start();
  telegram = await TelegramFake.start();
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    WEB_CHAT: 'on',
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slack.apiUrl,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
  });
  app = await startApp(
    { ...config, port: 0 },
    {
      log: createLogger({ level: 'silent' }),
      host: '127.0.0.1',
      onReady: async (ctx) => {
        // Every route the app serves, as it adds them.
        const add = ctx.http.addRoutes.bind(ctx.http);
        ctx.http.addRoutes = (more: readonly HttpRoute[]) => {
          for (const r of more) routes.push({ method: r.method, path: typeof r.path === 'string' ? r.path : samplePath(r.path) });
          add(more);
        };
        await seedDemo(ctx.store, ctx.clock);
        await startServices(ctx);
      },
    },
  );
  port = app.port;
  // The server's own routes, there before any adapter's.
  routes.push({ method: 'GET', path: '/healthz' }, { method: 'GET', path: '/metrics' });
  demoUsers = (await (await fetch(`http://127.0.0.1:${port}/web/users`)).json()) as { handle: string; roles: string[] }[];
  demoHandles = demoUsers.map((u) => u.handle);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await slack?.close();
  await telegram?.close();
  await tdb?.drop();
});

/** A path a RegExp route matches: its first alternative of each group, escapes undone. */
function samplePath(re: RegExp): string {
  return re.source
    .replace(/^\^|\$$/g, '')
    .replace(/\(([^|)]*)(\|[^)]*)?\)/g, '$1')
    .replace(/\\(.)/g, '$1');
}

// ── the generators ────────────────────────────────────────────────────────────────────────

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  /** Another loopback address (the ingest rate-limits by address). */
  readonly from?: string;
}

const NUL = '\u0000';
const LONE_SURROGATE = '\ud83d';
/** Strings a browser, a bot or an attacker may send: empty, huge, with NUL, half an emoji, markup. */
const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    NUL,
    `a${NUL}b`,
    LONE_SURROGATE,
    `x${LONE_SURROGATE}y`,
    '\udc00',
    '<script>alert(1)</script>',
    '@everyone',
    '../../etc/passwd',
    '%00',
    '\r\n\r\n',
  ),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
/** Any value in a field: the wrong type as often as the right one. */
const anyValue = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
/** The fields the routes read, with values of any shape. */
const FIELDS = [
  'as',
  'conversation',
  'text',
  'clientId',
  'threadOf',
  'actionId',
  'value',
  't',
  'code',
  'token',
  'agentId',
  'machine',
  'checks',
  'update_id',
  'message',
  'callback_query',
  'type',
  'event',
  'challenge',
  'payload',
];
const shapedObject = fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 6 });

/** Body bytes: JSON of random or expected-but-wrong shapes, huge, invalid UTF-8, form-encoded, nothing. */
const bodyBytes: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  shapedObject.map((o) => Buffer.from(JSON.stringify(o))),
  nastyString.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), // {"text":"<invalid UTF-8>"}
    Buffer.from('{"as":'),
    Buffer.from('{"a":'.repeat(5_000)),
    Buffer.from('t=abc&as=anna'),
    Buffer.from(`{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}`),
  ),
  fc.integer({ min: 100_000, max: 3_000_000 }).map((n) => Buffer.alloc(n, 0x61)),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'garbage/;;;',
);

/** Forged credentials: signatures, secrets and tokens that are wrong, stale, empty or absurd. */
const forgedHeaders = fc.record(
  {
    origin: fc.constantFrom('http://evil.example', 'null', 'http://127.0.0.1:1', ''),
    'x-slack-signature': fc.oneof(
      fc.constant('v0=00'),
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((h) => `v0=${h}`),
    ),
    'x-slack-request-timestamp': fc.oneof(fc.constant(String(Math.floor(Date.now() / 1000))), fc.constant('0'), fc.string()),
    'x-telegram-bot-api-secret-token': fc.oneof(fc.constant(''), fc.constant(`${TELEGRAM_SECRET}x`), fc.string()),
    authorization: fc.oneof(
      fc.constant('Bearer '),
      fc.string().map((s) => `Bearer ${s}`),
      fc.constant('Basic YWRtaW46YWRtaW4='),
    ),
    cookie: fc.oneof(fc.constant('sportello_dashboard=forged'), fc.string()),
  },
  { requiredKeys: [] },
);

const query = fc.dictionary(
  fc.constantFrom('as', 't', 'conversation', 'before', 'org', 'kind', 'priority', 'days', 'thread'),
  nastyString.map((s) => s.slice(0, 2_000)),
  {
    maxKeys: 3,
  },
);

function pathArb(): fc.Arbitrary<string> {
  const known = routes.map((r) => r.path);
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...known), query).map(([p, q]) => withQuery(p, q)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...known), fc.constantFrom('/', '//', '/x', '/..', '%2e%2e', '%00', '?', '#'))
        .map(([p, s]) => p + s),
    },
    { weight: 1, arbitrary: fc.webPath() },
  );
}

function withQuery(path: string, q: Record<string, string>): string {
  const s = new URLSearchParams(q).toString();
  return s ? `${path}?${s}` : path;
}

function requestArb(): fc.Arbitrary<FuzzRequest> {
  const methods = [...new Set(routes.map((r) => r.method))];
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...methods) },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
      ),
      path: pathArb(),
      contentType,
      forged: forgedHeaders,
      body: bodyBytes,
    })
    .map(({ method, path, contentType: ct, forged, body }) => ({
      method,
      path,
      headers: { ...forged, ...(ct ? { 'content-type': ct } : {}) },
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    }));
}

/**
 * What this fuzzing found (shrunk by fast-check), replayed first on every run: 500 for ever
 * until fixed.
 */
const FOUND: ((port: number, handle: string) => FuzzRequest)[] = [
  // a press without its sender (issue 16, defect 2)
  () => telegramRequest({ update_id: 1, callback_query: { id: 0, data: '' } }),
  // a sender whose language is not a string: TypeError in toLocale, then 500 on every redelivery
  () =>
    telegramRequest({ update_id: 2, message: { message_id: 0, from: { id: 1, language_code: { a: 'b' } }, chat: -5e-323, text: '%00' } }),
  // a NUL as the whole text (issue 16, defect 3)
  (port, handle) => ({
    method: 'POST',
    path: '/web/send',
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
    body: Buffer.from(JSON.stringify({ conversation: `dm:${handle}`, text: NUL, as: handle })),
  }),
];

function telegramRequest(update: unknown): FuzzRequest {
  return {
    method: 'POST',
    path: '/telegram/webhook',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
    body: Buffer.from(JSON.stringify(update)),
  };
}

// ── sending ───────────────────────────────────────────────────────────────────────────────

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Sends raw bytes (node's client, so invalid UTF-8 and any header go out as they are). */
function send(r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (/^[\x20-\x7e]*$/.test(v)) headers[k] = v; // a header node refuses to send is not a request
    const req = http.request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false, ...(r.from ? { localAddress: r.from } : {}) },
      (res) => {
        const status = res.statusCode ?? 0;
        if (/event-stream/.test(String(res.headers['content-type']))) {
          res.destroy(); // a live stream: the status is the answer
          return resolve({ status, body: '(stream)' });
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer in 15 s to ${r.method} ${r.path.slice(0, 80)}`)));
    // The server may refuse an oversized body before reading it and close: the answer still comes.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(r.body);
  });
}

function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '' : ` body(${r.body.length} B)=${JSON.stringify(r.body.subarray(0, 120).toString('latin1'))}`;
  return `${r.method} ${r.path.slice(0, 120)} ${JSON.stringify(r.headers).slice(0, 300)}${body}`;
}

/** Rows of every table but the migrations' own: "nothing stored" is these counts unchanged. */
async function rowCounts(db: Kysely<unknown>): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.id(name)}`.execute(db);
    counts[name] = Number(r.rows[0]?.n ?? 0);
  }
  return counts;
}

/** Tables written by the app's own clockwork whatever the requests (jobs, deliveries of the seed). */
const CLOCKWORK = new Set(['scheduled_runs', 'outbox', 'platform_messages', 'platform_dm_channels', 'sla_events']);

function changed(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after)
    .filter((t) => !CLOCKWORK.has(t) && before[t] !== after[t])
    .map((t) => `${t}: ${before[t]} → ${after[t]}`);
}

/** Counts answers by status, and which routes were hit, for the summary line. */
function tally(statuses: Map<string, number>, r: FuzzRequest, status: number): void {
  const known = routes.find((route) => r.path.split('?')[0] === route.path && r.method === route.method);
  for (const key of [String(status), ...(known ? [`${known.method} ${known.path}`] : [])]) statuses.set(key, (statuses.get(key) ?? 0) + 1);
}

/** "statuses {…}; N of M routes hit with their own method". */
function summary(statuses: Map<string, number>): string {
  const byStatus = Object.fromEntries([...statuses].filter(([k]) => /^\d+$/.test(k)));
  const hit = [...statuses.keys()].filter((k) => !/^\d+$/.test(k)).length;
  return `statuses ${JSON.stringify(byStatus)}; ${hit} of ${routes.length} routes hit with their own method`;
}

async function healthy(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(res.status).toBe(200);
}

describe('HTTP fuzzing', () => {
  it('serves every route it fuzzes: the web chat, the dashboard, the agent ingest, health, metrics, Slack and Telegram', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const p of ['POST /web/send', 'GET /cruscotto', 'POST /slack/events', 'POST /telegram/webhook', 'GET /healthz', 'GET /metrics'])
      expect(paths).toContain(p);
    expect(paths.some((p) => p.startsWith('POST /agent'))).toBe(true);
  });

  it('forged, malformed, oversized and wrongly typed requests: never a 5xx, still serving, nothing stored', async () => {
    const db = tdb.db as unknown as Kysely<unknown>;
    // The demo data's own messages are delivered first (into web_messages): those are not the fuzz's.
    await until(
      'the demo messages delivered',
      async () =>
        Number((await sql<{ n: string }>`select count(*) as n from outbox where status = 'pending'`.execute(db)).rows[0]?.n) === 0,
      WAIT_MS,
    );
    const before = await rowCounts(db);
    const statuses = new Map<string, number>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        const answer = await send(r);
        tally(statuses, r, answer.status);
        if (answer.status >= 500) throw new Error(`${answer.status} ${answer.body} ← ${describeRequest(r)}`);
      }),
      { numRuns: RUNS },
    );
    await healthy();
    expect(changed(before, await rowCounts(db))).toEqual([]);
    console.log(
      `http fuzz (forged): ${RUNS} requests on ${routes.length} routes in ${((performance.now() - started) / 1000).toFixed(1)} s; ${summary(statuses)}`,
    );
  }, 120_000);

  it('malformed requests from a real web identity and with the real Telegram secret: never a 5xx, still serving', async () => {
    const statuses = new Map<string, number>();
    const started = performance.now();
    const webSend = fc.record({
      path: fc.constantFrom('/web/send', '/web/action'),
      as: fc.constantFrom(...demoHandles),
      ownDm: fc.boolean(),
      fields: fc.record({
        text: nastyString,
        // Absent or well formed as often as not, so the text gets through to the engine too.
        clientId: fc.option(fc.oneof(fc.uuid(), fc.stringMatching(/^[\w-]{1,100}$/), anyValue), { nil: undefined }),
        threadOf: fc.option(fc.oneof(fc.uuid(), anyValue), { nil: undefined, freq: 3 }),
        actionId: fc.option(fc.oneof(fc.constantFrom('ticket.claim', 'intake.kind', 'vendor.pick'), anyValue), { nil: undefined }),
        value: fc.option(anyValue, { nil: undefined }),
      }),
      conversation: fc.oneof(fc.constantFrom(`dm:${demoHandles[0]}`, 'volontari'), nastyString),
    });
    // Updates shaped like Telegram's, with any field missing, mistyped or nasty (a NUL in a name, no chat, a press without its sender).
    const tgUser = fc.record(
      {
        id: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), anyValue),
        is_bot: fc.boolean(),
        first_name: nastyString,
        language_code: anyValue,
      },
      { requiredKeys: ['id'] },
    );
    const tgChat = fc.oneof(
      fc.record({ id: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), type: fc.constantFrom('private', 'group', 'supergroup', 'x') }),
      anyValue,
    );
    const tgMessage = fc.record(
      {
        message_id: fc.oneof(fc.nat(), anyValue),
        date: fc.nat(),
        from: fc.oneof(tgUser, anyValue),
        chat: tgChat,
        text: nastyString,
        message_thread_id: anyValue,
      },
      { requiredKeys: ['message_id', 'text'] },
    );
    const updateId = fc.integer({ min: 1, max: 2 ** 31 });
    const telegramUpdate = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.tuple(shapedObject, updateId).map(([o, id]) => ({ ...o, update_id: id })),
      fc.record({ update_id: updateId, message: tgMessage }),
      fc.record({
        update_id: updateId,
        callback_query: fc.record(
          { id: fc.oneof(fc.string(), anyValue), from: fc.oneof(tgUser, anyValue), data: nastyString, message: tgMessage },
          { requiredKeys: ['id'] },
        ),
      }),
    );
    const authenticated: fc.Arbitrary<FuzzRequest> = fc.oneof(
      webSend.map(({ path, as, ownDm, fields, conversation }) => ({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
        body: Buffer.from(JSON.stringify({ conversation: ownDm ? `dm:${as}` : conversation, ...fields, as })),
      })),
      telegramUpdate.map((u) => ({
        method: 'POST',
        path: '/telegram/webhook',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body: Buffer.from(JSON.stringify(u) ?? 'null'),
      })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => {
        const body = JSON.stringify(v) ?? 'null';
        const ts = String(Math.floor(Date.now() / 1000));
        const sig = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
        return {
          method: 'POST',
          path: '/slack/events',
          headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
          body: Buffer.from(body),
        };
      }),
    );
    await fc.assert(
      fc.asyncProperty(authenticated, async (r) => {
        const answer = await send(r);
        tally(statuses, r, answer.status);
        if (answer.status >= 500) throw new Error(`${answer.status} ${answer.body} ← ${describeRequest(r)}`);
      }),
      { numRuns: RUNS, examples: FOUND.map((found) => [found(port, demoHandles[0] ?? '')]) },
    );
    await healthy();
    console.log(
      `http fuzz (authenticated, malformed): ${RUNS} requests in ${((performance.now() - started) / 1000).toFixed(1)} s; ${summary(statuses)}`,
    );
  }, 120_000);

  it('a signed-in dashboard, fuzzed: filters, charts and streams of any shape, never a 5xx', async () => {
    const base = `http://127.0.0.1:${port}`;
    const volunteer = demoUsers.find((u) => u.roles.includes('volunteer'))?.handle;
    if (!volunteer) throw new Error(`no demo volunteer among ${JSON.stringify(demoUsers)}`);
    // The volunteer asks for the dashboard in the web chat and follows the link, as a browser would.
    const sent = await fetch(`${base}/web/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ as: volunteer, conversation: `dm:${volunteer}`, text: 'cruscotto', clientId: 'fuzz-dashboard-link' }),
    });
    expect(sent.status).toBe(202);
    const token = await until(
      'the dashboard link in the web chat',
      async () => {
        const history = await (await fetch(`${base}/web/history?as=${volunteer}&conversation=dm:${volunteer}`)).text();
        return /cruscotto\/entra\?t=([\w-]+)/.exec(history)?.[1];
      },
      WAIT_MS,
    );
    const signIn = await fetch(`${base}/cruscotto/entra`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
      body: `t=${token}`,
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/=.+/);

    // Signing out would end the session the rest of the run needs (it is fuzzed signed out above).
    const dashboardPaths = routes.filter((r) => r.path.startsWith('/cruscotto') && r.path !== '/cruscotto/esci');
    const filters = fc.dictionary(
      fc.constantFrom('org', 'kind', 'priority', 'days', 'period', 'ref', 'x'),
      fc.oneof(
        nastyString.map((v) => v.slice(0, 3_000)),
        fc.uuid(),
        fc.constantFrom('incident', 'change', '1', '5', '0', '7', '30'),
      ),
      { maxKeys: 4 },
    );
    const signedIn: fc.Arbitrary<FuzzRequest> = fc
      .record({ route: fc.constantFrom(...dashboardPaths), q: filters, ct: contentType, body: bodyBytes, sameOrigin: fc.boolean() })
      .map(({ route, q, ct, body, sameOrigin }) => ({
        method: route.method,
        path: withQuery(route.path, q),
        headers: { cookie, ...(ct ? { 'content-type': ct } : {}), ...(sameOrigin ? { origin: base } : {}) },
        body: route.method === 'GET' ? undefined : body,
      }));
    const statuses = new Map<string, number>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(signedIn, async (r) => {
        const answer = await send(r);
        tally(statuses, r, answer.status);
        if (answer.status >= 500) throw new Error(`${answer.status} ${answer.body} ← ${describeRequest(r)}`);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
    await healthy();
    console.log(
      `http fuzz (signed-in dashboard): ${Math.ceil(RUNS / 3)} requests in ${((performance.now() - started) / 1000).toFixed(1)} s; ${summary(statuses)}`,
    );
  }, 120_000);

  it('signed agent reports of any shape from an enrolled agent: never a 5xx, still serving', async () => {
    const base = `http://127.0.0.1:${port}`;
    const staff = demoUsers.find((u) => u.roles.includes('moderator'))?.handle;
    if (!staff) throw new Error(`no demo moderator among ${JSON.stringify(demoUsers)}`);
    const sent = await fetch(`${base}/web/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({
        as: staff,
        conversation: `dm:${staff}`,
        text: `agente ${DEMO_MARKER_FISCAL_CODE}`,
        clientId: 'fuzz-agent-code',
      }),
    });
    expect(sent.status).toBe(202);
    const code = await until(
      'the enrolment code in the web chat',
      async () => {
        const history = await (await fetch(`${base}/web/history?as=${staff}&conversation=dm:${staff}`)).text();
        return /: ([A-Z0-9]{6,16}) \(/.exec(history)?.[1];
      },
      WAIT_MS,
    );
    // Enrolled from an address of its own: the fuzz above spent 127.0.0.1's enrolment allowance.
    const enrolled = await send({
      method: 'POST',
      path: ENROL_PATH,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ code, hostname: 'pc-fuzz', agentVersion: '1.0.0' })),
      from: '127.0.0.2',
    });
    expect(enrolled.status).toBe(200);
    const { agentId, secret } = JSON.parse(enrolled.body) as { agentId: string; secret: string };

    const isoRecent = fc.integer({ min: -86_400_000, max: 60_000 }).map((ms) => new Date(Date.now() + ms).toISOString());
    const result = fc.record(
      {
        check: fc.oneof(fc.stringMatching(/^[\w.-]{1,64}$/), nastyString),
        kind: fc.oneof(fc.constantFrom(...CHECK_KINDS), anyValue),
        target: nastyString.map((t) => t.slice(0, 300)),
        status: fc.oneof(fc.constantFrom(...CHECK_STATUSES), anyValue),
        value: fc.oneof(fc.double(), fc.constant(null), anyValue),
        unit: fc.oneof(fc.constant(null), fc.string({ maxLength: 16 })),
        message: nastyString.map((t) => t.slice(0, 2_000)),
        observedAt: fc.oneof(isoRecent, anyValue),
        forSeconds: fc.oneof(fc.nat(100_000), anyValue),
        recoverySeconds: fc.nat(100_000),
        evidence: fc.record(
          {
            lines: fc.array(
              nastyString.map((t) => t.slice(0, 500)),
              { maxLength: 5 },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['check', 'kind', 'target', 'status', 'value', 'unit', 'message', 'observedAt', 'forSeconds', 'recoverySeconds'] },
    );
    const report = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({
        agentVersion: fc.oneof(fc.constant('1.0.0'), nastyString),
        heartbeat: fc.oneof(fc.record({ periodSeconds: fc.integer({ min: 1, max: 86_400 }), graceSeconds: fc.nat(86_400) }), anyValue),
        droppedBatches: fc.oneof(fc.nat(), anyValue),
        batches: fc.array(
          fc.record({
            id: fc.oneof(fc.uuid(), anyValue),
            createdAt: fc.oneof(isoRecent, anyValue),
            results: fc.array(result, { maxLength: 4 }),
          }),
          {
            maxLength: 3,
          },
        ),
      }),
    );
    const signed: fc.Arbitrary<FuzzRequest> = report.map((payload) => {
      const body = JSON.stringify(payload) ?? 'null';
      const timestamp = String(Date.now());
      const nonce = randomBytes(16).toString('hex');
      return {
        method: 'POST',
        path: REPORT_PATH,
        headers: {
          'content-type': 'application/json',
          [AGENT_HEADERS.agent]: agentId,
          [AGENT_HEADERS.timestamp]: timestamp,
          [AGENT_HEADERS.nonce]: nonce,
          [AGENT_HEADERS.signature]: signRequest(secret, timestamp, nonce, body),
        },
        body: Buffer.from(body),
      };
    });
    const statuses = new Map<string, number>();
    const started = performance.now();
    // The ingest allows an agent a burst of 30 reports: past it, 429 — a fair answer, but no longer a parse.
    const runs = 30;
    await fc.assert(
      fc.asyncProperty(signed, async (r) => {
        const answer = await send(r);
        tally(statuses, r, answer.status);
        if (answer.status >= 500) throw new Error(`${answer.status} ${answer.body} ← ${describeRequest(r)}`);
      }),
      { numRuns: runs },
    );
    await healthy();
    console.log(
      `http fuzz (signed agent reports): ${runs} requests in ${((performance.now() - started) / 1000).toFixed(1)} s; ${summary(statuses)}`,
    );
  }, 120_000);
});
