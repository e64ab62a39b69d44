/**
 * Bot API calls with a deadline. Telegraf's own limit is 500 s per request; a call stuck that
 * long would stall polling or outlive the outbox lease (and another worker would send again).
 *
 * Calls whose payload is plain JSON (every call but a photo upload) go out over node:http(s)
 * on a kept-alive connection, as Telegraf would send them but without node-fetch's Request,
 * Headers and body streams: one reply per update, this is a good share of the adapter's CPU.
 * The answer is read as Telegraf reads it: a 5xx or `ok: false` is a `TelegramError` with the
 * Bot API's code, description and parameters; no answer (network, timeout) is any other error.
 */
import http from 'node:http';
import https from 'node:https';
import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Telegram as Methods, Opts } from 'telegraf/types';

type CallOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

const agents = {
  'http:': new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }),
  'https:': new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }),
} as const;

/** Telegraf's JSON serialisation: null and undefined fields are left out. */
const replacer = (_key: string, value: unknown) => (value == null ? undefined : value);

const isFile = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  (Boolean((v as { source?: unknown }).source) ||
    Boolean((v as { url?: unknown }).url) ||
    (typeof (v as { media?: unknown }).media === 'object' && isFile((v as { media: unknown }).media)));

/** Whether the payload holds a file to upload, which Telegraf sends as multipart (its `includesMedia`). */
const hasFile = (payload: object): boolean =>
  Object.entries(payload).some(([key, value]) =>
    key === 'link_preview_options'
      ? false
      : Array.isArray(value)
        ? value.some((v) => typeof v === 'object' && v !== null && isFile((v as { media?: unknown }).media))
        : isFile(value),
  );

/** The method's URL on `telegram`'s API root (as Telegraf builds it). */
function methodUrl(telegram: Telegram, method: string): URL {
  const { apiRoot, apiMode, testEnv } = telegram.options;
  return new URL(`./${apiMode}${telegram.token}${testEnv ? '/test' : ''}/${method}`, apiRoot);
}

/** One JSON call; resolves with `result`, rejects with a `TelegramError` or a network error. */
function postJson(telegram: Telegram, method: string, payload: object, signal: AbortSignal): Promise<unknown> {
  const url = methodUrl(telegram, method);
  const body = Buffer.from(JSON.stringify(payload, replacer));
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new Error(`telegram ${method}: unsupported API root protocol ${url.protocol}`));
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, signal, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 500) {
            reject(new TelegramError({ error_code: status, description: res.statusMessage ?? '' }, { method, payload }));
            return;
          }
          let data: { ok?: boolean; result?: unknown; error_code: number; description: string } | null;
          try {
            data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            reject(new Error(`telegram ${method}: answer ${status} is not JSON`));
            return;
          }
          // Not an object (`null`, a number): no Bot API answer, an error to retry (never a throw
          // in this listener, which nothing would catch).
          if (typeof data !== 'object' || data === null) reject(new Error(`telegram ${method}: answer ${status} is not a Bot API answer`));
          else if (data.ok) resolve(data.result);
          else reject(new TelegramError(data, { method, payload }));
        });
      },
    );
    // A network error names the host, never the path with the token.
    req.on('error', reject);
    req.end(body);
  });
}

/** `telegram.callApi(method, payload)`, aborted after `timeoutMs`. */
export function callBotApi<M extends keyof Methods>(
  telegram: Telegram,
  method: M,
  payload: Opts<M>,
  timeoutMs: number,
): Promise<ReturnType<Methods[M]>> {
  const signal = AbortSignal.timeout(timeoutMs);
  if (!hasFile(payload)) return postJson(telegram, method, payload, signal) as Promise<ReturnType<Methods[M]>>;
  // Telegraf types the signal as the abort-controller polyfill's; node-fetch accepts Node's own.
  return telegram.callApi(method, payload, { signal: signal as unknown as CallOptions['signal'] });
}
