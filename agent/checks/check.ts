/** What a check is and returns, and the threshold arithmetic they share. */
import type { CheckKind, CheckStatus, WireEvidence } from '../../core/alerts/protocol.ts';
import type { CheckConfig, Thresholds } from '../config.ts';
import type { Platform, ProcessInfo } from '../platform/platform.ts';

export interface CheckOutput {
  /** Defaults to the check's kind (an http check also reports `tls`). */
  readonly kind?: CheckKind;
  readonly target: string;
  readonly status: CheckStatus;
  readonly value: number | null;
  readonly unit: string | null;
  readonly message: string;
  readonly evidence?: WireEvidence;
}

/** A log file's read position, kept across cycles and restarts. */
export interface LogPosition {
  readonly ino: number;
  readonly offset: number;
}

/** What one collection cycle gives every check. */
export interface CheckContext {
  readonly platform: Platform;
  readonly now: Date;
  /** The process list, read at most once per cycle (with command lines if any check asked). */
  processes(withCmdline: boolean): Promise<ProcessInfo[]>;
  logPosition(checkId: string): LogPosition | undefined;
  setLogPosition(checkId: string, p: LogPosition): void;
}

export interface Check {
  readonly config: CheckConfig;
  run(ctx: CheckContext): Promise<CheckOutput[]>;
}

/** Higher is worse (percent used, load, matches). */
export function above(value: number, t: Thresholds): CheckStatus {
  if (t.crit !== null && value >= t.crit) return 'crit';
  if (t.warn !== null && value >= t.warn) return 'warn';
  return 'ok';
}

/** Lower is worse (free bytes, days left, hours to full). */
export function below(value: number, warn: number | null, crit: number | null): CheckStatus {
  if (crit !== null && value <= crit) return 'crit';
  if (warn !== null && value <= warn) return 'warn';
  return 'ok';
}

const RANK: Readonly<Record<CheckStatus, number>> = { ok: 0, unknown: 1, warn: 2, crit: 3 };

export function worst(...statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok' as CheckStatus);
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${round(v, 1)} ${units[i]}`;
}

export function humanSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${round(s / 3600, 1)} h`;
  return `${round(s / 86_400, 1)} d`;
}

export function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return (e?.code ? `${e.code}: ` : '') + (e?.message ?? String(err)).slice(0, 200);
}
