/**
 * Slack's Web API over node:http(s) on kept-alive connections, two ways:
 *
 * - `slackFetch`, the Web API client's `fetch` (its `fetch` option): the calls it makes — a
 *   form-encoded POST with a plain header object and `redirect: 'error'` — go out here; anything
 *   else (a multipart upload) goes to the global `fetch`. Node's fetch builds a Request, Headers
 *   and body streams for every call: ~0.3 ms of CPU a call. The answer is what fetch would give
 *   the client: the status, the headers, the body (decoded if compressed), a redirect rejected
 *   as a network error; a failure or the signal's timeout rejects (the client makes a
 *   `WebAPIRequestError` of it, as of fetch's errors).
 * - `callWebApi`, the sender's posts without the client's per-call work (see there).
 */
import http from 'node:http';
import https from 'node:https';
import { stringify as stringifyQuery } from 'node:querystring';
import zlib from 'node:zlib';
import { webApi } from '@slack/bolt';

type FetchResponse = Awaited<ReturnType<webApi.FetchFunction>>;

/** Sockets idle this long are closed by us before a server closes them under a new request. */
const IDLE_MS = 4_000;

const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
} as const;

/** fetch's `Headers`, as far as the client reads them, over node's. */
class AnswerHeaders implements Pick<FetchResponse['headers'], 'get' | 'entries'> {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const v = this.get(name);
      if (v !== null) yield [name, v];
    }
  }
}

const utf8 = new TextDecoder();

/** fetch's `Response`, as far as the client reads it. */
class Answer implements FetchResponse {
  readonly ok: boolean;
  readonly headers: AnswerHeaders;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    headers: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = new AnswerHeaders(headers);
  }

  private take(): Buffer {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.body;
  }

  async text(): Promise<string> {
    // As fetch: a leading BOM is dropped.
    return utf8.decode(this.take());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  }
}

/** The body as fetch hands it over: decompressed per `content-encoding` (not asked for, but a proxy may). */
function decoded(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length === 0) return body;
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      // As fetch: zlib-wrapped or raw.
      return body[0] !== undefined && (body[0] & 0x0f) === 0x08 ? zlib.inflateSync(body) : zlib.inflateRawSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const USER_AGENT = `sportello node/${process.version.replace(/^v/, '')}`;

/**
 * One POST over node:http(s) on a kept-alive connection, resolving with the whole answer.
 * Rejects (a `TypeError` as fetch's) on a network failure, a redirect or a cut answer; with the
 * signal's reason once it aborts; with a `TimeoutError` after `timeoutMs`.
 */
function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  limit: { readonly signal?: AbortSignal | undefined; readonly timeoutMs?: number },
): Promise<Answer> {
  const protocol = /^https:/i.test(url) ? 'https:' : 'http:';
  const request = protocol === 'https:' ? https.request : http.request;
  const { signal, timeoutMs } = limit;
  return new Promise<Answer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let settled = false;
    let req: http.ClientRequest | undefined;
    const settle = () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settle();
      req?.destroy();
      reject(err);
    };
    const onAbort = () => fail(signal?.reason ?? new DOMException('This operation was aborted', 'AbortError'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => fail(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
    try {
      // Throws at once on a header node refuses or a URL it cannot take: a failed call, not a
      // `req` the timer or the signal would later touch uninitialised.
      req = request(url, { method: 'POST', agent: agents[protocol], headers }, (res) => {
        const status = res.statusCode ?? 0;
        // As fetch's `redirect: 'error'`: any redirect status, with or without a Location.
        if (REDIRECTS.has(status)) {
          res.resume();
          return fail(new TypeError('fetch failed', { cause: new Error('unexpected redirect') }));
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(new TypeError('fetch failed', { cause: new Error('the answer was cut off') })));
        res.on('end', () => {
          if (settled) return;
          let answer: Buffer;
          try {
            answer = decoded(Buffer.concat(chunks), res.headers['content-encoding']);
          } catch (err) {
            return fail(new TypeError('fetch failed', { cause: err }));
          }
          settle();
          resolve(new Answer(url, status, res.statusMessage ?? '', res.headers, answer));
        });
      });
    } catch (err) {
      return fail(new TypeError('fetch failed', { cause: err }));
    }
    // A network error names the host, never the token (it is in a header).
    req.on('error', (err) => fail(new TypeError('fetch failed', { cause: err })));
    req.end(body);
  });
}

/**
 * `fetch`, the way the Web API client calls it, over node:http(s) (see the top of the file);
 * any other call is the global `fetch`'s.
 */
export const slackFetch: webApi.FetchFunction = (input, init) => {
  const url = typeof input === 'string' ? input : input.href;
  const body = init?.body;
  if (!/^https?:/i.test(url) || typeof body !== 'string' || init?.method !== 'POST' || init.redirect !== 'error')
    // What the client does without this option (Node's Headers has `entries`; the DOM typings lack it).
    return fetch(input, init) as unknown as Promise<FetchResponse>;
  const data = Buffer.from(body, 'utf8');
  const headers: Record<string, string> = { 'content-type': 'text/plain;charset=UTF-8' };
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = String(v);
  headers['content-length'] = String(data.length);
  headers.accept ??= '*/*';
  return post(url, headers, data, { signal: init.signal });
};

/** The Web API client's form encoding (its `serializeBody` without files): objects and arrays as JSON. */
function formBody(args: Readonly<Record<string, unknown>>): string {
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    fields[key] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return stringifyQuery(fields);
}

/**
 * A Web API method called as `client.apiCall(method, args)` would call it with the adapter's
 * options (`slackClientOptions`: no retries, rate limits rejected, a deadline), the same form
 * body (only the User-Agent and Accept headers differ) and the same result or error (`WebAPIPlatformError`, `WebAPIRateLimitedError`,
 * `WebAPIHTTPError`, `WebAPIRequestError`), without the client's per-call work (its queue, retry
 * wrapper, deadline signal and debug strings): with a reply posted for every Slack event that
 * was ~0.3 ms of CPU a call. For the sender's posts; not for file uploads.
 */
export async function callWebApi(
  client: Pick<webApi.WebClient, 'token' | 'slackApiUrl'>,
  method: string,
  args: Readonly<Record<string, unknown>>,
  timeoutMs: number,
): Promise<webApi.WebAPICallResult> {
  const url = `${client.slackApiUrl}${method}`;
  const body = Buffer.from(formBody(args), 'utf8');
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(body.length),
    accept: '*/*',
    'user-agent': USER_AGENT,
    ...(client.token ? { authorization: `Bearer ${client.token}` } : {}),
  };
  let res: Answer;
  try {
    res = await post(url, headers, body, { timeoutMs });
  } catch (err) {
    throw new webApi.WebAPIRequestError(err instanceof Error ? err : new Error(String(err)));
  }
  if (res.status === 429) {
    const header = res.headers.get('retry-after');
    const retryAfter = header === null ? Number.NaN : Number.parseInt(header, 10);
    if (!Number.isNaN(retryAfter)) throw new webApi.WebAPIRateLimitedError(retryAfter);
    throw new Error(`Retry header did not contain a valid timeout (url: ${url}, retry-after header: ${header})`);
  }
  const text = await res.text();
  if (res.status !== 200) throw new webApi.WebAPIHTTPError(res.status, res.statusText, Object.fromEntries(res.headers.entries()), text);
  let data: webApi.WebAPICallResult;
  try {
    data = JSON.parse(text) as webApi.WebAPICallResult;
  } catch {
    data = { ok: false, error: text } as webApi.WebAPICallResult;
  }
  data.response_metadata ??= {};
  if (!data.ok) throw new webApi.WebAPIPlatformError(data as webApi.WebAPICallResult & { error: string });
  return data;
}
