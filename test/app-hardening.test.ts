/**
 * The app's HTTP surface under what the outside world does to it, on the real app (startApp +
 * startServices, a real database, the Telegram fake): a webhook arriving while the process is
 * still starting is asked to come back (503 + Retry-After) instead of being told the URL does
 * not exist; the web chat refuses to be served to the network by accident; its POST routes take
 * only JSON from this site's pages; its live streams are capped.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../app/config.ts';
import { createHttpServer, type HttpServer } from '../app/http-server.ts';
import { createLogger } from '../app/logger.ts';
import { type App, startApp } from '../app/main.ts';
import { seedDemo } from '../app/seed-demo.ts';
import { type Services, startServices } from '../app/services.ts';
import { TELEGRAM_WEBHOOK_PATH } from '../bots/telegram/telegram-webhook.ts';
import { createWebChat } from '../bots/web/web-chat.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import { ROOT } from './cli-process.ts';
import { TelegramFake } from './fakes/telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until, WAIT_MS } from './wait.ts';

const log = createLogger({ level: 'silent' });
const SECRET = 'webhook-secret_1';

/** A promise with its resolve, for the startup hook the test holds. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('a webhook reaching a process that is still starting', () => {
  let tdb: TestDatabase;
  let fake: TelegramFake;
  let app: App | undefined;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    fake = await TelegramFake.start();
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
    await tdb?.drop();
  });

  it('is answered 503 with Retry-After (so Telegram delivers it again), then handled once the adapter is mounted', async () => {
    const entered = gate();
    const release = gate();
    const config = loadConfig({
      DATABASE_URL: tdb.url,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: 'https://sportello.example.org',
    });
    app = await startApp(
      { ...config, port: 0 },
      {
        log,
        host: '127.0.0.1',
        waitForReady: false,
        // The readiness hook: held open while the test knocks at the webhook.
        onReady: async (ctx) => {
          entered.open();
          await release.promise;
          await startServices(ctx);
        },
      },
    );
    const url = `http://127.0.0.1:${app.port}${TELEGRAM_WEBHOOK_PATH}`;
    const update = {
      update_id: 424_242,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 555_001, type: 'private', first_name: 'Nora' },
        from: { id: 555_001, is_bot: false, first_name: 'Nora', language_code: 'it' },
        text: 'ciao',
      },
    };
    const deliver = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      });

    await entered.promise;
    for (const path of [TELEGRAM_WEBHOOK_PATH, '/slack/events', '/discord/interactions', '/web/send']) {
      const early = await fetch(`http://127.0.0.1:${app.port}${path}`, { method: 'POST', body: '{}' });
      expect(early.status, path).toBe(503);
      expect(early.headers.get('retry-after'), path).toBe('2');
      expect(await early.json()).toMatchObject({ error: 'starting' });
    }
    const first = await deliver();
    expect(first.status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(503);

    release.open();
    await app.ready;
    // Telegram's redelivery of the same update is handled: Nora gets her answer.
    expect((await deliver()).status).toBe(200);
    await fake.waitFor(() => fake.sentTo(555_001).length > 0, WAIT_MS, 'the answer to Nora');
    // Only now is an unknown path a plain 404.
    expect((await fetch(`http://127.0.0.1:${app.port}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('the web chat on an address other machines reach', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(CONFIG_VARIABLES as readonly string[]).includes(k)));

  it('is refused before anything listens, saying why and what to set', async () => {
    const port = await freePort();
    const config = { ...loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', HOST: '0.0.0.0' }), port };
    const refused = await startApp(config, { log }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      expect.stringMatching(/^WEB_CHAT: the web chat is a demo that authenticates nobody/),
    ]);
    expect((refused as Error).message).toContain('WEB_CHAT_PUBLIC=yes');
    expect(await accepts(port)).toBe(false);
    // The same through an explicit host option.
    await expect(startApp({ ...loadConfig({}), port }, { log, host: '::' })).rejects.toThrow(/HOST "::"/);
  });

  it('npm start prints the reason and exits 1', { timeout: 120_000 }, async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'app/main.ts'],
        { cwd: ROOT, env: { ...env, HOST: '0.0.0.0', PORT: '1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } },
        (err, _out, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^WEB_CHAT: the web chat is a demo that authenticates nobody .* set WEB_CHAT_PUBLIC=yes if you mean to expose the demo\n$/,
    );
  });
});

describe('the web chat takes posts only as JSON from its own pages, and caps its live streams', () => {
  let tdb: TestDatabase;
  let app: App;
  let services: Services;
  let base: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    app = await startApp(
      { ...loadConfig({ DATABASE_URL: tdb.url, PUBLIC_URL: 'https://chat.example.org' }), port: 0 },
      {
        log,
        host: '127.0.0.1',
        onReady: async (ctx) => {
          await seedDemo(ctx.store, ctx.clock);
          services = await startServices(ctx);
        },
      },
    );
    base = `http://127.0.0.1:${app.port}`;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await tdb?.drop();
  });

  describe('closing the app', () => {
    it("ends the web chat's live streams at once, so the HTTP server closes without waiting out its grace", async () => {
      const tdb = await createTestDatabase();
      const warnings: string[] = [];
      const capture = createLogger({ level: 'silent' });
      const watched = Object.assign(Object.create(capture) as typeof capture, {
        warn: (obj: object, msg?: string) => void warnings.push(msg ?? JSON.stringify(obj)),
        child: () => watched,
      });
      try {
        const app = await startApp(
          { ...loadConfig({ DATABASE_URL: tdb.url }), port: 0 },
          {
            log: watched,
            host: '127.0.0.1',
            onReady: async (ctx) => {
              await seedDemo(ctx.store, ctx.clock);
              await startServices(ctx);
            },
          },
        );
        const stream = await openStream(`http://127.0.0.1:${app.port}`, 'anna.romano');
        expect(stream.status).toBe(200);
        const ended = new Promise<void>((resolve) => stream.onEnd(resolve));
        await app.close();
        await ended;
        expect(warnings).not.toContain('closing http connections still open');
      } finally {
        await tdb.drop();
      }
    });
  });

  /** What Anna herself wrote in her DM (the bot's messages arrive meanwhile, delivered by the outbox). */
  const history = async () =>
    (
      (await (await fetch(`${base}/web/history?as=anna.romano&conversation=dm:anna.romano`)).json()) as {
        author: string;
        message: { text: string };
      }[]
    )
      .filter((m) => m.author === 'anna.romano')
      .map((m) => m.message.text);
  const send = (text: string, headers: Record<string, string>) =>
    fetch(`${base}/web/send`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ as: 'anna.romano', conversation: 'dm:anna.romano', text }),
    });

  it('refuses a text/plain or form body (415) and a post from another site (403), storing nothing', async () => {
    const before = await history();
    const plain = await send('da text/plain', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toEqual({
      error: 'unsupported_media_type',
      message: 'the body must be JSON, sent as content-type: application/json',
    });
    expect((await send('senza tipo', {})).status).toBe(415);
    // What a form on another site posts: refused for its origin before anything is read.
    const form = await send('da un modulo', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' });
    expect(form.status).toBe(403);
    expect(await form.json()).toEqual({
      error: 'cross_origin',
      message: 'requests from https://evil.example are not accepted: this page is not part of this site',
    });
    const json = { 'content-type': 'application/json' };
    expect((await send('json da altro sito', { ...json, origin: 'https://evil.example' })).status).toBe(403);
    expect((await send('json opaco', { ...json, origin: 'null' })).status).toBe(403);
    expect((await send('json cross-site', { ...json, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const action = await fetch(`${base}/web/action`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ as: 'anna.romano', conversation: 'dm:anna.romano', actionId: 'x', value: 'y' }),
    });
    expect(action.status).toBe(415);
    expect(await history()).toEqual(before);

    // The page's own posts: same Host, the public URL behind a proxy, or no browser at all.
    expect((await send('dalla pagina', { ...json, origin: base, 'sec-fetch-site': 'same-origin' })).status).toBe(202);
    expect((await send('dal proxy', { ...json, origin: 'https://chat.example.org' })).status).toBe(202);
    expect((await send('da uno script', json)).status).toBe(202);
    await until('the three accepted messages in the history', async () => {
      const texts = await history();
      return ['dalla pagina', 'dal proxy', 'da uno script'].every((t) => texts.includes(t));
    });
  });

  it('answers the web chat only under its own names: a rebound DNS name gets 421 and stores nothing', async () => {
    const port = new URL(base).port;
    /** fetch() sets Host itself: a raw request names the server as a rebound page would. */
    const asHost = (host: string, method: 'GET' | 'POST', path: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method, path, headers: { host, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const before = await history();
    const post = (text: string) => JSON.stringify({ as: 'anna.romano', conversation: 'dm:anna.romano', text });
    // The attacker's page, same-origin with itself once evil.example points at 127.0.0.1.
    expect(await asHost(`evil.example:${port}`, 'POST', '/web/send', post('da un nome ridiretto'))).toBe(421);
    expect(await asHost(`evil.example:${port}`, 'GET', '/web/history?as=anna.romano&conversation=dm:anna.romano')).toBe(421);
    expect(await asHost('evil.example', 'GET', '/web/users')).toBe(421);
    expect(await history()).toEqual(before);
    // Its own names: an address, localhost, the public URL's host.
    expect(await asHost(`localhost:${port}`, 'GET', '/web/users')).toBe(200);
    expect(await asHost(`[::1]:${port}`, 'GET', '/web/users')).toBe(200);
    expect(await asHost('chat.example.org', 'GET', '/web/users')).toBe(200);
    expect(await asHost(`127.0.0.1:${port}`, 'POST', '/web/send', post('da localhost'))).toBe(202);
    await until('the accepted message in the history', async () => (await history()).includes('da localhost'));
  });

  it('refuses a sixth live stream of one identity with 429; others still connect; a closed stream frees its place', async () => {
    const anna = await Promise.all(Array.from({ length: 5 }, () => openStream(base, 'anna.romano')));
    expect(anna.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await openStream(base, 'anna.romano');
    expect(sixth.status).toBe(429);
    expect(sixth.retryAfter).toBe('30');
    expect(sixth.body).toContain('anna.romano already has 5 live streams open');
    const giulia = await openStream(base, 'giulia.rossi');
    expect(giulia.status).toBe(200);
    // An unknown identity is not counted, just refused.
    expect((await openStream(base, 'nessuno')).status).toBe(404);

    anna[0]?.close();
    const again = await until('a place freed by the closed stream', async () => {
      const s = await openStream(base, 'anna.romano');
      return s.status === 200 ? s : undefined;
    });
    for (const s of [...anna, giulia, again]) s.close();
  });

  it('refuses a stream beyond the total with 503, whoever asks, and never closes the open ones', async () => {
    const server: HttpServer = createHttpServer({ log, health: async () => ({ ok: true }), metrics: app.metrics });
    const web = createWebChat({
      engine: services.engine,
      messages: new WebMessageRepository(app.db),
      channels: app.store.channels,
      log,
      streamLimits: { perIdentity: 2, total: 3 },
    });
    server.addRoutes(web.routes);
    const small = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
    try {
      const open = [
        await openStream(small, 'anna.romano'),
        await openStream(small, 'anna.romano'),
        await openStream(small, 'giulia.rossi'),
      ];
      expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
      const full = await openStream(small, 'giulia.rossi');
      expect(full.status).toBe(503);
      expect(full.retryAfter).toBe('30');
      expect(full.body).toContain('3 live streams are open on this server');
      // The open streams still carry messages.
      const delivered = open[0]!.nextEvent();
      web.hub.publish({
        id: '00000000-0000-4000-8000-000000000001',
        seq: 1,
        conversation: 'dm:anna.romano',
        threadOf: null,
        author: 'bot',
        ephemeralTo: null,
        message: { text: 'ancora qui' },
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      expect(await delivered).toContain('ancora qui');
      for (const s of open) s.close();
    } finally {
      await server.close(100);
    }
  });
});

interface Stream {
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** The refusal's body (empty for an open stream). */
  readonly body: string;
  /** The next `data:` event on an open stream. */
  nextEvent(): Promise<string>;
  /** Called once the stream is over (ended by the server, or cut). */
  onEnd(listener: () => void): void;
  close(): void;
}

/** Opens `/web/events` as an EventSource would; resolves once the answer's head (and a refusal's body) arrived. */
function openStream(base: string, handle: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/web/events?as=${encodeURIComponent(handle)}`, { headers: { accept: 'text/event-stream' } }, (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = res.headers['retry-after'] as string | undefined;
      const close = () => req.destroy();
      if (status !== 200) {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          resolve({ status, retryAfter, body, nextEvent: () => Promise.reject(new Error('refused')), onEnd: (f) => f(), close }),
        );
        return;
      }
      const nextEvent = () =>
        new Promise<string>((done) => {
          const onData = (c: Buffer) => {
            const text = c.toString();
            if (!text.includes('data: ')) return;
            res.off('data', onData);
            done(text);
          };
          res.on('data', onData);
        });
      resolve({
        status,
        retryAfter,
        body: '',
        nextEvent,
        onEnd: (f) => {
          // Ended by the server ('end'), or cut when it gave up waiting ('close').
          res.once('end', f);
          res.once('close', f);
          res.resume();
        },
        close,
      });
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
