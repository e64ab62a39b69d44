/**
 * The agent's checks against real conditions made here: a filesystem filled past its
 * thresholds (and a growth trend), a process started and killed, log lines appended (partial
 * lines, rotation, truncation, the window), a local HTTPS server with a self-signed certificate
 * that expires in three days, a backup file's age. Plus the pure parts: configuration,
 * /proc parsers, the time-to-full regression.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { open, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withDiskLock } from '../test/disk-lock.ts';
import type { CheckContext, CheckOutput, LogPosition } from './checks/check.ts';
import { secondsToFull, slope, UsageHistory } from './checks/forecast.ts';
import { createCheck } from './checks/index.ts';
import { MAX_READ, READ_CHUNK } from './checks/log.ts';
import { cpuPercent } from './checks/system.ts';
import { type CheckConfig, ConfigError, parseBytes, parseSeconds, validateConfig } from './config.ts';
import { currentPlatform } from './platform/index.ts';
import { parseCpuTimes, parseMeminfo, parseMounts } from './platform/linux.ts';

const MB = 1024 * 1024;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sportello-agent-checks-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One check from its YAML-like description, validated like a configuration file. */
function check(c: Record<string, unknown>) {
  const config = validateConfig({ defaults: { for: '0s', recovery: '0s' }, checks: [{ id: 'c', ...c }] }, work);
  return createCheck(config.checks[0] as CheckConfig);
}

function context(now = new Date(), positions = new Map<string, LogPosition>()): CheckContext {
  const platform = currentPlatform();
  return {
    platform,
    now,
    processes: (withCmdline) => platform.processes(withCmdline),
    logPosition: (id) => positions.get(id),
    setLogPosition: (id, p) => void positions.set(id, p),
  };
}

async function one(c: ReturnType<typeof check>, ctx = context()): Promise<CheckOutput> {
  const [r] = await c.run(ctx);
  return r!;
}

describe('configuration', () => {
  it.each<[unknown, number | undefined]>([
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['2d', 172_800],
    ['250ms', 0.25],
    [90, 90],
    ['5 minutes', undefined],
    ['-1s', undefined],
  ])('parseSeconds(%j) = %j', (v, s) => expect(parseSeconds(v)).toBe(s));

  it.each<[unknown, number | undefined]>([
    ['10GB', 10e9],
    ['512MiB', 512 * MB],
    ['2048', 2048],
    [1024, 1024],
    ['1.5 kb', 1500],
    ['lots', undefined],
  ])('parseBytes(%j) = %j', (v, b) => expect(parseBytes(v)).toBe(b));

  it("fills defaults and resolves relative paths against the file's folder", () => {
    const c = validateConfig(
      {
        interval: '30s',
        stateDir: 'state',
        defaults: { for: '2m' },
        checks: [
          { id: 'd', kind: 'disk', path: 'data', warn: 80 },
          { id: 'l', kind: 'log', path: 'app.log', pattern: 'ERROR', crit: 5, for: '0s' },
        ],
      },
      '/etc/sportello',
    );
    expect(c.intervalSeconds).toBe(30);
    expect(c.graceSeconds).toBe(60);
    expect(c.stateDir).toBe('/etc/sportello/state');
    expect(c.spool).toEqual({ maxBatches: 1000, maxBytes: 5 * MB });
    expect(c.checks[0]).toMatchObject({
      kind: 'disk',
      path: '/etc/sportello/data',
      warn: 80,
      crit: null,
      forSeconds: 120,
      recoverySeconds: 300,
    });
    expect(c.checks[1]).toMatchObject({ kind: 'log', windowSeconds: 300, forSeconds: 0, fromStart: false });
  });

  it.each<[string, unknown, RegExp]>([
    ['not a mapping', 'hello', /mapping/],
    ['unknown kind', { checks: [{ id: 'x', kind: 'smart' }] }, /checks\[0\]\.kind/],
    ['no threshold', { checks: [{ id: 'x', kind: 'cpu' }] }, /checks\[0\]\.warn\/crit/],
    [
      'duplicate ids',
      {
        checks: [
          { id: 'x', kind: 'cpu', warn: 1 },
          { id: 'x', kind: 'memory', warn: 1 },
        ],
      },
      /used twice/,
    ],
    ['bad id', { checks: [{ id: 'a b', kind: 'cpu', warn: 1 }] }, /checks\[0\]\.id/],
    ['bad duration', { interval: 'often', checks: [] }, /interval/],
    ['bad regex', { checks: [{ id: 'x', kind: 'log', path: '/x', pattern: '(', warn: 1 }] }, /regular expression/],
    ['process without name or pattern', { checks: [{ id: 'x', kind: 'process' }] }, /name\/pattern/],
    ['http without url', { checks: [{ id: 'x', kind: 'http' }] }, /checks\[0\]\.url: is required/],
    ['bad server', { server: 'ftp://x', checks: [] }, /server/],
  ])('refuses %s, naming the setting', (_name, raw, problem) => {
    try {
      validateConfig(raw, work);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.join('\n')).toMatch(problem);
    }
  });
});

describe('linux parsers', () => {
  it('reads /proc/stat, /proc/meminfo and /proc/mounts', () => {
    expect(parseCpuTimes('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3')).toEqual({ idle: 850, total: 1000 });
    expect(cpuPercent({ idle: 850, total: 1000 }, { idle: 900, total: 1200 })).toBe(75);
    expect(cpuPercent({ idle: 1, total: 1 }, { idle: 1, total: 1 })).toBeUndefined();
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\nSwapTotal: 10 kB\nSwapFree: 5 kB\n')).toEqual({
      totalBytes: 1_024_000,
      availableBytes: 409_600,
      swapTotalBytes: 10_240,
      swapFreeBytes: 5_120,
    });
    // Old kernels without MemAvailable: free + buffers + cached.
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 150 kB\n').availableBytes).toBe(300 * 1024);
    expect(
      parseMounts('/dev/sda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sdb1 /mnt/my\\040disk xfs rw 0 0\n/dev/sda1 / ext4 rw 0 0\n'),
    ).toEqual([
      { mount: '/', fsType: 'ext4' },
      { mount: '/mnt/my disk', fsType: 'xfs' },
    ]);
  });
});

describe('time-to-full forecast', () => {
  const line = (n: number, bytesPerSecond: number, noise = 0) =>
    Array.from({ length: n }, (_, i) => ({ t: i * 60, usedBytes: 1e9 + i * 60 * bytesPerSecond + (i % 2 ? noise : -noise) }));

  it.each<[string, ReturnType<typeof line>, number, number | undefined]>([
    ['steady growth of 1 MB/s', line(10, 1e6), 3600e6, 3600],
    ['noisy growth still forecasts', line(30, 1e6, 5e6), 3600e6, 3600],
    ['shrinking usage never fills', line(10, -1e6), 1e9, undefined],
    ['flat usage never fills', line(10, 0), 1e9, undefined],
    ['too few samples', line(4, 1e6), 1e9, undefined],
  ])('%s', (_name, samples, free, expected) => {
    const s = secondsToFull(samples, free);
    if (expected === undefined) expect(s).toBeUndefined();
    else expect(s).toBeCloseTo(expected, -1);
  });

  it('the history keeps a bounded window', () => {
    const h = new UsageHistory(300, 4);
    for (let i = 0; i < 10; i++) h.add({ t: i * 60, usedBytes: i });
    expect(h.add({ t: 600, usedBytes: 10 }).map((s) => s.t)).toEqual([420, 480, 540, 600]);
    expect(
      slope(
        [
          { t: 0, usedBytes: 0 },
          { t: 0, usedBytes: 5 },
        ],
        2,
      ),
    ).toBeUndefined();
  });
});

describe('disk: a filesystem filled past its thresholds', () => {
  /** A large tmpfs when there is one (nobody else writes there), else the temp folder. */
  const root = (() => {
    try {
      const s = statfsSync('/dev/shm');
      if (s.bavail * s.bsize > 4 * 1024 * MB) return '/dev/shm';
    } catch {
      // none
    }
    return os.tmpdir();
  })();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(root, 'sportello-agent-disk-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const free = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  async function write(file: string, bytes: number): Promise<void> {
    const fh = await open(path.join(dir, file), 'w');
    const chunk = Buffer.alloc(8 * MB, 7);
    for (let n = 0; n < bytes; n += chunk.length) await fh.write(chunk);
    await fh.close();
  }

  it('free space crosses warn and crit as a file grows, and is ok again when it is deleted', () =>
    withDiskLock(async () => {
      const STEP = 256 * MB;
      const free0 = free();
      const c = check({ kind: 'disk', path: dir, warnFree: free0 - STEP / 2, critFree: free0 - STEP * 1.5 });
      expect((await one(c)).status).toBe('ok');
      await write('a.bin', STEP);
      const warn = await one(c);
      expect(warn.status).toBe('warn');
      expect(warn.unit).toBe('%');
      expect(warn.message).toMatch(/% used, .* free of /);
      await write('b.bin', STEP);
      expect((await one(c)).status).toBe('crit');
      await rm(path.join(dir, 'a.bin'));
      await rm(path.join(dir, 'b.bin'));
      expect((await one(c)).status).toBe('ok');
    }));

  it('percent thresholds relative to the real usage', () =>
    withDiskLock(async () => {
      const s = statfsSync(dir);
      const used = (s.blocks - s.bfree) * s.bsize;
      const pct = (used / (used + s.bavail * s.bsize)) * 100;
      expect((await one(check({ kind: 'disk', path: dir, warn: Math.max(0, pct - 0.5), crit: 100 }))).status).toBe('warn');
      expect((await one(check({ kind: 'disk', path: dir, warn: Math.min(100, pct + 5) }))).status).toBe('ok');
    }));

  it('forecasts the time to full from the growth trend', () =>
    withDiskLock(async () => {
      const GROW = 32 * MB;
      const expectedSeconds = free() / (GROW / 60);
      const c = check({
        kind: 'disk',
        path: dir,
        fullWithinWarn: `${Math.round(expectedSeconds * 2)}s`,
        fullWithinCrit: `${Math.round(expectedSeconds / 4)}s`,
      });
      const t0 = Date.now();
      let r: CheckOutput | undefined;
      for (let i = 0; i < 6; i++) {
        await write(`grow-${i}.bin`, GROW);
        r = await one(c, context(new Date(t0 + i * 60_000)));
      }
      const hours = Number(r!.evidence?.details?.['hoursToFull']);
      expect(hours * 3600).toBeGreaterThan(expectedSeconds / 2);
      expect(hours * 3600).toBeLessThan(expectedSeconds * 2);
      expect(r!.status).toBe('warn');
      expect(r!.message).toMatch(/full in ~/);
      for (let i = 0; i < 6; i++) await rm(path.join(dir, `grow-${i}.bin`));
    }));

  it('a path that does not exist is unknown, not ok', async () => {
    expect((await one(check({ kind: 'disk', path: path.join(dir, 'nope'), warn: 90 }))).status).toBe('unknown');
  });
});

describe('process: started and killed', () => {
  it('is ok while the process runs and critical once it is gone', async () => {
    const child = spawn('sleep', ['31.4159'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const byPattern = check({ kind: 'process', pattern: '^sleep 31\\.4159$' });
    const byName = check({ kind: 'process', name: 'sleep' });
    const running = await one(byPattern);
    expect(running).toMatchObject({ status: 'ok', value: 1 });
    expect(running.evidence?.details?.['pids']).toBe(String(child.pid));
    expect((await one(byName)).status).toBe('ok');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await one(byPattern)).toMatchObject({ status: 'crit', value: 0 });
    expect((await one(check({ kind: 'process', pattern: '^sleep 31\\.4159$', severity: 'warn' }))).status).toBe('warn');
  });
});

describe('log: lines appended, rotated, truncated, counted over a window', () => {
  it('tails the file from where it stopped and counts matches in the window', async () => {
    const file = path.join(work, 'app.log');
    writeFileSync(file, 'ERROR old line, before the agent started\n');
    const positions = new Map<string, LogPosition>();
    const c = check({ kind: 'log', path: file, pattern: 'ERROR|FATAL', window: '5m', warn: 1, crit: 4 });
    const t0 = Date.now();
    const at = (s: number) => context(new Date(t0 + s * 1000), positions);

    expect(await one(c, at(0))).toMatchObject({ status: 'ok', value: 0 }); // history is not counted
    appendFileSync(file, 'INFO all good\nERROR login failed for mario.rossi@example.org\nFATAL disk\n');
    const two = await one(c, at(10));
    expect(two).toMatchObject({ status: 'warn', value: 2 });
    expect(two.evidence?.lines).toEqual(['ERROR login failed for mario.rossi@example.org', 'FATAL disk']);

    // A line still being written is read once it is complete.
    appendFileSync(file, 'ERROR half');
    expect((await one(c, at(20))).value).toBe(2);
    appendFileSync(file, ' a line\n');
    expect((await one(c, at(30))).value).toBe(3);

    // Rotation: the old file gets a last line after being renamed, the new one starts fresh.
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, 'ERROR written just before the rotation\n');
    writeFileSync(file, 'ERROR first line of the new file\n');
    const rotated = await one(c, at(40));
    expect(rotated).toMatchObject({ status: 'crit', value: 5 });
    expect(rotated.evidence?.lines).toContain('ERROR first line of the new file');
    expect(rotated.evidence?.lines).toContain('ERROR written just before the rotation');

    // Truncated in place (copytruncate): read again from the start.
    truncateSync(file, 0);
    appendFileSync(file, 'FATAL after truncate\n');
    expect((await one(c, at(50))).value).toBe(6);

    // The window slides: six minutes later, nothing new → back to ok.
    expect(await one(c, at(50 + 360))).toMatchObject({ status: 'ok', value: 0 });
    expect(positions.get('c')?.offset).toBe(readFileSync(file).length);
  });

  it('a missing log file is unknown', async () => {
    expect((await one(check({ kind: 'log', path: path.join(work, 'missing.log'), pattern: 'x', warn: 1 }))).status).toBe('unknown');
  });

  it('reads a flood in small pieces: lines and multi-byte characters cut between pieces stay whole', async () => {
    const file = path.join(work, 'flood.log');
    writeFileSync(file, '');
    const positions = new Map<string, LogPosition>();
    const c = check({ kind: 'log', path: file, pattern: 'ERRORE', window: '5m', warn: 1, crit: 1000 });
    await one(c, context(new Date(), positions));
    // Lines of varying length with accented letters (2 bytes in UTF-8), so that piece boundaries
    // fall inside lines and inside characters; every 7th line matches.
    let text = '';
    let expected = 0;
    for (let i = 0; text.length < 3 * READ_CHUNK; i++) {
      const match = i % 7 === 0;
      if (match) expected++;
      text += `${match ? 'ERRORE' : 'info'} riga ${i} perché è così ${'à'.repeat(i % 50)}\n`;
    }
    appendFileSync(file, `${text}ERRORE not complete yet`);
    // The sizes of the buffers allocated while reading.
    const allocs: number[] = [];
    const record = (size: number) => {
      allocs.push(size);
      return Buffer.allocUnsafeSlow(size).fill(0);
    };
    const spies = [vi.spyOn(Buffer, 'alloc').mockImplementation(record), vi.spyOn(Buffer, 'allocUnsafe').mockImplementation(record)];
    let r: CheckOutput;
    try {
      r = await one(c, context(new Date(), positions));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(r.value).toBe(expected);
    const last = text
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('ERRORE'))
      .slice(-5);
    expect(r.evidence?.lines).toEqual(last);
    // Stopped after the last complete line; the piece buffer never held the whole flood.
    expect(positions.get('c')?.offset).toBe(Buffer.byteLength(text));
    expect(Math.max(...allocs)).toBeLessThanOrEqual(READ_CHUNK);
  });

  it('a flood beyond the read limit is skipped and said so', async () => {
    const file = path.join(work, 'huge.log');
    writeFileSync(file, '');
    const positions = new Map<string, LogPosition>();
    const c = check({ kind: 'log', path: file, pattern: 'FATAL', window: '5m', warn: 1 });
    await one(c, context(new Date(), positions));
    const line = `${'x'.repeat(99)}\n`;
    appendFileSync(file, line.repeat(MAX_READ / line.length + 1000) + 'FATAL the last line\n');
    const r = await one(c, context(new Date(), positions));
    expect(r).toMatchObject({ status: 'warn', value: 1 });
    expect(r.message).toMatch(/\(\d+ bytes skipped\)/);
    expect(r.evidence?.lines).toEqual(['FATAL the last line']);
  });
});

describe('http and tls: a local HTTPS server with a certificate expiring in 3 days', () => {
  let server: https.Server;
  let url: string;
  let certFile: string;

  beforeAll(async () => {
    const dir = path.join(work, 'tls');
    mkdirSync(dir);
    certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    try {
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
          keyFile,
          '-out',
          certFile,
          '-days',
          '3',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
        ],
        { stdio: 'ignore' },
      );
    } catch (err) {
      throw new Error(`openssl is needed to make the test certificate: ${String(err)}`);
    }
    server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
      if (req.url === '/broken') return void res.writeHead(500).end('boom');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Benvenuti</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('up and trusted (with its CA): http ok; the certificate expires within the critical days', async () => {
    const [http, tls] = await check({
      kind: 'http',
      url: `${url}/`,
      ca: certFile,
      contains: 'Benvenuti',
      tlsWarnDays: 14,
      tlsCritDays: 7,
    }).run(context());
    expect(http).toMatchObject({ status: 'ok', unit: 'ms', target: `${url}/` });
    expect(tls).toMatchObject({ kind: 'tls', status: 'crit', unit: 'd', target: `127.0.0.1:${new URL(url).port}` });
    expect(tls!.value).toBeGreaterThan(2);
    expect(tls!.value).toBeLessThanOrEqual(3);
  });

  it('warn between the thresholds', async () => {
    const [, tls] = await check({ kind: 'http', url, ca: certFile, tlsWarnDays: 7, tlsCritDays: 1 }).run(context());
    expect(tls?.status).toBe('warn');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an error status', { path: '/broken' }, /HTTP 500, expected 200-399/],
    ['the expected text missing', { contains: 'Arrivederci' }, /without "Arrivederci"/],
    ['an untrusted certificate (no CA given)', { ca: undefined }, /unreachable: .*(self.signed|certificate)/i],
  ])('critical on %s', async (_name, over, message) => {
    const { path: p = '/', ...rest } = over as { path?: string };
    const [http] = await check({ kind: 'http', url: `${url}${p}`, ca: certFile, ...rest }).run(context());
    expect(http?.status).toBe('crit');
    expect(http?.message).toMatch(message);
  });

  it('an untrusted certificate is critical on the tls side too, saying why', async () => {
    const [, tls] = await check({ kind: 'http', url, tlsWarnDays: 0, tlsCritDays: 0 }).run(context());
    expect(tls?.status).toBe('crit');
    expect(tls?.message).toMatch(/not trusted/);
  });

  it('a server that is down is critical', async () => {
    const down = https.createServer();
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    const port = (down.address() as AddressInfo).port;
    await new Promise((r) => down.close(r));
    const [http] = await check({ kind: 'http', url: `https://127.0.0.1:${port}/`, timeout: '2s' }).run(context());
    expect(http).toMatchObject({ status: 'crit', value: null });
    expect(http?.message).toMatch(/ECONNREFUSED/);
  });
});

describe('file age: the backup ran', () => {
  it('ok when fresh, warn and crit as it ages, crit when missing; a folder counts its newest file', () => {
    const dir = path.join(work, 'backup');
    mkdirSync(dir);
    const file = path.join(dir, 'backup-lunedi.tar.gz');
    writeFileSync(file, 'x');
    const c = check({ kind: 'file_age', path: file, warn: '26h', crit: '48h' });
    const folder = check({ kind: 'file_age', path: dir, warn: '26h', crit: '48h' });
    const hoursAgo = (f: string, h: number) => {
      const t = new Date(Date.now() - h * 3600_000);
      utimesSync(f, t, t);
    };
    return (async () => {
      expect(await one(c)).toMatchObject({ status: 'ok', unit: 'h' });
      hoursAgo(file, 30);
      expect((await one(c)).status).toBe('warn');
      hoursAgo(file, 50);
      const old = await one(c);
      expect(old.status).toBe('crit');
      expect(old.value).toBeCloseTo(50, 0);
      expect((await one(folder)).status).toBe('crit');
      writeFileSync(path.join(dir, 'backup-martedi.tar.gz'), 'y');
      const fresh = await one(folder);
      expect(fresh.status).toBe('ok');
      expect(fresh.evidence?.details?.['newest']).toBe('backup-martedi.tar.gz');
      expect((await one(check({ kind: 'file_age', path: path.join(dir, 'nope'), crit: '1h' }))).status).toBe('crit');
    })();
  });
});

describe('cpu, load and memory on this machine', () => {
  it('read real values and apply the thresholds', async () => {
    const mem = await one(check({ kind: 'memory', warn: 0.01, crit: 100.1 }));
    expect(mem.status).toBe('warn');
    expect(mem.value).toBeGreaterThan(0);
    expect(mem.value).toBeLessThanOrEqual(100);
    const cpu = await one(check({ kind: 'cpu', crit: 100.1 }));
    expect(cpu.status).toBe('ok');
    expect(cpu.value).toBeGreaterThanOrEqual(0);
    expect(cpu.value).toBeLessThanOrEqual(100);
    const load = await one(check({ kind: 'load', metric: 'load1', warn: 1000 }));
    expect(load).toMatchObject({ status: 'ok', target: 'load1' });
    expect(Number(load.evidence?.details?.['cores'])).toBe(os.availableParallelism());
  });
});
