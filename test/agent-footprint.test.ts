/**
 * What keeps the running agent small, checked on a real `sportello-agent run` process started as
 * a command (the bin, its shebang flags, the bundle) with every kind of check on, until it has
 * sent a report and is stopped: it never loads the built-in modules it does without
 * (fs/promises, perf_hooks, child_process, zlib, and http/https: its own small HTTP/1.1 client
 * is on net/tls), nor the `yaml` package for a configuration its own reader reads, and never
 * formats a date through V8's date
 * cache (toISOString and the local-time methods), whose first use pages in ~0.9 MB of ICU's
 * time zone data and code. A preloaded script (NODE_OPTIONS=--require) records both.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './wait.ts';

const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'sportello-agent.cjs');
/** Date methods that go through V8's date cache (and so ICU's time zone). */
const DATE_CACHE_METHODS = [
  'toISOString',
  'toJSON',
  'toString',
  'toDateString',
  'toTimeString',
  'toUTCString',
  'toLocaleString',
  'toLocaleDateString',
  'toLocaleTimeString',
  'getTimezoneOffset',
  'getFullYear',
  'getMonth',
  'getDate',
  'getDay',
  'getHours',
  'getMinutes',
  'getSeconds',
];

let work: string;
let site: https.Server;
let server: http.Server;
let agent: ChildProcess | undefined;
const reports: { facts: boolean; results: number }[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sportello-agent-footprint-'));
  const key = path.join(work, 'key.pem');
  const cert = path.join(work, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '30',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  site = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_q, res) => res.end('<h1>Benvenuti</h1>'));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  // The Sportello server, as far as the agent can tell: every report accepted.
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { facts?: unknown; batches: { results: unknown[] }[] };
      reports.push({ facts: body.facts !== undefined, results: body.batches.reduce((n, b) => n + b.results.length, 0) });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  // Bundled now if the sources changed (building loads child_process): the run below loads the bundle.
  execFileSync(BIN, ['version'], { stdio: 'ignore' });
  const state = path.join(work, 'state');
  mkdirSync(state, { mode: 0o700 });
  writeFileSync(
    path.join(state, 'credentials.json'),
    JSON.stringify({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      agentId: '00000000-0000-4000-8000-000000000001',
      secret: 's'.repeat(43),
      organisation: '97000000001',
      configurationItem: 'CI-000001',
      enrolledAt: '2026-01-01T00:00:00.000Z',
    }),
  );
  const log = path.join(work, 'app.log');
  writeFileSync(log, 'INFO up\nERROR one\nINFO fine\n');
  const backups = path.join(work, 'backups');
  mkdirSync(backups);
  writeFileSync(path.join(backups, 'monday.tar'), 'x');
  appendFileSync(path.join(backups, 'tuesday.tar'), 'x');
  writeFileSync(
    path.join(work, 'agent.yml'),
    `interval: 1s
stateDir: ${state}
checks:
  - { id: cpu, kind: cpu, warn: 90, crit: 98 }
  - { id: carico, kind: load, warn: 2, crit: 4 }
  - { id: memoria, kind: memory, warn: 90, crit: 97 }
  - { id: disco, kind: disk, path: /, warn: 99, crit: 100, critFree: 1MB, fullWithinWarn: 48h, fullWithinCrit: 12h }
  - { id: init, kind: process, name: no-such-process-name }
  - { id: node, kind: process, pattern: "no-such-command-line" }
  - { id: log, kind: log, path: ${log}, pattern: "ERROR|FATAL", window: 5m, warn: 5, crit: 50, fromStart: true }
  - { id: sito, kind: http, url: "https://127.0.0.1:${(site.address() as AddressInfo).port}/", ca: ${cert}, contains: Benvenuti }
  - { id: backup, kind: file_age, path: ${backups}, warn: 26h, crit: 48h }
`,
  );
  writeFileSync(
    path.join(work, 'record.cjs'),
    `'use strict';
const fs = require('node:fs');
const calls = {};
for (const name of ${JSON.stringify(DATE_CACHE_METHODS)}) {
  const original = Date.prototype[name];
  Date.prototype[name] = function (...args) {
    calls[name] = (calls[name] ?? 0) + 1;
    return original.apply(this, args);
  };
}
process.on('exit', () => {
  fs.writeFileSync(
    ${JSON.stringify(path.join(work, 'recorded.json'))},
    JSON.stringify({ calls, modules: process.moduleLoadList, files: Object.keys(require.cache), gc: typeof globalThis.gc }),
  );
});
`,
  );
});

afterAll(async () => {
  agent?.kill('SIGKILL');
  await new Promise<void>((r) => site?.close(() => r()) ?? r());
  await new Promise<void>((r) => server?.close(() => r()) ?? r());
  rmSync(work, { recursive: true, force: true });
});

describe('the running agent', () => {
  it('with every check on: no fs/promises, perf_hooks, child_process, zlib, http(s) or yaml, and no date formatted through the time zone', async () => {
    const stderr: Buffer[] = [];
    agent = spawn(BIN, ['run', '--config', path.join(work, 'agent.yml')], {
      env: { ...process.env, NODE_OPTIONS: `--require=${path.join(work, 'record.cjs')}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    agent.stderr!.on('data', (c: Buffer) => stderr.push(c));
    const exited = new Promise<number | null>((r) => agent!.once('exit', r));
    // The first report (with the facts) and a second cycle's.
    await until('two reports', () => reports.length >= 2, 60_000);
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    agent = undefined;

    expect(reports[0]).toEqual({ facts: true, results: 10 }); // 9 checks, the http one also reports its certificate
    // The agent logged its start and its stop (timestamps written without the date cache).
    expect(Buffer.concat(stderr).toString()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info sportello-agent .*\n.*stopped after/m);
    expect(existsSync(path.join(work, 'recorded.json'))).toBe(true);
    const recorded = JSON.parse(readFileSync(path.join(work, 'recorded.json'), 'utf8')) as {
      calls: Record<string, number>;
      modules: string[];
      files: string[];
      gc: string;
    };
    expect(recorded.calls).toEqual({});
    // The shebang's flags apply, --expose-gc among them (the agent collects its garbage at set moments: agent/gc.ts),
    // and the line fits older kernels' 127 characters.
    expect(recorded.gc).toBe('function');
    expect(readFileSync(BIN, 'utf8').split('\n', 1)[0]!.length).toBeLessThanOrEqual(127);
    const loaded = new Set(recorded.modules);
    expect(loaded.has('NativeModule tls')).toBe(true); // the probe is sound: it sees what the agent loads
    for (const m of ['fs/promises', 'perf_hooks', 'child_process', 'zlib', 'http', 'https'])
      expect(loaded.has(`NativeModule ${m}`), m).toBe(false);
    expect(recorded.files.some((f) => /sportello-agent-[0-9a-f]{8}\.cjs$/.test(f))).toBe(true); // the probe sees the bundle
    expect(recorded.files.filter((f) => f.includes(`${path.sep}yaml${path.sep}`))).toEqual([]);
  }, 90_000);

  it('reuses a cached bundle only if it was built from this checkout: two sharing the cache do not run each other', () => {
    // Another checkout of the agent whose node_modules is this one's (a symlink): same cache directory.
    const other = path.join(work, 'other-checkout');
    const root = path.resolve(import.meta.dirname, '..');
    cpSync(path.join(root, 'agent'), path.join(other, 'agent'), { recursive: true });
    cpSync(path.join(root, 'core', 'alerts', 'protocol.ts'), path.join(other, 'core', 'alerts', 'protocol.ts'));
    cpSync(BIN, path.join(other, 'bin', 'sportello-agent.cjs'));
    symlinkSync(path.join(root, 'node_modules'), path.join(other, 'node_modules'));
    const agentTs = path.join(other, 'agent', 'agent.ts');
    writeFileSync(agentTs, readFileSync(agentTs, 'utf8').replace(/AGENT_VERSION = '[^']*'/, "AGENT_VERSION = '9.9.9-other'"));
    const version = (bin: string) => execFileSync(bin, ['version'], { encoding: 'utf8' }).trim();
    try {
      expect(version(path.join(other, 'bin', 'sportello-agent.cjs'))).toBe('9.9.9-other'); // built last, newest of all
      expect(version(BIN)).toBe('0.1.0');
      expect(version(path.join(other, 'bin', 'sportello-agent.cjs'))).toBe('9.9.9-other');
    } finally {
      const cache = path.join(root, 'node_modules', '.cache', 'sportello-agent');
      for (const f of readdirSync(cache)) {
        if (!f.endsWith('.meta.json')) continue;
        const meta = JSON.parse(readFileSync(path.join(cache, f), 'utf8')) as { root?: string };
        if (meta.root === other) for (const g of [f, f.replace(/\.meta\.json$/, '.cjs')]) rmSync(path.join(cache, g), { force: true });
      }
    }
  }, 60_000);
});
