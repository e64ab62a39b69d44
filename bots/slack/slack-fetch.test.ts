import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serve } from '../kit/test-server.ts';
import { callWebApi, slackFetch } from './slack-fetch.ts';
import { slackClientOptions, toDeliveryError } from './slack-sender.ts';

let server: http.Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** A Web API stand-in answering with `answer`; records what each request carried. */
async function api(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    seen.push({
      method: req.method,
      url: req.url,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    answer(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, seen, connections: () => connections };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** The adapter's client, and the same client on Node's fetch (what it used before). */
function clients(url: string, timeout?: number): Record<'ours' | 'node', webApi.WebClient> {
  const options = { ...slackClientOptions(url), ...(timeout !== undefined ? { timeout } : {}) };
  return {
    ours: new webApi.WebClient('xoxb-test', options),
    node: new webApi.WebClient('xoxb-test', { ...options, fetch: undefined }),
  };
}

/** What a call gave: its result, or its error's class and the fields the sender reads. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    return { result: await call };
  } catch (err) {
    const e = err as Record<string, unknown>;
    return {
      error: (err as Error).constructor.name,
      code: e.code,
      ...('data' in e ? { data: e.data } : {}),
      ...('retryAfter' in e ? { retryAfter: e.retryAfter } : {}),
      ...('statusCode' in e ? { statusCode: e.statusCode, body: e.body } : {}),
    };
  }
}

const post = (c: webApi.WebClient) =>
  c.chat.postMessage({ channel: 'D1', text: 'Ciao è così', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] });

describe('slackFetch, the Web API client transport', () => {
  it('carries the calls of the adapter client, not Node fetch', async () => {
    const { url, seen } = await api((_req, res) => json(res, 200, { ok: true, channel: 'D1', ts: '1.2' }));
    const nodeFetch = vi.spyOn(globalThis, 'fetch');
    const client = new webApi.WebClient('xoxb-test', slackClientOptions(url));
    expect((await post(client)).ts).toBe('1.2');
    await client.users.info({ user: 'U1' });
    expect(nodeFetch).not.toHaveBeenCalled();
    expect(seen.map((s) => s.url)).toEqual(['/api/chat.postMessage', '/api/users.info']);
  });

  it('sends what Node fetch sends and gives the client the same result', async () => {
    const { url, seen } = await api((_req, res) =>
      json(res, 200, { ok: true, ts: '1.2', response_metadata: { warnings: ['w'] } }, { 'x-oauth-scopes': 'chat:write, im:read' }),
    );
    const { ours, node } = clients(url);
    expect(await outcome(post(ours))).toEqual(await outcome(post(node)));
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-test' });
    expect(new URLSearchParams(seen[0]?.body).get('text')).toBe('Ciao è così');
  });

  it('keeps the connection for the next call', async () => {
    const { url, connections } = await api((_req, res) => json(res, 200, { ok: true, ts: '1.2' }));
    const { ours } = clients(url);
    for (let i = 0; i < 3; i++) await post(ours);
    expect(connections()).toBe(1);
  });

  it.each([
    ['a refusal (ok: false)', (res: ServerResponse) => json(res, 200, { ok: false, error: 'channel_not_found' })],
    ['rate limiting (429, Retry-After)', (res: ServerResponse) => json(res, 429, { ok: false }, { 'retry-after': '7' })],
    ['a 429 without Retry-After', (res: ServerResponse) => json(res, 429, { ok: false })],
    ['a server error (503)', (res: ServerResponse) => json(res, 503, { ok: false, error: 'down' })],
    ['a redirect', (res: ServerResponse) => json(res, 302, {}, { location: 'http://127.0.0.1:1/elsewhere' })],
    ['a redirect status without a Location', (res: ServerResponse) => json(res, 302, { ok: true })],
    [
      'an answer starting with a BOM',
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('\uFEFF{"ok":true,"ts":"1.2"}');
      },
    ],
    [
      'an empty compressed error answer',
      (res: ServerResponse) => {
        res.writeHead(400, { 'content-encoding': 'br' });
        res.end();
      },
    ],
    [
      'a gzipped answer',
      (res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ ok: true, ts: '9.9' })));
      },
    ],
  ])('fails or succeeds as with Node fetch: %s', async (_what, answer) => {
    const { url } = await api((_req, res) => answer(res));
    const { ours, node } = clients(url);
    expect(await outcome(post(ours))).toEqual(await outcome(post(node)));
  });

  it('a cut answer, a refused connection and a timeout are retried by the outbox, as with Node fetch', async () => {
    const { url } = await api((req, res) => {
      if (req.url?.includes('cut')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"ok":');
        setImmediate(() => res.destroy());
      }
      // Anything else is never answered (the client's timeout).
    });
    const closed = await serve(() => undefined);
    await closed.close();
    const refused = `http://127.0.0.1:${closed.port}/api/`;
    /** The outbox's decision for a call's failure (Node fetch throws a bare TypeError for a cut body). */
    const decision = (call: Promise<unknown>) =>
      call.then(
        () => 'delivered',
        (err: unknown) => toDeliveryError(err).options,
      );
    for (const [c, r] of [
      [clients(url, 200).ours, clients(refused).ours],
      [clients(url, 200).node, clients(refused).node],
    ] as const) {
      // A cut answer or a timeout: the request left, its fate is unknown; a refused one never left.
      expect(await decision(c.apiCall('cut.method'))).toEqual({ fateUnknown: true });
      expect(await decision(c.users.info({ user: 'U1' }))).toEqual({ fateUnknown: true });
      expect(await decision(post(r))).toEqual({});
    }
    const ours = await outcome(clients(url, 200).ours.users.info({ user: 'U1' }));
    expect(ours).toMatchObject({ error: 'WebAPIRequestError', code: 'slack_webapi_request_error' });
  });
});

describe('slackFetch and callWebApi, a request node:http refuses at once', () => {
  it('fails the call as Node fetch does, and nothing fires later (no crash from an armed timer or signal)', async () => {
    const { url, seen } = await api((_req, res) => json(res, 200, { ok: true, ts: '1.2' }));
    // A character a header cannot carry (an en dash pasted into the token).
    const options = slackClientOptions(url);
    const ours = new webApi.WebClient('xoxb-t\u2013x', options);
    const node = new webApi.WebClient('xoxb-t\u2013x', { ...options, fetch: undefined });
    expect(await outcome(post(ours))).toEqual(await outcome(post(node)));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const call = outcome(callWebApi(ours, 'chat.postMessage', { channel: 'D1', text: 'x' }, 1000));
      vi.advanceTimersByTime(1000);
      expect(await call).toMatchObject({ error: 'WebAPIRequestError' });
    } finally {
      vi.useRealTimers();
    }
    const controller = new AbortController();
    const call = outcome(
      slackFetch(url, {
        method: 'POST',
        redirect: 'error',
        body: 'a=1',
        headers: { authorization: 'Bearer \u2013' },
        signal: controller.signal,
      }),
    );
    expect(controller.signal.aborted).toBe(false);
    const aborted = vi.fn();
    controller.signal.addEventListener('abort', aborted);
    controller.abort();
    expect(aborted).toHaveBeenCalled();
    expect(await call).toMatchObject({ error: 'TypeError' });
    expect(seen).toEqual([]);
  });
});

describe("callWebApi, the sender's posts without the client", () => {
  const args = {
    channel: 'D1',
    text: 'Ciao è così & <b>',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }],
    metadata: { event_type: 'sportello_outbox', event_payload: { row: 'r1' } },
    link_names: false,
    parse: 'none',
    thread_ts: undefined,
  };
  const viaClient = (c: webApi.WebClient) => c.chat.postMessage(args as never);
  const direct = (url: string, timeoutMs = 10_000) =>
    callWebApi(new webApi.WebClient('xoxb-test', slackClientOptions(url)), 'chat.postMessage', args, timeoutMs);

  it('sends the request the client sends and resolves with its result', async () => {
    const { url, seen } = await api((_req, res) => json(res, 200, { ok: true, ts: '1.2', message: { ts: '1.2' } }));
    const nodeFetch = vi.spyOn(globalThis, 'fetch');
    const ours = await outcome(direct(url));
    const client = await outcome(viaClient(clients(url).ours));
    expect(ours).toEqual(client);
    expect(ours).toMatchObject({ result: { ok: true, ts: '1.2' } });
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]?.url).toBe('/api/chat.postMessage');
    expect(Object.fromEntries(new URLSearchParams(seen[0]?.body))).toEqual({
      channel: 'D1',
      text: 'Ciao è così & <b>',
      blocks: JSON.stringify(args.blocks),
      metadata: JSON.stringify(args.metadata),
      link_names: 'false',
      parse: 'none',
    });
    expect(nodeFetch).not.toHaveBeenCalled();
  });

  it.each([
    ['a refusal (ok: false)', (res: ServerResponse) => json(res, 200, { ok: false, error: 'channel_not_found' })],
    ['a refusal of an unknown answer', (res: ServerResponse) => res.end('not json')],
    ['rate limiting (429, Retry-After)', (res: ServerResponse) => json(res, 429, { ok: false }, { 'retry-after': '7' })],
    ['a server error (503)', (res: ServerResponse) => json(res, 503, { ok: false, error: 'down' }, { 'x-slack-req-id': 'r' })],
  ])('fails as the client does: %s', async (_what, answer) => {
    const { url } = await api((_req, res) => answer(res));
    const ours = await outcome(direct(url));
    expect(ours).toEqual(await outcome(viaClient(clients(url).ours)));
    expect(ours).toHaveProperty('error');
  });

  it('a 429 without Retry-After, a redirect, a refused connection and a timeout: the outbox decides as with the client', async () => {
    const { url } = await api((req, res) => {
      if (req.url?.includes('nohint')) return json(res, 429, { ok: false });
      if (req.url?.includes('moved')) return json(res, 302, {}, { location: 'http://127.0.0.1:1/elsewhere' });
      // chat.postMessage: never answered.
    });
    const closed = await serve(() => undefined);
    await closed.close();
    const decision = (call: Promise<unknown>) =>
      call.then(
        () => 'delivered',
        (err: unknown) => ({ ...toDeliveryError(err).options, request: err instanceof webApi.WebAPIRequestError }),
      );
    const client = clients(url, 200).ours;
    const same = async (method: string) =>
      expect(await decision(callWebApi(client, method, args, 200))).toEqual(await decision(client.apiCall(method, args)));
    await same('nohint');
    await same('moved');
    await same('chat.postMessage');
    expect(await decision(direct(url, 200))).toEqual({ fateUnknown: true, request: true });
    const refused = `http://127.0.0.1:${closed.port}/api/`;
    expect(await decision(direct(refused))).toEqual(await decision(viaClient(clients(refused).ours)));
  });
});
