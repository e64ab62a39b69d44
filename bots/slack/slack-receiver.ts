import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { verifySlackSignature } from './slack-signature.ts';

/** Structurally the app's HttpRoute: bots/ does not import app/. */
export interface SlackRoute {
  readonly method: string;
  readonly path: string | RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray | null): void | Promise<void>;
}

export interface ReceiverLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SlackRouteReceiverOptions {
  readonly signingSecret: string;
  readonly log: ReceiverLog;
  /** Default `/slack/events`. */
  readonly path?: string;
  readonly now?: () => number;
}

// Slack's payloads are a few kilobytes; anything near this is not Slack.
const BODY_LIMIT = 1024 * 1024;
// Slack gives up after 3 s; answer before it does even if no listener acknowledged.
const ACK_DEADLINE_MS = 2500;

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new BodyTooLarge('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function respond(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || body === '') {
    res.writeHead(status, { 'content-length': 0 });
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

/** Events are JSON; interactions are a form with one `payload` JSON field; slash commands are form fields. */
function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    const form = parseQuery(text);
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
    return form;
  }
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
  return v as Record<string, unknown>;
}

/**
 * A Bolt `Receiver` that is a route on the app's own HTTP server instead of a server of its
 * own. It reads the raw body, checks Slack's signature and timestamp (401 otherwise, before
 * anything is parsed or stored), answers `url_verification` and `ssl_check` itself, and hands
 * everything else to `app.processEvent` with an `ack` that writes the HTTP response.
 */
export class SlackRouteReceiver implements Receiver {
  private app: App | undefined;
  private closed = false;

  constructor(private readonly opts: SlackRouteReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** The route is served by the app's HTTP server: nothing to listen on. */
  start(): Promise<void> {
    this.closed = false;
    return Promise.resolve();
  }

  /** Later requests get 503, so Slack retries them against a running instance. */
  stop(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  get route(): SlackRoute {
    return { method: 'POST', path: this.opts.path ?? '/slack/events', handle: (req, res) => this.handle(req, res) };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.closed || !this.app) return respond(res, 503);
    let raw: Buffer;
    try {
      raw = await readRawBody(req);
    } catch (err) {
      return respond(res, err instanceof BodyTooLarge ? 413 : 400);
    }
    const contentType = header(req, 'content-type');
    // Slack's certificate probe is unsigned and carries nothing to process.
    if (contentType?.startsWith('application/x-www-form-urlencoded') && parseQuery(raw.toString('utf8')).ssl_check === '1') return respond(res, 200);

    const signed = verifySlackSignature({
      signingSecret: this.opts.signingSecret,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      rawBody: raw,
      nowMs: (this.opts.now ?? Date.now)(),
    });
    if (!signed) {
      this.opts.log.warn({ path: req.url, ip: req.socket.remoteAddress }, 'slack request with a bad signature or timestamp refused');
      return respond(res, 401);
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, contentType);
    } catch {
      return respond(res, 400);
    }
    if (body.type === 'url_verification') return respond(res, 200, { challenge: body.challenge });

    let acked = false;
    const answer = (response?: unknown): void => {
      if (acked) return;
      acked = true;
      clearTimeout(deadline);
      respond(res, 200, response);
    };
    // Bolt acks Events API requests before running the listeners; we hold that answer until
    // the listeners are done, so a failure can still answer 500 and Slack redelivers.
    const isEvent = body.type === 'event_callback';
    const ack = async (response?: unknown): Promise<void> => {
      if (!isEvent) answer(response);
    };
    const deadline = setTimeout(() => answer(), ACK_DEADLINE_MS);
    const retry = header(req, 'x-slack-retry-num');
    const reason = header(req, 'x-slack-retry-reason');
    const event: ReceiverEvent = {
      body,
      ack,
      ...(retry && /^\d+$/.test(retry) ? { retryNum: Number(retry) } : {}),
      ...(reason ? { retryReason: reason } : {}),
    };
    try {
      await this.app.processEvent(event);
    } catch (err) {
      this.opts.log.error({ err: String(err) }, 'slack event processing failed');
      if (!acked) {
        acked = true;
        clearTimeout(deadline);
        respond(res, 500);
      }
      return;
    }
    // Done (or no listener took it: an event or action we do not use): say so, or Slack retries it.
    answer();
  }
}
