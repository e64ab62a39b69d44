import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './http-error.ts';
import { sendEmpty, sendJson, sendText } from './http-response.ts';
import { type HttpRoute, httpRoute, jsonObject, jsonRoute } from './http-route.ts';
import { serve, type TestServer } from './test-server.ts';

const logged: object[] = [];
const log = { error: (obj: object) => void logged.push(obj) };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  logged.length = 0;
});

/** Mounts `route` alone on a bare server: no router catches for it. */
async function mount(route: HttpRoute): Promise<string> {
  server = await serve((req, res) => route.handle(req, res, null));
  return server.url;
}

describe('httpRoute', () => {
  it('answers an HttpError with its status, headers and { error, message }, unlogged', async () => {
    const url = await mount(
      httpRoute(
        'GET',
        '/',
        () => {
          throw new HttpError(429, 'rate_limited', 'slow down', { 'retry-after': '7' });
        },
        log,
      ),
    );
    const res = await fetch(url);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'rate_limited', message: 'slow down' });
    expect(logged).toEqual([]);
  });

  it('logs any other failure and answers 500 without its details', async () => {
    const url = await mount(httpRoute('POST', '/x', () => Promise.reject(new Error('secret detail')), log));
    const res = await fetch(`${url}/x?q=1`, { method: 'POST', body: 'ignored' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal' });
    expect(logged).toEqual([expect.objectContaining({ method: 'POST', path: '/x', err: expect.any(Error) })]);
  });

  it('drops the connection when the failure comes after the answer began', async () => {
    const url = await mount(
      httpRoute(
        'GET',
        '/',
        async (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('half');
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('midway');
        },
        log,
      ),
    );
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});

describe('jsonRoute', () => {
  const calls: string[] = [];
  afterEach(() => void (calls.length = 0));

  const route = (handled: () => Promise<void> = async () => undefined) =>
    jsonRoute({
      path: '/hook',
      limitBytes: 64,
      log,
      authorize(req) {
        calls.push('authorize');
        if (req.headers['x-secret'] !== 's3cret') throw new HttpError(401, 'unauthenticated');
      },
      parse(json) {
        calls.push('parse');
        const o = jsonObject(json);
        if (typeof o.id !== 'number') throw new HttpError(400, 'invalid_payload', 'no id');
        return { id: o.id };
      },
      async handle(input, _req, res) {
        calls.push(`handle ${input.id}`);
        await handled();
        sendJson(res, 200, { done: input.id });
      },
    });
  const post = (url: string, body: string, secret = 's3cret') => fetch(url, { method: 'POST', headers: { 'x-secret': secret }, body });

  it('authorizes, reads, parses, handles, then answers', async () => {
    let finish = () => {};
    const url = await mount(route(() => new Promise<void>((r) => (finish = r))));
    const answered = post(url, '{"id":7}');
    await expect.poll(() => calls.length).toBe(3);
    let settled = false;
    void answered.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    // Still handling: a platform must not see success before the work is done.
    expect(settled).toBe(false);
    finish();
    const res = await answered;
    expect([res.status, await res.json()]).toEqual([200, { done: 7 }]);
    expect(calls).toEqual(['authorize', 'parse', 'handle 7']);
  });

  it('refuses before reading the body: a wrong secret is 401 even for an oversized body', async () => {
    const url = await mount(route());
    expect((await post(url, 'x'.repeat(1000), 'wrong')).status).toBe(401);
    expect(calls).toEqual(['authorize']);
  });

  it('413 over the cap, 400 for broken JSON, a non-object or a payload parse refuses', async () => {
    const url = await mount(route());
    const over = await post(url, JSON.stringify({ id: 1, pad: 'x'.repeat(64) }));
    expect([over.status, over.headers.get('connection')]).toEqual([413, 'close']);
    for (const [body, code] of [
      ['{"id":', 'malformed_json'],
      ['[1]', 'invalid_payload'],
      ['{"id":"7"}', 'invalid_payload'],
    ] as const) {
      const res = await post(url, body);
      expect([res.status, ((await res.json()) as { error: string }).error], body).toEqual([400, code]);
    }
    expect(calls.filter((c) => c.startsWith('handle'))).toEqual([]);
  });

  it('a handler failure is a logged 500, so the platform delivers again', async () => {
    const url = await mount(route(() => Promise.reject(new Error('database down'))));
    const res = await post(url, '{"id":9}');
    expect(res.status).toBe(500);
    expect(logged).toHaveLength(1);
  });
});

describe('responses', () => {
  it('sendJson, sendText and sendEmpty set type and length', async () => {
    server = await serve((req, res) => {
      if (req.url === '/json') sendJson(res, 201, { a: 'è' }, { 'x-extra': '1' });
      else if (req.url === '/text') sendText(res, 200, 'ciao è');
      else sendEmpty(res, 204);
    });
    const json = await fetch(`${server.url}/json`);
    expect([json.status, json.headers.get('content-type'), json.headers.get('content-length'), json.headers.get('x-extra')]).toEqual([
      201,
      'application/json; charset=utf-8',
      '10',
      '1',
    ]);
    expect(await json.json()).toEqual({ a: 'è' });
    const text = await fetch(`${server.url}/text`);
    expect([text.headers.get('content-type'), await text.text()]).toEqual(['text/plain; charset=utf-8', 'ciao è']);
    const empty = await fetch(`${server.url}/none`);
    expect([empty.status, await empty.text()]).toEqual([204, '']);
  });
});
