/**
 * The HTTP server: node:http with a tiny router and the built-in health and metrics endpoints.
 * Adapters add their routes once the database is ready; routes and the helpers they share
 * (body reading, JSON answers, errors) come from the adapter kit, bots/kit/.
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from '../bots/kit/http-response.ts';
import { answerError, type HttpRoute } from '../bots/kit/http-route.ts';

export type HealthResult = { ok: true; details?: object } | { ok: false; reason: string };

/** What `GET /metrics` serves; `Metrics` from metrics.ts fits. */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

/** The logging the server needs; a pino logger fits. */
export interface HttpLog {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HttpServerOptions {
  readonly log: HttpLog;
  readonly routes?: readonly HttpRoute[];
  readonly health: () => Promise<HealthResult>;
  readonly metrics: MetricsSource;
  /**
   * false: until `markReady()`, a path no route serves yet is answered 503 with Retry-After (the
   * adapters mount their webhooks only once the database is up; a 404 would tell a platform the
   * URL is wrong, a 503 makes it deliver again). Default true.
   */
  readonly startsReady?: boolean;
}

/** Seconds a caller is asked to wait, with a 503, while the process is still starting. */
export const STARTING_RETRY_AFTER_SECONDS = 2;

export interface HttpServer {
  readonly server: Server;
  /** Adds routes; later routes never shadow earlier ones with the same method and path. */
  addRoutes(routes: readonly HttpRoute[]): void;
  /** Every route is mounted: a path none serves is a 404 from now on (it was a 503). */
  markReady(): void;
  /** Listens on `port` (0: any free one) and resolves with the port actually bound. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs` (default
   * 5 s), then drops whatever remains.
   */
  close(graceMs?: number): Promise<void>;
}

/** Builds the server (not yet listening) with `/healthz`, `/metrics` and `opts.routes`. */
export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const { log } = opts;
  const routes: HttpRoute[] = [
    { method: 'GET', path: '/healthz', handle: (_req, res) => serveHealth(res, opts.health) },
    {
      method: 'GET',
      path: '/metrics',
      async handle(_req, res) {
        const body = await opts.metrics.render();
        res.writeHead(200, { 'content-type': opts.metrics.contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
    },
    ...(opts.routes ?? []),
  ];
  let ready = opts.startsReady ?? true;

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    // Not `new URL(req.url, base)`: a path such as `//host/x` would be read as another host.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.once('finish', () =>
      log.debug({ method, path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'http request'),
    );
    // Kit routes answer their own failures; this catches the others' (the built-in ones, tests').
    void dispatch(routes, req, res, method, path, ready).catch((err: unknown) => answerError(req, res, err, log));
  });
  // A client that opens a connection and never sends a full request must not hold it forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  return {
    server,
    addRoutes(more) {
      routes.push(...more);
    },
    markReady() {
      ready = true;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close(graceMs = 5_000) {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        log.warn({ graceMs }, 'closing http connections still open');
        server.closeAllConnections();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

async function dispatch(
  routes: readonly HttpRoute[],
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  ready: boolean,
): Promise<void> {
  const allowed = new Set<string>();
  for (const route of routes) {
    const match = matchPath(route.path, path);
    if (match === undefined) continue;
    // HEAD is served by GET routes; node:http leaves the body out by itself.
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
      await route.handle(req, res, match);
      return;
    }
    allowed.add(route.method);
  }
  req.resume();
  if (!ready && allowed.size === 0)
    return sendJson(
      res,
      503,
      { error: 'starting', message: 'the server is starting: try again shortly' },
      { 'retry-after': String(STARTING_RETRY_AFTER_SECONDS) },
    );
  if (allowed.size > 0) return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: [...allowed].join(', ') });
  sendJson(res, 404, { error: 'not_found' });
}

/** null: matched a string path; a match array for a RegExp; undefined: no match. */
function matchPath(pattern: string | RegExp, path: string): RegExpExecArray | null | undefined {
  if (typeof pattern === 'string') return pattern === path ? null : undefined;
  pattern.lastIndex = 0;
  return pattern.exec(path) ?? undefined;
}

async function serveHealth(res: ServerResponse, health: () => Promise<HealthResult>): Promise<void> {
  let result: HealthResult;
  try {
    result = await health();
  } catch (err) {
    result = { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (result.ok) sendJson(res, 200, { status: 'ok', ...result.details });
  else sendJson(res, 503, { status: 'unavailable', reason: result.reason });
}
