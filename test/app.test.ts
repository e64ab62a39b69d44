import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, type Config, loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { type App, type AppContext, startApp } from '../app/main.ts';
import { sendJson } from '../bots/kit/http-response.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const log = createLogger({ level: 'silent' });
const configFor = (databaseUrl: string): Config => ({ ...loadConfig({ DATABASE_URL: databaseUrl }), port: 0 });
/**
 * `npm start` runs the app through tsx, which compiles it first: a few seconds on an idle
 * machine, many more on a busy one. The process's own output says when it is ready.
 */
const CHILD_MS = 90_000;

let app: App | undefined;
let testDb: TestDatabase | undefined;
afterEach(async () => {
  await app?.close();
  await testDb?.drop();
  app = undefined;
  testDb = undefined;
});

describe('startApp', () => {
  it('serves health and metrics once the database is ready, and runs the startup hooks', async () => {
    testDb = await createTestDatabase();
    let hooked: AppContext | undefined;
    let closedStep = false;
    app = await startApp(configFor(testDb.url), {
      log,
      host: '127.0.0.1',
      async onReady(ctx) {
        hooked = ctx;
        ctx.http.addRoutes([{ method: 'GET', path: '/hello', handle: (_req, res) => sendJson(res, 200, { hello: 'mondo' }) }]);
        ctx.onClose(() => {
          closedStep = true;
        });
      },
    });
    const base = `http://127.0.0.1:${app.port}`;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok', embedded: false });

    app.metrics.recordInbound('telegram', 'handled', 0.02);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('version=0.0.4');
    const text = await metrics.text();
    expect(text).toMatch(/^sportello_inbound_events_total\{platform="telegram",status="handled"\} 1$/m);
    expect(text).toMatch(/^sportello_inbound_handle_seconds_count\{platform="telegram"\} 1$/m);
    expect(text).toContain('# TYPE sportello_outbox_pending gauge');
    expect(text).toContain('process_cpu_user_seconds_total');

    expect(await (await fetch(`${base}/hello`)).json()).toEqual({ hello: 'mondo' });
    expect(hooked?.store).toBe(app.store);
    expect(await app.store.people.listOrganisations()).toEqual([]); // no demo data outside the embedded database

    hooked?.addHealthCheck('queue', async () => ({ ok: false, reason: 'redis down' }));
    const degraded = await fetch(`${base}/healthz`);
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toEqual({ status: 'unavailable', reason: 'queue: redis down' });

    await app.close();
    expect(closedStep).toBe(true);
    expect(hooked?.signal.aborted).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('answers 503 with the reason while the database is unreachable, and closes cleanly', async () => {
    app = await startApp(configFor('postgres://postgres@127.0.0.1:1/sportello'), { log, host: '127.0.0.1', waitForReady: false });
    const base = `http://127.0.0.1:${app.port}`;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; reason: string };
      expect(body.status).toBe('unavailable');
      expect(body.reason).toMatch(/^database unreachable: .*ECONNREFUSED/);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(() => app?.store).toThrow(/not ready/);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);

    const ready = app.ready;
    await app.close();
    await expect(ready).rejects.toThrow();
  });
});

describe('npm start (app/main.ts)', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const env = (extra: Record<string, string>) => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !(CONFIG_VARIABLES as readonly string[]).includes(k))),
    ...extra,
  });

  it('prints every configuration problem and exits 1', { timeout: CHILD_MS }, async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'app/main.ts'],
        { cwd: root, env: env({ PORT: 'abc', DEFAULT_LOCALE: 'fr' }) },
        (err, _out, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
      );
    });
    expect(result).toEqual({
      code: 1,
      stderr: 'PORT: must be an integer between 1 and 65535 (got "abc")\nDEFAULT_LOCALE: must be one of it, en (got "fr")\n',
    });
  });

  it('shuts down gracefully on SIGTERM and exits 0', { timeout: 2 * CHILD_MS }, async () => {
    testDb = await createTestDatabase();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
      cwd: root,
      env: env({ DATABASE_URL: testDb.url, PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(
        'the ready line',
        () => {
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
          return output.includes(`Sportello ready on http://localhost:${port}`);
        },
        CHILD_MS,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; its output so far:\n${output}`);
      });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('Sportello stopped');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
