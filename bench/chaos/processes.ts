/**
 * The run's child processes (apps, workers, Redis), each in its own process group so `kill -9`
 * takes the whole group (tsx starts node under node), with the tail of its output kept for the
 * report when something goes wrong.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Progress on stderr; quiet inside the test suite (CHAOS_VERBOSE=1 to see it there). */
export const progress = (msg: string) => {
  if (process.env['VITEST'] && !process.env['CHAOS_VERBOSE']) return;
  process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Every child process group started, killed synchronously if this process is interrupted or exits. */
const groups = new Set<number>();
export function killGroupsNow(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

/** A child process in its own process group, its output kept (the tail) for diagnostics. */
export class Child {
  proc?: ChildProcess;
  out = '';
  starts = 0;
  constructor(
    readonly name: string,
    private readonly cmd: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    private readonly readyText: string,
  ) {}

  /** Spawns it and resolves once its output shows `readyText`. */
  async start(timeoutMs = 90_000): Promise<void> {
    this.starts++;
    const proc = spawn(this.cmd, this.args, { cwd: ROOT, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    if (proc.pid) groups.add(proc.pid);
    proc.once('exit', () => proc.pid && groups.delete(proc.pid));
    let seen = '';
    const keep = (d: Buffer) => {
      seen += d.toString();
      this.out = (this.out + d.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start:\n${this.out.slice(-3000)}`)), timeoutMs);
      const check = () => {
        if (seen.includes(this.readyText)) {
          clearTimeout(timer);
          proc.stdout?.off('data', check);
          proc.off('exit', onExit);
          seen = '';
          resolve();
        }
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with ${code} while starting:\n${this.out.slice(-3000)}`));
      };
      proc.stdout?.on('data', check);
      proc.once('exit', onExit);
    });
  }

  /** Whether it is running now (a crash between faults shows here). */
  get alive(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGKILL to the whole process group; resolves once the leader is gone. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc?.pid || !this.alive) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([gone, sleep(5_000)]);
  }
}

/** One Redis command over a raw connection (enough for FLUSHALL / PING). */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => {
      data += d.toString();
      if (data.endsWith('\r\n')) {
        sock.end();
        resolve(data.trim());
      }
    });
    sock.on('error', reject);
    sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}
