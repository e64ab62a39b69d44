/**
 * The agent's HTTP/1.1 client: one request per connection, written on node:net / node:tls.
 *
 * Not node:http/https: loading them (the client, the agent pool, the outgoing and incoming
 * message classes, the llhttp parser) and running a request through them costs the agent about
 * 1 MB of resident memory, for what is here one request line, a few headers and a response read
 * with Content-Length, chunked transfer coding or up to the connection's end. TLS is node:tls's,
 * as https would do it: the system CAs (or the given secure context), the server name sent for
 * SNI and checked against the certificate, `rejectUnauthorized` unless told otherwise.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface Http1Request {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Idle time allowed on the connection (connecting included), as node:http's `timeout`. */
  readonly timeoutMs: number;
  /** The error a timeout rejects with. */
  readonly timeoutError: () => Error;
  /** https: the trusted CAs (default: the system's). */
  readonly secureContext?: tls.SecureContext;
  /** https: refuse an untrusted or mismatched certificate (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Body bytes kept; the rest is read (and counted), not kept. */
  readonly bodyLimit: number;
  /** https: called once the handshake is done, before the response (to read the certificate). */
  readonly onSecure?: (socket: tls.TLSSocket) => void;
}

export interface Http1Response {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  /** The first `bodyLimit` bytes of the body. */
  readonly body: Buffer;
  /** The body's whole length. */
  readonly bodyBytes: number;
}

/** Response heads larger than this are refused (node:http's limit is 16 KiB). */
const MAX_HEAD = 64 * 1024;

function protocolError(message: string): Error {
  return Object.assign(new Error(message), { code: 'HPE_INVALID' });
}

/** Parses "HTTP/1.1 200 OK\r\nName: value\r\n…" (no final blank line). */
export function parseHead(text: string): { status: number; headers: Map<string, string> } {
  const lines = text.split(/\r?\n/);
  const m = /^HTTP\/1\.[01] (\d{3})(?:[ \t].*)?$/.exec(lines[0] ?? '');
  if (!m) throw protocolError(`malformed response: ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw protocolError(`malformed response header: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return { status: Number(m[1]), headers };
}

/** Sends one request and reads its response. Network and protocol failures reject. */
export function request(url: URL, r: Http1Request): Promise<Http1Response> {
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (secure ? 443 : 80));
  const lines = [`${r.method} ${url.pathname || '/'}${url.search} HTTP/1.1`, `host: ${url.host}`, 'connection: close'];
  if (url.username || url.password) {
    let auth: string;
    try {
      auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    } catch (err) {
      return Promise.reject(err); // a malformed %-escape: the request fails, as node:http's did
    }
    lines.push(`authorization: Basic ${Buffer.from(auth).toString('base64')}`);
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return Promise.reject(new Error(`invalid header ${name}`));
    lines.push(`${name}: ${value}`);
  }

  return new Promise<Http1Response>((resolve, reject) => {
    const socket = secure
      ? tls.connect({
          host,
          port,
          ...(net.isIP(host) ? {} : { servername: host }),
          ...(r.secureContext ? { secureContext: r.secureContext } : {}),
          rejectUnauthorized: r.rejectUnauthorized ?? true,
        })
      : net.connect({ host, port });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(err);
    };

    // Response state: the head first, then the body as its headers say.
    let pending: Buffer | undefined;
    let status = 0;
    let headers = new Map<string, string>();
    let mode: 'head' | 'length' | 'chunked' | 'close' = 'head';
    let left = 0; // bytes of the body (length) or of the current chunk still to come
    let chunkState: 'size' | 'data' | 'crlf' | 'trailers' = 'size';
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bodyBytes = 0;

    const finish = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ status, headers, body: Buffer.concat(kept), bodyBytes });
    };
    const take = (b: Buffer) => {
      bodyBytes += b.length;
      if (keptBytes < r.bodyLimit) {
        const part = b.subarray(0, r.bodyLimit - keptBytes);
        kept.push(Buffer.from(part));
        keptBytes += part.length;
      }
    };

    /** Consumes `buf` as far as it can; returns what is left for more data to complete. */
    const consume = (buf: Buffer): Buffer | undefined => {
      let b = buf;
      for (;;) {
        if (settled) return undefined;
        if (mode === 'head') {
          const end = b.indexOf('\r\n\r\n');
          const endLf = end < 0 ? b.indexOf('\n\n') : -1;
          const at = end >= 0 ? end : endLf;
          if (at < 0) {
            if (b.length > MAX_HEAD) fail(protocolError('response headers too large'));
            return b;
          }
          const head = parseHead(b.toString('latin1', 0, at));
          b = b.subarray(at + (end >= 0 ? 4 : 2));
          if (head.status >= 100 && head.status < 200) continue; // 100 Continue, 103 Early Hints: the answer follows
          status = head.status;
          headers = head.headers;
          const te = headers.get('transfer-encoding');
          const cl = headers.get('content-length');
          if (r.method === 'HEAD' || status === 204 || status === 304) return void finish();
          if (te !== undefined && /(^|,)\s*chunked\s*$/i.test(te)) mode = 'chunked';
          else if (cl !== undefined) {
            if (!/^\d+$/.test(cl)) return void fail(protocolError(`invalid content-length ${JSON.stringify(cl.slice(0, 30))}`));
            left = Number(cl);
            mode = 'length';
            if (left === 0) return void finish();
          } else mode = 'close';
          continue;
        }
        if (mode === 'close') {
          take(b);
          return undefined;
        }
        if (mode === 'length') {
          const part = b.subarray(0, left);
          take(part);
          left -= part.length;
          if (left === 0) finish();
          return undefined;
        }
        // chunked
        if (chunkState === 'data') {
          const part = b.subarray(0, left);
          take(part);
          left -= part.length;
          b = b.subarray(part.length);
          if (left > 0) return undefined;
          chunkState = 'crlf';
          continue;
        }
        const nl = b.indexOf('\n');
        if (nl < 0) {
          if (b.length > MAX_HEAD) fail(protocolError('chunk line too long'));
          return b;
        }
        const line = b.toString('latin1', 0, nl).replace(/\r$/, '');
        b = b.subarray(nl + 1);
        if (chunkState === 'crlf') {
          if (line !== '') return void fail(protocolError('malformed chunk'));
          chunkState = 'size';
        } else if (chunkState === 'size') {
          const m = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
          if (!m) return void fail(protocolError('malformed chunk size'));
          left = Number.parseInt(m[1]!, 16);
          chunkState = left === 0 ? 'trailers' : 'data';
        } else if (line === '') {
          return void finish(); // the blank line after the trailers
        }
      }
    };

    socket.setTimeout(r.timeoutMs, () => fail(r.timeoutError()));
    socket.on('error', fail);
    if (secure && r.onSecure) socket.once('secureConnect', () => r.onSecure!(socket as tls.TLSSocket));
    socket.on('data', (data: Buffer) => {
      try {
        pending = consume(pending ? Buffer.concat([pending, data]) : data);
      } catch (err) {
        fail(err as Error);
      }
    });
    socket.on('end', () => {
      if (mode === 'close') finish();
      else fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    });
    socket.on('close', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    const body = r.body ?? '';
    if (r.method === 'POST' || body) lines.push(`content-length: ${Buffer.byteLength(body)}`);
    // Written, not ended: a half-closed connection makes some servers and proxies drop the request.
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}
