/**
 * The monitoring agents' door into the app's HTTP server:
 *
 * - `POST /agent/v1/enroll` — a one-time enrolment code (made in chat) for the agent's id and
 *   signing secret. A wrong code answers 401; malformed requests 400; rate limited per address.
 * - `POST /agent/v1/report` — a signed report (heartbeat, facts, batches of check results).
 *   Unauthenticated, forged, stale or replayed → 401 and nothing stored; malformed → 400 with
 *   the reason; over the agent's rate → 429 with Retry-After; otherwise the report is stored and
 *   evaluated in one transaction (`core/alerts/ingest.ts`), shared with other agents' reports
 *   that arrived meanwhile (`agent-ingest-batcher.ts`), answered once it has committed, and its
 *   messages are delivered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../bots/kit/http-error.ts';
import { sendJson } from '../bots/kit/http-response.ts';
import type { HttpRoute } from '../bots/kit/http-route.ts';
import { parseJson, readBody } from '../bots/kit/read-body.ts';
import { enrolAgent } from '../core/alerts/enrolment.ts';
import { ConfigurationItemRef } from '../core/alerts/model.ts';
import {
  AGENT_HEADERS,
  CHECK_KINDS,
  CHECK_STATUSES,
  ENROL_PATH,
  LIMITS,
  MAX_CLOCK_SKEW_MS,
  REPORT_PATH,
  verifyRequest,
  type WireEnrolRequest,
  type WireEnrolResponse,
  type WireReport,
  type WireReportResponse,
} from '../core/alerts/protocol.ts';
import { DomainError } from '../core/kernel/errors.ts';
import type { Locale } from '../core/kernel/i18n.ts';
import type { Clock, Store, Written } from '../core/kernel/ports.ts';
import { storableText } from '../core/kernel/sanitize.ts';
import { AgentIngestBatcher, type GroupCommitOptions } from './agent-ingest-batcher.ts';
import { type TokenBucketOptions, TokenBuckets } from './token-bucket.ts';

export interface AgentIngestOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  readonly log: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** Told what each report or enrolment committed (outbox rows, SLA events of an incident), to wake only that. */
  readonly onWritten?: (written: Written) => void;
  /** Per agent; default 30 requests, refilled one every 2 s. */
  readonly reportRate?: TokenBucketOptions;
  /** Per client address (code guessing); default 10, refilled one a minute. */
  readonly enrolRate?: TokenBucketOptions;
  /** How concurrent agents' reports are grouped into transactions (`agent-ingest-batcher.ts`). */
  readonly groupCommit?: GroupCommitOptions;
}

const text = (max: number) => z.string().min(1).max(max);
const seconds = z
  .number()
  .int()
  .min(0)
  .max(7 * 86_400);
const facts = z.object({
  hostname: text(100),
  os: z.object({ platform: text(40), release: text(100), distro: text(100).optional(), arch: text(40) }),
  cpu: z.object({ model: z.string().max(200), cores: z.number().int().min(1).max(4096) }),
  memoryBytes: z.number().min(0),
  disks: z.array(z.object({ mount: text(LIMITS.targetChars), sizeBytes: z.number().min(0), usedBytes: z.number().min(0) })).max(64),
  uptimeSeconds: z.number().min(0).optional(),
});
const heartbeat = z.object({ periodSeconds: z.number().int().min(1).max(86_400), graceSeconds: seconds });
const result = z.object({
  check: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, . _ - (at most 64)'),
  kind: z.enum(CHECK_KINDS),
  target: text(LIMITS.targetChars),
  status: z.enum(CHECK_STATUSES),
  value: z.number().nullable(),
  unit: z.string().max(16).nullable(),
  message: z.string().max(LIMITS.messageChars),
  observedAt: z.iso.datetime({ offset: true }),
  forSeconds: seconds,
  recoverySeconds: seconds,
  evidence: z
    .object({
      lines: z.array(z.string().max(LIMITS.evidenceLineChars)).max(LIMITS.evidenceLines).optional(),
      details: z.record(z.string().max(40), z.union([z.string().max(200), z.number()])).optional(),
    })
    .optional(),
});
const reportSchema = z.object({
  agentVersion: text(40),
  heartbeat,
  facts: facts.optional(),
  droppedBatches: z.number().int().min(0).optional(),
  batches: z
    .array(z.object({ id: z.uuid(), createdAt: z.iso.datetime({ offset: true }), results: z.array(result).max(LIMITS.resultsPerBatch) }))
    .max(LIMITS.batchesPerReport),
});
const enrolSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9]{4,16}$/, 'the code from chat'),
  hostname: text(100),
  agentVersion: text(40),
  heartbeat: heartbeat.optional(),
  facts: facts.optional(),
});

/**
 * A log line with a NUL byte, an emoji cut in half by the agent's truncation: replaced
 * (`storableText`), so such a report is stored instead of failing with 500 for ever and blocking
 * the agent's buffer behind it.
 */
function storable(v: unknown): unknown {
  if (typeof v === 'string') return storableText(v);
  if (Array.isArray(v)) return v.map(storable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, storable(x)]));
  return v;
}

/**
 * 400 with every problem of the payload, one `path: message` each. A NUL or an unpaired
 * surrogate can only come from a `\u` escape (JSON forbids raw control characters, and bytes
 * that are not UTF-8 decode as U+FFFD): a body without one is stored as parsed, not walked.
 */
function parsePayload<T>(schema: z.ZodType<T>, body: Buffer | string): T {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const json = parseJson(text);
  const parsed = schema.safeParse(text.includes('\\u') ? storable(json) : json);
  if (!parsed.success) {
    const reasons = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new HttpError(400, 'invalid_payload', reasons.join('; '));
  }
  return parsed.data;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined;
};

const unauthorized = (code: string, message: string) => new HttpError(401, code, message);

/** Agents whose signing secret is kept in memory (the oldest forgotten first beyond this). */
const SECRETS_CACHED = 10_000;

export function agentIngestRoutes(opts: AgentIngestOptions): HttpRoute[] {
  const reportLimiter = new TokenBuckets(opts.reportRate ?? { capacity: 30, refillPerSecond: 0.5 });
  const enrolLimiter = new TokenBuckets(opts.enrolRate ?? { capacity: 10, refillPerSecond: 1 / 60 });
  // Once committed: most reports write no outbox row and no SLA event, and then wake nothing.
  const wakeOnCommit = { onCommit: (written: Written) => opts.onWritten?.(written) };
  // Concurrent agents' reports stored together, each answered once its group has committed.
  const reports = new AgentIngestBatcher({ ...opts.groupCommit, ...opts });

  // The signing secret of each agent that reported lately: an agent's secret never changes (a
  // new enrolment is a new agent), so a report costs no read of the agent before its
  // transaction. Revocation needs no cache invalidation: the transaction's first statement
  // (`openReports`) refuses a revoked agent under its row lock, and the entry is dropped then.
  const secrets = new Map<string, string>();
  // The first report after a start reads the secrets of the agents seen last (up to the cache's
  // size) in one query: a server restarted under the fleet's load would otherwise read them one
  // report at a time, each read taking a connection of the pool while the reports queue behind.
  let warming: Promise<void> | undefined;
  const warm = (): Promise<void> =>
    (warming ??= opts.store.monitoring.listAgentSecrets(SECRETS_CACHED).then(
      (list) => {
        // Oldest seen first: the map drops its first entries when full, so the most active go last.
        for (const a of list.reverse()) if (secrets.size < SECRETS_CACHED && !secrets.has(a.id)) secrets.set(a.id, a.secret);
      },
      (err: unknown) => {
        warming = undefined; // the next report tries again; this one reads its agent alone
        opts.log.warn({ err }, "reading the agents' signing secrets failed");
      },
    ));
  const secretOf = async (agentId: string): Promise<string | undefined> => {
    const known = secrets.get(agentId);
    if (known) return known;
    await warm();
    const warmed = secrets.get(agentId);
    if (warmed) return warmed;
    const agent = await opts.store.monitoring.findAgent(agentId);
    if (!agent || agent.revokedAt) return undefined;
    if (secrets.size >= SECRETS_CACHED) secrets.delete(secrets.keys().next().value as string);
    secrets.set(agentId, agent.secret);
    return agent.secret;
  };

  const limit = (limiter: TokenBuckets, key: string): void => {
    const r = limiter.take(key, opts.clock.now().getTime());
    if (!r.ok)
      throw new HttpError(429, 'rate_limited', `too many requests; retry in ${r.retryAfterSeconds} s`, {
        'retry-after': String(r.retryAfterSeconds),
      });
  };

  async function report(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, LIMITS.bodyBytes);
    const agentId = header(req, AGENT_HEADERS.agent);
    const timestamp = header(req, AGENT_HEADERS.timestamp);
    const nonce = header(req, AGENT_HEADERS.nonce);
    const signature = header(req, AGENT_HEADERS.signature);
    if (!agentId || !timestamp || !nonce || !signature) throw unauthorized('unauthenticated', 'signed request headers missing');
    const secret = await secretOf(agentId);
    // An unknown agent and a bad signature answer alike: ids reveal nothing.
    const text = body.toString('utf8');
    if (!secret || !verifyRequest(secret, timestamp, nonce, text, signature))
      throw unauthorized('bad_signature', 'the request signature does not match');
    const ts = /^\d{10,16}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!(Math.abs(opts.clock.now().getTime() - ts) <= MAX_CLOCK_SKEW_MS))
      throw unauthorized('stale_request', 'the request timestamp is outside the allowed window (check the machine clock)');
    if (!/^[\w-]{16,128}$/.test(nonce)) throw unauthorized('bad_nonce', 'the nonce must be 16-128 characters of A-Z a-z 0-9 _ -');
    limit(reportLimiter, agentId);

    const payload = parsePayload(reportSchema, text) as WireReport;
    const latest = opts.clock.now().getTime() + MAX_CLOCK_SKEW_MS;
    const future = payload.batches.flatMap((b) => b.results).find((r) => Date.parse(r.observedAt) > latest);
    if (future) throw new HttpError(400, 'invalid_payload', `observedAt ${future.observedAt} is in the future`);

    const outcome = await reports.ingest({ agentId, nonce, report: payload });
    if (outcome.kind === 'replay') throw unauthorized('replayed', 'this request was already received');
    if (outcome.kind === 'unknown_agent') {
      secrets.delete(agentId); // revoked meanwhile
      throw unauthorized('bad_signature', 'the request signature does not match');
    }
    const answer: WireReportResponse = { accepted: outcome.accepted, duplicates: outcome.duplicates, results: outcome.results };
    sendJson(res, 200, answer);
  }

  async function enrol(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 64 * 1024);
    limit(enrolLimiter, req.socket.remoteAddress ?? 'unknown');
    const payload = parsePayload(enrolSchema, body) as WireEnrolRequest;
    try {
      const r = await opts.store.transaction(
        (repos) => enrolAgent({ repos, clock: opts.clock, defaultLocale: opts.defaultLocale }, payload),
        wakeOnCommit,
      );
      opts.log.info({ agentId: r.agent.id, organisation: r.organisation.id, name: r.agent.name }, 'monitoring agent enrolled');
      const answer: WireEnrolResponse = {
        agentId: r.agent.id,
        secret: r.secret,
        organisation: r.organisation.name,
        configurationItem: ConfigurationItemRef.format(r.item.number),
      };
      sendJson(res, 200, answer);
    } catch (err) {
      if (DomainError.is(err, 'invalid_code')) throw unauthorized('invalid_code', 'the enrolment code is invalid, used or expired');
      throw err;
    }
  }

  // Mounted on the app's server, whose dispatcher answers what they throw (bots/kit/http-route.ts).
  return [
    { method: 'POST', path: REPORT_PATH, handle: report },
    { method: 'POST', path: ENROL_PATH, handle: enrol },
  ];
}
