/**
 * The agent's own HTTP/1.1 client against a raw TCP server that answers with exactly the bytes
 * of each case, cut into pieces: Content-Length, chunked transfer coding (chunk sizes and
 * bodies split between packets), a body up to the connection's end, interim 1xx answers, no body
 * (204, HEAD), the kept part of a long body, and the failures (a malformed answer, a connection
 * closed early, a server that never answers). TLS is covered by the http check's tests
 * (agent/checks.test.ts) and the footprint test.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHead, request } from './http1.ts';

/** What the server answers: pieces written one after the other, then (unless `keepOpen`) closed. */
let script: { pieces: (string | Buffer)[]; keepOpen?: boolean } = { pieces: [] };
let lastRequest = '';
let server: net.Server;
let base: string;

beforeAll(async () => {
  server = net.createServer((socket) => {
    let got = '';
    socket.on('data', async (d: Buffer) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length < end + 4 + length) return;
      lastRequest = got;
      socket.pause();
      for (const piece of script.pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (!script.keepOpen) socket.end();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (pathAndQuery = '/', extra: { bodyLimit?: number; timeoutMs?: number; method?: 'GET' | 'HEAD' } = {}) =>
  request(new URL(pathAndQuery, base), {
    method: extra.method ?? 'GET',
    headers: { 'user-agent': 'test' },
    timeoutMs: extra.timeoutMs ?? 2000,
    timeoutError: () => Object.assign(new Error('too slow'), { code: 'TIMEOUT' }),
    bodyLimit: extra.bodyLimit ?? 1024,
  });

describe('the agent HTTP/1.1 client', () => {
  it('sends the request line, Host, Connection: close and its headers; reads a Content-Length body', async () => {
    script = { pieces: ['HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello', ' world'] };
    const res = await get('/p/q?x=1&y=%20');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello world');
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('x-a')).toBe('1, 2');
    expect(lastRequest).toMatch(/^GET \/p\/q\?x=1&y=%20 HTTP\/1\.1\r\n/);
    expect(lastRequest).toContain(`host: ${new URL(base).host}\r\n`);
    expect(lastRequest).toContain('connection: close\r\n');
    expect(lastRequest).toContain('user-agent: test\r\n');
  });

  it('POSTs a body with its length (bytes, not characters)', async () => {
    script = { pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'] };
    const res = await request(new URL('/agent', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"città":"è"}',
      timeoutMs: 2000,
      timeoutError: () => new Error('too slow'),
      bodyLimit: 1024,
    });
    expect(res.body.toString()).toBe('{}');
    expect(lastRequest).toMatch(/^POST \/agent HTTP\/1\.1\r\n/);
    expect(lastRequest).toContain(`content-length: ${Buffer.byteLength('{"città":"è"}')}\r\n`);
    expect(Buffer.from(lastRequest, 'latin1').toString('utf8').endsWith('\r\n\r\n{"città":"è"}')).toBe(true);
  });

  it('decodes chunked transfer coding, sizes and data cut between packets, extensions and trailers', async () => {
    script = {
      pieces: [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nBenv',
        'e\r\n',
        'b;ext=1\r\nnuti, tut',
        'ti\r\n0',
        '\r\nX-Trailer: 1\r\n\r\n',
      ],
      keepOpen: true,
    };
    const res = await get();
    expect(res.body.toString()).toBe('Benvenuti, tutti');
    expect(res.bodyBytes).toBe(16);
  });

  it('reads a body without length up to the connection end, keeping only the first bodyLimit bytes', async () => {
    script = { pieces: ['HTTP/1.0 200 OK\r\n\r\n', 'a'.repeat(3000), 'b'.repeat(3000)] };
    const res = await get('/', { bodyLimit: 4000 });
    expect(res.bodyBytes).toBe(6000);
    expect(res.body.length).toBe(4000);
    expect(res.body.toString()).toBe('a'.repeat(3000) + 'b'.repeat(1000));
  });

  it('skips interim 1xx answers; 204 and HEAD have no body', async () => {
    script = {
      pieces: [
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n',
        'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
      ],
    };
    const created = await get();
    expect(created.status).toBe(201);
    expect(created.body.toString()).toBe('ok');
    script = { pieces: ['HTTP/1.1 204 No Content\r\n\r\n'], keepOpen: true };
    expect((await get()).status).toBe(204);
    script = { pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'], keepOpen: true };
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.bodyBytes).toBe(0);
  });

  it('rejects a malformed answer, an answer cut short and a server that never answers', async () => {
    script = { pieces: ['SSH-2.0-OpenSSH_9.6\r\n\r\n'] };
    await expect(get()).rejects.toThrow(/malformed response/);
    script = { pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'] };
    await expect(get()).rejects.toMatchObject({ code: 'ECONNRESET' });
    script = { pieces: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'] };
    await expect(get()).rejects.toThrow(/chunk/);
    script = { pieces: [], keepOpen: true };
    await expect(get('/', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT', message: 'too slow' });
  });

  it('a malformed %-escape in the user info rejects (never throws)', async () => {
    const pending = request(new URL('http://us%zzer:pw@127.0.0.1:9/'), {
      method: 'GET',
      timeoutMs: 1000,
      timeoutError: () => new Error('slow'),
      bodyLimit: 10,
    });
    await expect(pending).rejects.toThrow(URIError);
  });

  it('a refused connection rejects with the system error', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(get(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('parses status lines and headers', () => {
    expect(parseHead('HTTP/1.1 404 Not Found\r\nA: b\r\nC:d ')).toEqual({
      status: 404,
      headers: new Map([
        ['a', 'b'],
        ['c', 'd'],
      ]),
    });
    expect(parseHead('HTTP/1.0 200').status).toBe(200);
    expect(() => parseHead('HTTP/2 200')).toThrow(/malformed/);
    expect(() => parseHead('HTTP/1.1 200 OK\r\nno colon')).toThrow(/malformed response header/);
  });
});
