import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../bots/kit/http-error.ts';
import { sendJson } from '../bots/kit/http-response.ts';
import { readBody } from '../bots/kit/read-body.ts';
import { createHttpServer, type HealthResult, type HttpServer } from './http-server.ts';

const errors: object[] = [];
const log = { debug() {}, warn() {}, error: (obj: object) => void errors.push(obj) };
const metrics = { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => 'sportello_up 1\n' };

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  errors.length = 0;
});

async function start(health: () => Promise<HealthResult> = async () => ({ ok: true })): Promise<string> {
  server = createHttpServer({ log, health, metrics });
  const port = await server.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

describe('createHttpServer', () => {
  it('answers health with 200 and details, or 503 and the reason', async () => {
    let result: HealthResult = { ok: true, details: { database: 'ok' } };
    const base = await start(async () => result);
    let res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
    result = { ok: false, reason: 'database unreachable: ECONNREFUSED' };
    res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'database unreachable: ECONNREFUSED' });
  });

  it('serves metrics as Prometheus text', async () => {
    const base = await start();
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('sportello_up 1\n');
  });

  it('routes by method and path, including routes added later and RegExp paths', async () => {
    const base = await start();
    server?.addRoutes([
      { method: 'GET', path: /^\/tickets\/([A-Z]+-\d+)$/, handle: (_req, res, m) => sendJson(res, 200, { ref: m?.[1] }) },
      {
        method: 'POST',
        path: '/echo',
        handle: async (req, res) => sendJson(res, 200, { got: (await readBody(req, 16)).toString() }),
      },
    ]);
    expect(await (await fetch(`${base}/tickets/INC-000042`)).json()).toEqual({ ref: 'INC-000042' });
    expect(await (await fetch(`${base}/echo`, { method: 'POST', body: 'ciao' })).json()).toEqual({ got: 'ciao' });
    const wrongMethod = await fetch(`${base}/echo`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const unknown = await fetch(`${base}/nothing?x=1`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not_found' });
  });

  it('while starting, a path no route serves yet is 503 with Retry-After; once ready it is 404', async () => {
    server = createHttpServer({ log, health: async () => ({ ok: false, reason: 'starting' }), metrics, startsReady: false });
    const base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    const early = await fetch(`${base}/telegram/webhook`, { method: 'POST', body: '{}' });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('2');
    expect(await early.json()).toMatchObject({ error: 'starting' });
    // The built-in routes answer meanwhile.
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    server.addRoutes([{ method: 'POST', path: '/telegram/webhook', handle: (_req, res) => sendJson(res, 200, { ok: true }) }]);
    expect((await fetch(`${base}/telegram/webhook`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(503);
    server.markReady();
    const late = await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' });
    expect(late.status).toBe(404);
    expect(late.headers.get('retry-after')).toBeNull();
  });

  it('refuses bodies over the limit with 413', async () => {
    const base = await start();
    server?.addRoutes([
      { method: 'POST', path: '/small', handle: async (req, res) => sendJson(res, 200, { n: (await readBody(req, 10)).length }) },
    ]);
    const res = await fetch(`${base}/small`, { method: 'POST', body: 'x'.repeat(11) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
    // Without a content-length the limit is enforced while streaming.
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'.repeat(8)));
        controller.enqueue(new TextEncoder().encode('x'.repeat(8)));
        controller.close();
      },
    });
    const streamed = await fetch(`${base}/small`, { method: 'POST', body: chunked, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('turns a throwing handler into a logged 500, and an HttpError into its status', async () => {
    const base = await start();
    server?.addRoutes([
      { method: 'GET', path: '/boom', handle: () => Promise.reject(new Error('kaboom')) },
      {
        method: 'GET',
        path: '/teapot',
        handle: () => {
          throw new HttpError(418, 'teapot', 'short and stout');
        },
      },
    ]);
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: 'internal' });
    expect(errors).toHaveLength(1);
    const teapot = await fetch(`${base}/teapot`);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ error: 'teapot', message: 'short and stout' });
  });

  it('reports a health check that throws as unavailable', async () => {
    const base = await start(() => Promise.reject(new Error('queue down')));
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', reason: 'queue down' });
  });
});
