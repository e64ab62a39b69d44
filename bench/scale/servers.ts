/**
 * The simulation's own servers, so that their figures are clean and the shared ones untouched:
 * a PostgreSQL 15 cluster (initdb in a temporary directory, run as the `postgres` OS user when
 * this is root, pg_stat_statements loaded) and a Redis, each on a free port; plus CPU time read
 * from /proc for a process and, for PostgreSQL, for the whole server (postmaster, its live
 * backends and the backends that already exited, which the postmaster's cutime/cstime hold).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

const PG_BIN = process.env['SCALE_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const CLK_TCK = 100;

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** utime, stime, cutime, cstime of a process, in ms; undefined if it is gone. */
function times(pid: number): { own: number; children: number; ppid: number } | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const t = (i: number) => (Number(f[i]) * 1000) / CLK_TCK;
    return { own: t(11) + t(12), children: t(13) + t(14), ppid: Number(f[1]) };
  } catch {
    return undefined;
  }
}

/** CPU ms used so far by one process (all its threads). */
export function processCpuMs(pid: number): number {
  return times(pid)?.own ?? 0;
}

/** RSS of a process in MB. */
export function processRssMb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** CPU ms used so far by a server and every process it started, live or reaped. */
export function treeCpuMs(rootPid: number): number {
  const root = times(rootPid);
  if (!root) return 0;
  let sum = root.own + root.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const t = times(Number(name));
    if (t && t.ppid === rootPid) sum += t.own;
  }
  return sum;
}

export interface OwnPostgres {
  /** Admin URL (database `postgres`): give it to createTestDatabase as TEST_DATABASE_URL. */
  readonly adminUrl: string;
  readonly port: number;
  readonly postmasterPid: number;
  /** Sets server parameters (ALTER SYSTEM + reload), e.g. no fsync while bulk loading only. */
  set(params: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A "small server" configuration: 1 GB of shared buffers (a quarter of a 4 GB machine), WAL
 * sized so the bulk load does not checkpoint every few seconds, and pg_stat_statements.
 */
export async function startOwnPostgres(log: (m: string) => void): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sportello-scale-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(PG_BIN, bin), args, { stdio: 'pipe' });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C.UTF-8']);
  const port = await freePort();
  writeFileSync(
    path.join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'max_connections = 200',
      'shared_buffers = 1GB',
      'work_mem = 16MB',
      'maintenance_work_mem = 512MB',
      'max_wal_size = 8GB',
      'checkpoint_timeout = 15min',
      `shared_preload_libraries = 'pg_stat_statements'`,
      'pg_stat_statements.max = 5000',
      'pg_stat_statements.track = all',
      'track_io_timing = on',
      '',
    ].join('\n'),
  );
  if (asRoot) execFileSync('chown', ['postgres:postgres', path.join(data, 'postgresql.auto.conf')]);
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const postmasterPid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  log(`own PostgreSQL 15 on ${port} (${data})`);
  const pg = await import('pg');
  const admin = new pg.default.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('create extension if not exists pg_stat_statements');
  await admin.end();
  return {
    adminUrl,
    port,
    postmasterPid,
    async set(params) {
      const c = new pg.default.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        for (const [k, v] of Object.entries(params)) await c.query(`alter system set ${k} = '${v}'`);
        await c.query('select pg_reload_conf()');
      } finally {
        await c.end();
      }
    },
    async stop() {
      try {
        if (existsSync(data)) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface OwnRedis {
  readonly url: string;
  readonly pid: number;
  /** Commands processed so far, and memory in use (INFO). */
  info(): Promise<{ commands: number; usedMemoryMb: number; peakMemoryMb: number }>;
  stop(): Promise<void>;
}

export async function startOwnRedis(log: (m: string) => void): Promise<OwnRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
  });
  child.stdout!.resume();
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url);
  log(`own Redis on ${port}`);
  return {
    url,
    pid: child.pid!,
    async info() {
      const text = await client.info();
      const num = (k: string) => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return {
        commands: num('total_commands_processed'),
        usedMemoryMb: num('used_memory') / 1048576,
        peakMemoryMb: num('used_memory_peak') / 1048576,
      };
    },
    async stop() {
      client.disconnect();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}
