/**
 * The monitoring domain: enrolled agents, the configuration items they keep current, the
 * per-check state the hysteresis works on, alerts and silences. Plain data, no behaviour.
 */
import type { CheckKind, CheckStatus, WireFacts } from './protocol.ts';

export type { CheckKind, CheckStatus };

/** How bad an alert is; `crit` opens an incident. */
export type Severity = 'warn' | 'crit';
export const SEVERITIES = ['warn', 'crit'] as const satisfies readonly Severity[];

/** One chat message per alert, edited through these states. */
export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** What raised the alert: a check failing, or the agent's heartbeat missing. */
export type AlertKind = CheckKind | 'agent_offline';

/** An enrolled monitoring agent; it signs its requests with `secret`. */
export interface MonitoredAgent {
  readonly id: string;
  readonly organisationId: string;
  /** The person the agent acts as (the requester of the incidents it opens). */
  readonly personId: string;
  readonly name: string;
  readonly secret: string;
  readonly heartbeatSeconds: number;
  readonly graceSeconds: number;
  readonly agentVersion: string | null;
  readonly enrolledAt: Date;
  readonly enrolledBy: string | null;
  readonly lastSeenAt: Date | null;
  readonly revokedAt: Date | null;
  /** Who revoked it (null: the system, or not revoked) and why. */
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
  /** Batches the agent had to drop from its full disk buffer, as it last reported. */
  readonly droppedBatches: number;
}

export interface NewAgent {
  readonly organisationId: string;
  readonly personId: string;
  readonly name: string;
  readonly secret: string;
  readonly heartbeatSeconds: number;
  readonly graceSeconds: number;
  readonly enrolledAt: Date;
  readonly enrolledBy: string | null;
}

export { type ConfigurationItem, ConfigurationItemRef } from '../kernel/configuration-item.ts';

/** The hysteresis state of one check (agent + check + target), updated by every sample. */
export interface CheckState {
  readonly status: CheckStatus;
  /** Start of the current warn-or-crit streak. */
  readonly badSince: Date | null;
  /** Start of the current crit streak. */
  readonly critSince: Date | null;
  /** Start of the current ok streak. */
  readonly goodSince: Date | null;
  readonly lastAt: Date;
}

/** The stored check: its identity, the last sample, and the hysteresis state. */
export interface CheckRecord extends CheckState {
  readonly fingerprint: string;
  readonly agentId: string;
  readonly organisationId: string;
  readonly checkId: string;
  readonly kind: CheckKind;
  readonly target: string;
  readonly lastValue: number | null;
  readonly unit: string | null;
  readonly lastMessage: string;
  readonly evidence: Evidence | null;
  readonly forSeconds: number;
  readonly recoverySeconds: number;
}

/** What a check saw, shown on the alert and copied (masked) into the incident. */
export interface Evidence {
  readonly lines?: readonly string[];
  readonly details?: Readonly<Record<string, string | number>>;
}

export interface Alert {
  readonly id: string;
  /** Human id, shown as AL-000042. */
  readonly number: number;
  readonly fingerprint: string;
  readonly organisationId: string;
  readonly agentId: string;
  readonly configurationItemId: string | null;
  readonly kind: AlertKind;
  readonly checkId: string;
  readonly target: string;
  readonly severity: Severity;
  readonly state: AlertState;
  readonly message: string;
  readonly lastValue: number | null;
  readonly unit: string | null;
  readonly evidence: Evidence | null;
  readonly openedAt: Date;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly snoozedUntil: Date | null;
  readonly resolvedAt: Date | null;
  readonly incidentId: string | null;
  readonly falseAlarmAt: Date | null;
  readonly falseAlarmBy: string | null;
  /** Times it fired again soon after resolving (reopened instead of a new message). */
  readonly flaps: number;
  readonly notifiedAt: Date | null;
  readonly updatedAt: Date;
}

export const AlertRef = {
  format(n: number): string {
    return `AL-${String(n).padStart(6, '0')}`;
  },
  /** The stable outbox reference of the alert's chat message: one alert, one message. */
  message(alert: Pick<Alert, 'id'>): string {
    return `alert:${alert.id}`;
  },
};

export type NewAlert = Omit<
  Alert,
  | 'id'
  | 'number'
  | 'acknowledgedAt'
  | 'acknowledgedBy'
  | 'snoozedUntil'
  | 'resolvedAt'
  | 'incidentId'
  | 'falseAlarmAt'
  | 'falseAlarmBy'
  | 'flaps'
  | 'updatedAt'
>;

export type AlertPatch = Partial<
  Pick<
    Alert,
    | 'severity'
    | 'state'
    | 'message'
    | 'lastValue'
    | 'unit'
    | 'evidence'
    | 'acknowledgedAt'
    | 'acknowledgedBy'
    | 'snoozedUntil'
    | 'resolvedAt'
    | 'incidentId'
    | 'falseAlarmAt'
    | 'falseAlarmBy'
    | 'flaps'
    | 'notifiedAt'
    | 'openedAt'
  >
>;

/** A maintenance window: no new alerts for the organisation (or one of its machines) until `endsAt`. */
export interface Silence {
  readonly id: string;
  readonly organisationId: string;
  /** null: the whole organisation. */
  readonly configurationItemId: string | null;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly reason: string;
  readonly createdBy: string;
  /** The change (RFC ticket) whose window set it: moved and ended with the change. */
  readonly changeId?: string | null;
}

/** One line of the noisy-checks report. */
export interface NoisyCheck {
  readonly fingerprint: string;
  readonly organisationId: string;
  readonly agentName: string;
  readonly checkId: string;
  readonly kind: AlertKind;
  readonly target: string;
  readonly falseAlarms: number;
  readonly firings: number;
}

/** Fingerprint of a check: the same agent, check and target are the same alert. */
export function checkFingerprint(agentId: string, checkId: string, target: string): string {
  return `${agentId}|${checkId}|${target}`;
}

export function offlineFingerprint(agentId: string): string {
  return `${agentId}|agent|offline`;
}
