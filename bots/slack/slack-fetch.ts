/**
 * Slack's Web API over node:http(s) on kept-alive connections (`postBuffered`), two ways:
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
import type http from 'node:http';
import { stringify as stringifyQuery } from 'node:querystring';
import zlib from 'node:zlib';
import { webApi } from '@slack/bolt';
import { isCancellation, type PostAnswer, type PostLimit, postBuffered } from '../kit/http-post.ts';

type FetchResponse = Awaited<ReturnType<webApi.FetchFunction>>;

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
 * One POST (`postBuffered`) with fetch's outcomes: the answer decoded; a network failure, a
 * redirect or a cut answer rejected as a `TypeError`; the signal's reason once it aborts; a
 * `TimeoutError` after `timeoutMs`.
 */
async function post(url: string, headers: Record<string, string>, body: Buffer, limit: PostLimit): Promise<Answer> {
  let answer: PostAnswer;
  try {
    answer = await postBuffered(url, headers, body, limit);
  } catch (err) {
    throw isCancellation(err, limit) ? err : new TypeError('fetch failed', { cause: err });
  }
  // As fetch's `redirect: 'error'`: any redirect status, with or without a Location.
  if (REDIRECTS.has(answer.status)) throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
  let decodedBody: Buffer;
  try {
    decodedBody = decoded(answer.body, answer.headers['content-encoding']);
  } catch (err) {
    throw new TypeError('fetch failed', { cause: err });
  }
  return new Answer(url, answer.status, answer.statusMessage, answer.headers, decodedBody);
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

/** The Slack client's words for a 429 without a usable Retry-After (thrown as a plain Error). */
export const NO_RETRY_AFTER = 'Retry header did not contain a valid timeout';

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
    throw new Error(`${NO_RETRY_AFTER} (url: ${url}, retry-after header: ${header})`);
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
