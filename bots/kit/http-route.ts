/**
 * The route every adapter and the app hand to the app's node:http server, and the two ways to
 * build one so that it behaves like every other: a handler's failure is always answered (an
 * `HttpError` with its status, anything else logged and answered 500), even on a bare test
 * server; and a JSON route reads its body only once authorized, capped, and replies only after
 * it was handled, so a 5xx asks the platform to deliver again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.ts';
import { sendJson } from './http-response.ts';
import { readJson } from './read-body.ts';

/** One route. A string path matches the path exactly; a RegExp is run on it and its match passed on. */
export interface HttpRoute {
  readonly method: string;
  readonly path: string | RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray | null): void | Promise<void>;
}

/** Where unexpected handler failures go; a pino logger fits. */
export interface RouteLog {
  error(obj: object, msg?: string): void;
}

/**
 * Answers a handler's failure: an `HttpError` with its status, headers and `{ error, message }`;
 * anything else is logged and answered 500 `{ error: 'internal' }`. When the answer has already
 * begun the connection is dropped, so the client sees a failure rather than a truncated success.
 */
export function answerError(req: IncomingMessage, res: ServerResponse, err: unknown, log: RouteLog): void {
  let status = 500;
  let body: object = { error: 'internal' };
  let headers: Readonly<Record<string, string>> = {};
  if (err instanceof HttpError) {
    ({ status, headers } = err);
    body = { error: err.code, message: err.message };
  } else {
    log.error({ err, method: req.method, path: (req.url ?? '/').split('?')[0] }, 'http handler failed');
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // After a refused body the client may still be sending: do not keep the connection.
  sendJson(res, status, body, status === 413 ? { ...headers, connection: 'close' } : headers);
}

/** A route whose handler may throw: see `answerError`. */
export function httpRoute(method: string, path: string | RegExp, handle: HttpRoute['handle'], log: RouteLog): HttpRoute {
  return {
    method,
    path,
    async handle(req, res, match) {
      try {
        await handle(req, res, match);
      } catch (err) {
        answerError(req, res, err, log);
      }
    },
  };
}

export interface JsonRouteOptions<T> {
  /** Default POST. */
  readonly method?: string;
  readonly path: string | RegExp;
  /** Over this the answer is 413 (see read-body.ts). */
  readonly limitBytes: number;
  readonly log: RouteLog;
  /** Runs before the body is read: throw an `HttpError` (401, 403) to refuse without reading it. */
  readonly authorize?: (req: IncomingMessage) => void;
  /** The parsed JSON → the handler's input; throw `HttpError(400)` for anything else. */
  readonly parse: (json: unknown) => T;
  /** Handles the input and answers; a throw is answered by `answerError`. */
  readonly handle: (input: T, req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/** A route taking a JSON body: authorize, read (capped), parse, then handle, in that order. */
export function jsonRoute<T>(opts: JsonRouteOptions<T>): HttpRoute {
  return httpRoute(
    opts.method ?? 'POST',
    opts.path,
    async (req, res) => {
      opts.authorize?.(req);
      const input = opts.parse(await readJson(req, opts.limitBytes));
      await opts.handle(input, req, res);
    },
    opts.log,
  );
}

/** `json` when it is a JSON object, `HttpError(400)` otherwise: a `parse` for routes taking an object. */
export function jsonObject(json: unknown): Record<string, unknown> {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
  throw new HttpError(400, 'invalid_payload', 'expected a JSON object');
}
