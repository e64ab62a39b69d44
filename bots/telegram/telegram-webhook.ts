/**
 * `POST /telegram/webhook` on the app's HTTP server. Telegram sends the secret given to
 * setWebhook in `X-Telegram-Bot-Api-Secret-Token`; without it (401) or with another (403)
 * nothing is read further. The answer comes after the update was handled: a 5xx makes
 * Telegram deliver it again, and the engine's dedupe absorbs any repeat.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const MAX_BODY_BYTES = 1024 * 1024;

/** A route for the app's node:http server. */
export interface TelegramRoute {
  readonly method: string;
  readonly path: string | RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray | null): void | Promise<void>;
}

/** Constant-time, whatever the lengths: both sides are hashed to 32 bytes first. */
export function secretMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function answer(res: ServerResponse, status: number, body: object = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body, or undefined once it passed the limit (the rest is drained so we can still answer). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
}

const isUpdate = (x: unknown): x is { update_id: number } =>
  typeof x === 'object' && x !== null && Number.isSafeInteger((x as { update_id?: unknown }).update_id);

/** The webhook route; `handleUpdate` resolves once the update is handled, and rejects to ask for a redelivery. */
export function webhookRoute(opts: {
  readonly secret: string;
  readonly handleUpdate: (update: { update_id: number }) => Promise<void>;
  readonly log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}): TelegramRoute {
  return {
    method: 'POST',
    path: TELEGRAM_WEBHOOK_PATH,
    async handle(req, res) {
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== 'string' || given === '') return answer(res, 401, { error: 'missing secret token' });
      if (!secretMatches(given, opts.secret)) {
        opts.log.warn({ remote: req.socket.remoteAddress }, 'telegram webhook: wrong secret token');
        return answer(res, 403, { error: 'wrong secret token' });
      }
      const body = await readBody(req);
      if (!body) return answer(res, 413, { error: 'too large' });
      let update: unknown;
      try {
        update = JSON.parse(body.toString('utf8'));
      } catch {
        return answer(res, 400, { error: 'not JSON' });
      }
      if (!isUpdate(update)) return answer(res, 400, { error: 'not an update' });
      try {
        await opts.handleUpdate(update);
        answer(res, 200);
      } catch (err) {
        opts.log.error({ err: String(err), updateId: update.update_id }, 'telegram webhook: update not handled; Telegram will retry');
        answer(res, 500, { error: 'not handled' });
      }
    },
  };
}
