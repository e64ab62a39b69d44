/**
 * Running the package's `sportello` bin as a child process, as an operator would: the CLI
 * tests share this so that each says only what it checks.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CONFIG_VARIABLES } from '../app/config.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'sportello.mjs');
/** For a test's beforeAll and its slow cases: a build and a fresh database on a busy machine. */
export const SLOW_MS = 180_000;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const runProcess = (file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((resolve) =>
    execFile(file, args, { cwd: ROOT, env, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );

// The child sees only the variables a test gives it, not whatever configures this machine.
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(CONFIG_VARIABLES as readonly string[]).includes(k)));

/** Rebuilds `dist/` when a source changed since (the bin runs the bundle). */
export async function buildCli(): Promise<void> {
  const build = await runProcess(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], process.env);
  expect(build.code, build.stderr).toBe(0);
}

/** `sportello …` against the database at `databaseUrl()` (read when called), quiet. */
export const cliOn =
  (databaseUrl: () => string, env: NodeJS.ProcessEnv = {}) =>
  (...args: string[]): Promise<Run> =>
    runProcess(process.execPath, [BIN, ...args], { ...baseEnv, DATABASE_URL: databaseUrl(), LOG_LEVEL: 'silent', ...env });

/** The JSON a successful run printed. */
export function jsonOf<T>(r: Run): T {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}
