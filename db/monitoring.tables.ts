/**
 * Kysely row types of the monitoring tables (migrations 0004 and 0006). The monitoring
 * repositories (agent, agent report, configuration item, check state, alert, silence) add them
 * to the database type with `db.withTables<MonitoringTables>()`; some of their queries join
 * across these tables (overdue agents without an offline alert, noisy checks by agent).
 */
import type { ColumnType, Generated } from 'kysely';
import type { AlertKind, AlertState, CheckKind, CheckStatus, Evidence, Severity } from '../core/alerts/model.ts';
import type { WireFacts } from '../core/alerts/protocol.ts';
import type { CiKind, CiStatus } from '../core/kernel/configuration-item.ts';
import type { ReadOnly } from './schema.ts';

/** A nullable jsonb column: selected as `T | null`, written as a JSON string or null. */
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

/** A bigint column: `createDatabase` parses int8 as a number (all far below 2^53). */
type BigIntColumn = ColumnType<number, number | undefined, number>;

export interface MonitoringAgentsTable {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  name: string;
  secret: string;
  heartbeat_seconds: number;
  grace_seconds: number;
  agent_version: string | null;
  enrolled_at: Date;
  enrolled_by: string | null;
  last_seen_at: Date | null;
  revoked_at: Date | null;
  dropped_batches: BigIntColumn;
  /** Migration 0006: who revoked the agent, and why. */
  revoked_by: ColumnType<string | null, string | null | undefined, string | null>;
  revoke_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ConfigurationItemsTable {
  id: Generated<string>;
  number: ReadOnly<number>;
  organisation_id: string;
  kind: CiKind;
  name: string;
  facts: NullableJson<WireFacts>;
  agent_id: string | null;
  created_at: Date;
  updated_at: Date;
  /** Migration 0010: every kind of item, its state, notes, a licence's renewal date. */
  status: Generated<CiStatus>;
  notes: ColumnType<string | null, string | null | undefined, string | null>;
  renewal_on: ColumnType<string | null, string | null | undefined, string | null>;
  renewal_reminded_on: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AgentNoncesTable {
  agent_id: string;
  nonce: string;
  seen_at: Date;
}

export interface AgentBatchesTable {
  agent_id: string;
  batch_id: string;
  results: number;
  received_at: Date;
}

export interface CheckResultsTable {
  id: ReadOnly<number>;
  agent_id: string;
  fingerprint: string;
  status: CheckStatus;
  value: number | null;
  observed_at: Date;
}

export interface CheckStatesTable {
  fingerprint: string;
  agent_id: string;
  organisation_id: string;
  check_id: string;
  kind: CheckKind;
  target: string;
  status: CheckStatus;
  bad_since: Date | null;
  crit_since: Date | null;
  good_since: Date | null;
  last_at: Date;
  last_value: number | null;
  unit: string | null;
  last_message: string;
  evidence: NullableJson<Evidence>;
  for_seconds: number;
  recovery_seconds: number;
}

export interface AlertsTable {
  id: Generated<string>;
  number: ReadOnly<number>;
  fingerprint: string;
  organisation_id: string;
  agent_id: string;
  configuration_item_id: string | null;
  kind: AlertKind;
  check_id: string;
  target: string;
  severity: Severity;
  state: AlertState;
  message: string;
  last_value: number | null;
  unit: string | null;
  evidence: NullableJson<Evidence>;
  opened_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  snoozed_until: Date | null;
  resolved_at: Date | null;
  incident_id: string | null;
  false_alarm_at: Date | null;
  false_alarm_by: string | null;
  flaps: Generated<number>;
  notified_at: Date | null;
  updated_at: Date;
}

export interface SilencesTable {
  id: Generated<string>;
  organisation_id: string;
  configuration_item_id: string | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string;
  /** Migration 0010: the change whose window set it. */
  change_id: ColumnType<string | null, string | null | undefined, string | null>;
}

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type MonitoringTables = {
  monitoring_agents: MonitoringAgentsTable;
  configuration_items: ConfigurationItemsTable;
  agent_nonces: AgentNoncesTable;
  agent_batches: AgentBatchesTable;
  check_results: CheckResultsTable;
  check_states: CheckStatesTable;
  alerts: AlertsTable;
  silences: SilencesTable;
};
