/**
 * A PostgreSQL server the reliability run owns (never the shared one on 5432): initdb into a
 * temporary directory, started with pg_ctl on a free port, restarted mid-load, removed at the
 * end. As root (initdb refuses to run as root) the server runs as the `postgres` OS user.
 * Flushing to disk is off (the run stops the server, it never crashes the machine); commits are
 * acknowledged as usual.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries installed, e.g. /usr/lib/postgresql/15/bin. */
function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${base}`);
  return path.join(base, newest, 'bin');
}

export class PostgresServer {
  starts = 0;
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly asRoot: boolean,
  ) {}

  /** initdb (trust auth, user `postgres`) and the first start. */
  static async create(port: number): Promise<PostgresServer> {
    const asRoot = process.getuid?.() === 0;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sportello-chaos-pg-'));
    const server = new PostgresServer(port, dir, binDir(), asRoot);
    if (asRoot) await run('chown', ['-R', 'postgres:postgres', dir]);
    await server.exec('initdb', ['-D', server.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await server.start();
    return server;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** URL of database `name` on this server. */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    this.starts++;
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      // No flush to disk: the machine does not crash, only the server stops. A commit is still
      // acknowledged only once its WAL reached the kernel (synchronous_commit stays on), so an
      // immediate shutdown loses nothing acknowledged — with it off, it would.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    await this.exec('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  /** `fast` disconnects clients and shuts down cleanly; `immediate` is a crash-like stop (recovery at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async restart(mode: 'fast' | 'immediate'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`create database "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Stops the server (if running) and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For an interrupted run (SIGINT, exit): stops the server synchronously, leaves no daemon behind. */
  destroyNow(): void {
    try {
      execFileSync(...this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    await run(...this.command(tool, args), { cwd: this.dir, timeout: 120_000 });
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const file = path.join(this.bin, tool);
    return this.asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  }
}
