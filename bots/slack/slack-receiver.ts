import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { sendEmpty, sendJson, sendText } from '../kit/http-response.ts';
import { type HttpRoute, httpRoute, jsonObject } from '../kit/http-route.ts';
import { parseJson, readBody } from '../kit/read-body.ts';
import { verifySlackSignature } from './slack-signature.ts';

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

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What Bolt acknowledged with, as the HTTP answer: nothing, text, or JSON. */
function respond(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || body === '') sendEmpty(res, status);
  else if (typeof body === 'string') sendText(res, status, body);
  else sendJson(res, status, body);
}

/** Events are JSON; interactions are a form with one `payload` JSON field; slash commands are form fields. */
function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded') {
    const form = parseQuery(raw.toString('utf8'));
    return typeof form.payload === 'string' ? jsonObject(parseJson(form.payload)) : form;
  }
  return jsonObject(parseJson(raw));
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

  /** A kit route: an oversized (413), broken-off or unparsable (400) body is answered there. */
  get route(): HttpRoute {
    return httpRoute('POST', this.opts.path ?? '/slack/events', (req, res) => this.handle(req, res), this.opts.log);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.closed || !this.app) return respond(res, 503);
    const raw = await readBody(req, BODY_LIMIT);
    const contentType = header(req, 'content-type');
    // Slack's certificate probe is unsigned and carries nothing to process.
    if (contentType?.startsWith('application/x-www-form-urlencoded') && parseQuery(raw.toString('utf8')).ssl_check === '1')
      return respond(res, 200);

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

    const body = parseBody(raw, contentType);
    if (body.type === 'url_verification') return respond(res, 200, { challenge: body.challenge });
    // Every Slack payload names its type, or (a slash command) its command; Bolt throws on one
    // that does neither, which would answer 500 and have the sender retry it.
    if (typeof body.type !== 'string' && typeof body.command !== 'string') return respond(res, 400);

    let acked = false;
    const answer = (response?: unknown): void => {
      if (acked) return;
      acked = true;
      clearTimeout(deadline);
      respond(res, 200, response);
    };
    // Bolt acks Events API requests before running the listeners; we hold that answer until
    // `processEvent` resolved, which the adapter makes the moment the event is stored in its
    // inbox, so a failure to store it still answers 500 and Slack redelivers.
    const isEvent = body.type === 'event_callback';
    const ack = async (response?: unknown): Promise<void> => {
      if (!isEvent) answer(response);
    };
    // Events get no deadline: their 200 means "stored". A store slower than Slack's 3 s is
    // answered late (Slack retries meanwhile, and the retry finds it stored, or stores it), or 500.
    const deadline = isEvent ? undefined : setTimeout(() => answer(), ACK_DEADLINE_MS);
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
