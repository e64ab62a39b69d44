/**
 * Bot API calls with a deadline. Telegraf's own limit is 500 s per request; a call stuck that
 * long would stall polling or outlive the outbox lease (and another worker would send again).
 *
 * Calls whose payload is plain JSON (every call but a photo upload) go out over node:http(s)
 * on a kept-alive connection (`postBuffered`), as Telegraf would send them but without node-fetch's Request,
 * Headers and body streams: one reply per update, this is a good share of the adapter's CPU.
 * The answer is read as Telegraf reads it: a 5xx or `ok: false` is a `TelegramError` with the
 * Bot API's code, description and parameters; no answer (network, timeout) is any other error.
 */
import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Telegram as Methods, Opts } from 'telegraf/types';
import { postBuffered } from '../kit/http-post.ts';

type CallOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

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
async function postJson(telegram: Telegram, method: string, payload: object, timeoutMs: number): Promise<unknown> {
  const url = methodUrl(telegram, method);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`telegram ${method}: unsupported API root protocol ${url.protocol}`);
  const body = Buffer.from(JSON.stringify(payload, replacer));
  // A plain timer, not `AbortSignal.timeout`: the signal and its abort listener cost ~25 µs a call.
  const res = await postBuffered(url, { 'content-type': 'application/json', 'content-length': String(body.length) }, body, { timeoutMs });
  if (res.status >= 500) throw new TelegramError({ error_code: res.status, description: res.statusMessage }, { method, payload });
  let data: { ok?: boolean; result?: unknown; error_code: number; description: string } | null;
  try {
    data = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new Error(`telegram ${method}: answer ${res.status} is not JSON`);
  }
  // Not an object (`null`, a number): no Bot API answer, an error to retry.
  if (typeof data !== 'object' || data === null) throw new Error(`telegram ${method}: answer ${res.status} is not a Bot API answer`);
  if (data.ok) return data.result;
  throw new TelegramError(data, { method, payload });
}

/** `telegram.callApi(method, payload)`, aborted after `timeoutMs`. */
export function callBotApi<M extends keyof Methods>(
  telegram: Telegram,
  method: M,
  payload: Opts<M>,
  timeoutMs: number,
): Promise<ReturnType<Methods[M]>> {
  if (!hasFile(payload)) return postJson(telegram, method, payload, timeoutMs) as Promise<ReturnType<Methods[M]>>;
  // Telegraf types the signal as the abort-controller polyfill's; node-fetch accepts Node's own.
  const signal = AbortSignal.timeout(timeoutMs) as unknown as CallOptions['signal'];
  return telegram.callApi(method, payload, { signal });
}
