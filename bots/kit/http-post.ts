/**
 * One POST over node:http(s) on a kept-alive connection, the whole answer buffered: how the
 * platform senders make their hot calls (Slack's Web API, Telegram's Bot API) without fetch,
 * whose Request, Headers and body streams cost ~0.3 ms of CPU a call.
 */
import http from 'node:http';
import https from 'node:https';

/** Sockets idle this long are closed by us before a server closes them under a new request. */
const IDLE_MS = 4_000;

const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
} as const;

export interface PostAnswer {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface PostLimit {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * Resolves with the answer, whatever its status. Rejects with the signal's reason once it
 * aborts, with a `TimeoutError` after `timeoutMs`, and otherwise with the network's own error
 * (a refused connection, a cut answer, a header or URL node refuses), which names the host but
 * never a header or the path (where a token may be).
 */
export function postBuffered(url: string | URL, headers: Record<string, string>, body: Buffer, limit: PostLimit = {}): Promise<PostAnswer> {
  const protocol = /^https:/i.test(String(url)) ? 'https:' : 'http:';
  const request = protocol === 'https:' ? https.request : http.request;
  const { signal, timeoutMs } = limit;
  return new Promise<PostAnswer>((resolve, reject) => {
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
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('the answer was cut off')));
        res.on('end', () => {
          if (settled) return;
          settle();
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      });
    } catch (err) {
      return fail(err);
    }
    req.on('error', fail);
    req.end(body);
  });
}

/** Whether `err` is `postBuffered`'s rejection for its signal or its deadline rather than the network's. */
export const isCancellation = (err: unknown, limit: PostLimit): boolean =>
  (limit.signal !== undefined && err === limit.signal.reason) ||
  (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError'));
