/**
 * `POST /telegram/webhook` on the app's HTTP server, a kit JSON route (bots/kit/http-route.ts):
 * Telegram sends the secret given to setWebhook in `X-Telegram-Bot-Api-Secret-Token`; without
 * it (401) or with another (403) the body is not read. The answer comes after the update was
 * handled: a 5xx makes Telegram deliver it again, and the engine's dedupe absorbs any repeat.
 * A 200 may carry one Bot API call for Telegram to make (a "webhook reply"), whose result
 * nobody sees: only for calls whose result we do not need.
 */
import { HttpError } from '../kit/http-error.ts';
import { sendJson } from '../kit/http-response.ts';
import { type HttpRoute, jsonRoute } from '../kit/http-route.ts';
import { secretMatcher } from '../kit/secret-matches.ts';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const MAX_BODY_BYTES = 1024 * 1024;

const isUpdate = (x: unknown): x is { update_id: number } =>
  typeof x === 'object' && x !== null && Number.isSafeInteger((x as { update_id?: unknown }).update_id);

/** A Bot API call made by Telegram on our behalf, given in the webhook's answer. */
export interface WebhookReply {
  readonly method: string;
  readonly [param: string]: unknown;
}

/**
 * The webhook route; `handleUpdate` resolves once the update is handled (with a call to answer
 * with, if any), and rejects to ask for a redelivery.
 */
export function webhookRoute(opts: {
  readonly secret: string;
  readonly handleUpdate: (update: { update_id: number }) => Promise<WebhookReply | undefined>;
  readonly log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}): HttpRoute {
  const matches = secretMatcher(opts.secret);
  return jsonRoute({
    path: TELEGRAM_WEBHOOK_PATH,
    limitBytes: MAX_BODY_BYTES,
    log: opts.log,
    authorize(req) {
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== 'string' || given === '') throw new HttpError(401, 'unauthenticated', 'missing secret token');
      if (!matches(given)) {
        opts.log.warn({ remote: req.socket.remoteAddress }, 'telegram webhook: wrong secret token');
        throw new HttpError(403, 'forbidden', 'wrong secret token');
      }
    },
    parse(json) {
      if (!isUpdate(json)) throw new HttpError(400, 'invalid_payload', 'not an update');
      return json;
    },
    async handle(update, _req, res) {
      let reply: WebhookReply | undefined;
      try {
        reply = await opts.handleUpdate(update);
      } catch (err) {
        opts.log.error({ err: String(err), updateId: update.update_id }, 'telegram webhook: update not handled; Telegram will retry');
        throw new HttpError(500, 'not_handled', 'update not handled');
      }
      // A reply's content type exactly as Telegram documents it (and Telegraf sends it).
      if (reply) sendJson(res, 200, reply, { 'content-type': 'application/json' });
      else sendJson(res, 200, {});
    },
  });
}
