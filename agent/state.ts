/**
 * The agent's own files under its state directory (created 0700):
 * - `credentials.json` (0600): the server URL, the agent id and its signing secret;
 * - `positions.json`: where each log check stopped reading, and the dropped-batch counter.
 * Writes go to a temporary file renamed into place, so a crash never leaves half a file.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LogPosition } from './checks/check.ts';

export interface Credentials {
  readonly server: string;
  readonly agentId: string;
  readonly secret: string;
  readonly organisation: string;
  readonly configurationItem: string;
  readonly enrolledAt: string;
}

export interface Positions {
  readonly logs: Readonly<Record<string, LogPosition>>;
  readonly droppedBatches: number;
}

export function ensureStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Writes `data` as JSON atomically with file mode `mode`. */
export function writeJsonFile(file: string, data: unknown, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode });
  chmodSync(tmp, mode); // the umask may have narrowed or widened what writeFileSync set
  renameSync(tmp, file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export const credentialsFile = (stateDir: string): string => path.join(stateDir, 'credentials.json');

export function saveCredentials(stateDir: string, c: Credentials): void {
  ensureStateDir(stateDir);
  writeJsonFile(credentialsFile(stateDir), c, 0o600);
}

export function loadCredentials(stateDir: string): Credentials | undefined {
  const v = readJson(credentialsFile(stateDir)) as Partial<Credentials> | undefined;
  if (!v) return undefined;
  if (typeof v.server !== 'string' || typeof v.agentId !== 'string' || typeof v.secret !== 'string')
    throw new Error(`${credentialsFile(stateDir)}: damaged; enrol the agent again`);
  return v as Credentials;
}

const positionsFile = (stateDir: string) => path.join(stateDir, 'positions.json');

export function loadPositions(stateDir: string): Positions {
  const v = readJson(positionsFile(stateDir)) as Partial<Positions> | undefined;
  return { logs: v?.logs ?? {}, droppedBatches: typeof v?.droppedBatches === 'number' ? v.droppedBatches : 0 };
}

export function savePositions(stateDir: string, p: Positions): void {
  ensureStateDir(stateDir);
  writeJsonFile(positionsFile(stateDir), p, 0o600);
}
