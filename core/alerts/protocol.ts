/**
 * The wire protocol between the monitoring agent and the server's ingest endpoint, shared by
 * both sides: the payload shapes and the request signature.
 *
 * Every report is signed with the agent's own secret (given once, at enrolment):
 * `HMAC-SHA256(secret, "v1:" + timestamp + ":" + nonce + ":" + body)`, hex, sent with the agent
 * id, the timestamp (Unix milliseconds) and a fresh random nonce in the `x-sportello-*` headers.
 * The server refuses a signature that does not match, a timestamp outside the skew window and a
 * nonce it has already seen in that window (a replay).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 1;

export const AGENT_HEADERS = {
  agent: 'x-sportello-agent',
  timestamp: 'x-sportello-timestamp',
  nonce: 'x-sportello-nonce',
  signature: 'x-sportello-signature',
} as const;

export const ENROL_PATH = '/agent/v1/enroll';
export const REPORT_PATH = '/agent/v1/report';

/** How far the agent's clock may be from the server's; nonces are kept at least this long. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const CHECK_STATUSES = ['ok', 'warn', 'crit', 'unknown'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const CHECK_KINDS = ['cpu', 'load', 'memory', 'disk', 'process', 'log', 'http', 'tls', 'file_age'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Limits the server enforces (and the agent respects when it builds a report). */
export const LIMITS = {
  bodyBytes: 1024 * 1024,
  batchesPerReport: 50,
  resultsPerBatch: 100,
  messageChars: 500,
  evidenceLines: 10,
  evidenceLineChars: 300,
  idChars: 64,
  targetChars: 300,
} as const;

export interface WireDisk {
  readonly mount: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
}

/** Machine facts, kept on the configuration item. */
export interface WireFacts {
  readonly hostname: string;
  readonly os: { readonly platform: string; readonly release: string; readonly distro?: string; readonly arch: string };
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly memoryBytes: number;
  readonly disks: readonly WireDisk[];
  readonly uptimeSeconds?: number;
}

export interface WireEvidence {
  readonly lines?: readonly string[];
  readonly details?: Readonly<Record<string, string | number>>;
}

/** One check's outcome at one moment; the server applies `for`/recovery hysteresis to these. */
export interface WireResult {
  /** The check's id in the agent's configuration (e.g. `disco-dati`). */
  readonly check: string;
  readonly kind: CheckKind;
  /** What was checked: a mount point, a process name, a URL, a file. */
  readonly target: string;
  readonly status: CheckStatus;
  readonly value: number | null;
  readonly unit: string | null;
  readonly message: string;
  /** ISO time of the measurement. */
  readonly observedAt: string;
  /** Bad for this long before it fires. */
  readonly forSeconds: number;
  /** Good for this long before it resolves. */
  readonly recoverySeconds: number;
  readonly evidence?: WireEvidence;
}

/** The results of one collection cycle; the id makes a resent batch a no-op. */
export interface WireBatch {
  readonly id: string;
  readonly createdAt: string;
  readonly results: readonly WireResult[];
}

export interface WireReport {
  readonly agentVersion: string;
  /** The agent promises a report at least every `periodSeconds`; missing it by `graceSeconds` more is "offline". */
  readonly heartbeat: { readonly periodSeconds: number; readonly graceSeconds: number };
  readonly facts?: WireFacts;
  /** Batches dropped so far because the on-disk buffer was full. */
  readonly droppedBatches?: number;
  readonly batches: readonly WireBatch[];
}

export interface WireEnrolRequest {
  readonly code: string;
  readonly hostname: string;
  readonly agentVersion: string;
  readonly heartbeat?: { readonly periodSeconds: number; readonly graceSeconds: number };
  readonly facts?: WireFacts;
}

export interface WireEnrolResponse {
  readonly agentId: string;
  readonly secret: string;
  readonly organisation: string;
  readonly configurationItem: string;
}

export interface WireReportResponse {
  /** Batches stored now. */
  readonly accepted: number;
  /** Batches already stored earlier (resent after a lost answer). */
  readonly duplicates: number;
  readonly results: number;
}

export function signingInput(timestamp: string, nonce: string, body: string): string {
  return `v1:${timestamp}:${nonce}:${body}`;
}

/** The hex HMAC-SHA256 signature of a request. */
export function signRequest(secret: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', secret)
    .update(signingInput(timestamp, nonce, body))
    .digest('hex');
}

/** Constant-time check of a request signature. */
export function verifyRequest(secret: string, timestamp: string, nonce: string, body: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signRequest(secret, timestamp, nonce, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
