import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './http-error.ts';
import { sendJson } from './http-response.ts';
import { parseJson, readBody, readJson } from './read-body.ts';
import { serve, type TestServer } from './test-server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Echoes the body's length, or the HttpError readBody rejected with. */
async function echoLength(limit: number): Promise<string> {
  server = await serve(async (req, res) => {
    try {
      sendJson(res, 200, { n: (await readBody(req, limit)).length });
    } catch (err) {
      const e = err as HttpError;
      sendJson(res, e.status, { error: e.code }, e.status === 413 ? { connection: 'close' } : {});
    }
  });
  return server.url;
}

const chunks = (...parts: string[]) =>
  new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
      controller.close();
    },
  });

describe('readBody', () => {
  it('returns the whole body up to the limit, also when streamed in chunks', async () => {
    const url = await echoLength(10);
    expect(await (await fetch(url, { method: 'POST', body: 'x'.repeat(10) })).json()).toEqual({ n: 10 });
    const streamed = await fetch(url, { method: 'POST', body: chunks('xxxx', 'xxxx'), duplex: 'half' } as RequestInit);
    expect(await streamed.json()).toEqual({ n: 8 });
    expect(await (await fetch(url, { method: 'POST' })).json()).toEqual({ n: 0 });
  });

  it('refuses a declared content-length over the limit with 413 without reading it', async () => {
    const url = await echoLength(10);
    const res = await fetch(url, { method: 'POST', body: 'x'.repeat(11) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'payload_too_large' });
  });

  it('refuses a chunked body once it passes the limit, and the client still gets the 413', async () => {
    const url = await echoLength(10);
    const res = await fetch(url, {
      method: 'POST',
      body: chunks('x'.repeat(8), 'x'.repeat(8), 'x'.repeat(8)),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'payload_too_large' });
  });

  it('rejects with 400 when the client goes away midway', async () => {
    let outcome: Promise<unknown> | undefined;
    server = await serve((req) => {
      outcome = readBody(req, 1000).then(
        () => 'resolved',
        (err: unknown) => err,
      );
    });
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly ten b');
    // Not the promise itself: poll would await it.
    await expect.poll(() => outcome !== undefined).toBe(true);
    socket.destroy();
    const err = await outcome;
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 400, code: 'aborted' });
  });
});

describe('parseJson / readJson', () => {
  it('parses UTF-8 JSON and refuses anything else with 400 malformed_json', async () => {
    expect(parseJson(Buffer.from('{"città":"Bari"}'))).toEqual({ città: 'Bari' });
    expect(() => parseJson(Buffer.from('{nope'))).toThrow(expect.objectContaining({ status: 400, code: 'malformed_json' }));
    expect(() => parseJson(Buffer.alloc(0))).toThrow(HttpError);

    server = await serve(async (req, res) => sendJson(res, 200, { got: await readJson(req, 100) }));
    expect(await (await fetch(server.url, { method: 'POST', body: '[1,2]' })).json()).toEqual({ got: [1, 2] });
  });
});
