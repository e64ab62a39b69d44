/**
 * The monitoring port: agents, configuration items, check states, alerts and silences. `db/`
 * implements it on PostgreSQL; it is part of `Repositories`, so an ingest, an alert, its chat
 * message (outbox) and its incident commit or roll back together.
 */

import type {
  Alert,
  AlertPatch,
  CheckRecord,
  ConfigurationItem,
  MonitoredAgent,
  NewAgent,
  NewAlert,
  NoisyCheck,
  Silence,
} from './model.ts';
import type { WireFacts } from './protocol.ts';

/** One stored check result (history; evidence for later). */
export interface StoredResult {
  readonly agentId: string;
  readonly fingerprint: string;
  readonly status: CheckRecord['status'];
  readonly value: number | null;
  readonly observedAt: Date;
}

/** One report to open with `openReports`: its agent, request nonce, heartbeat and batch ids. */
export interface ReportOpening {
  readonly agentId: string;
  readonly nonce: string;
  readonly seen: {
    readonly heartbeatSeconds: number;
    readonly graceSeconds: number;
    readonly agentVersion: string;
    readonly droppedBatches: number | null;
  };
  readonly batches: readonly { readonly id: string; readonly results: number }[];
}

/** What `openReport` found and recorded. */
export interface OpenedReport {
  readonly agent: MonitoredAgent;
  readonly fresh: boolean;
  readonly freshBatches: ReadonlySet<string>;
  readonly openAlerts: Alert[];
  readonly checks: CheckRecord[];
}

export interface MonitoringRepository {
  createAgent(a: NewAgent): Promise<MonitoredAgent>;
  findAgent(id: string): Promise<MonitoredAgent | undefined>;
  /** The signing secrets of at most `limit` live agents, the ones seen last first. */
  listAgentSecrets(limit: number): Promise<{ readonly id: string; readonly secret: string }[]>;
  /** Locks the agent's row until the transaction ends: one report of an agent at a time. */
  lockAgent(id: string): Promise<MonitoredAgent | undefined>;
  /** Live (unrevoked) agents, of these organisations (all when undefined). */
  listAgents(organisationIds?: readonly string[]): Promise<MonitoredAgent[]>;
  /**
   * Revokes the agent (when, by whom — null for the system — and why) if it is not revoked yet;
   * returns it revoked, or undefined when it does not exist or already was.
   */
  revokeAgent(id: string, by: string | null, reason: string, at: Date): Promise<MonitoredAgent | undefined>;
  /** A report arrived: the agent is alive; records its heartbeat promise and version. */
  touchAgent(
    id: string,
    at: Date,
    seen: {
      readonly heartbeatSeconds: number;
      readonly graceSeconds: number;
      readonly agentVersion: string;
      readonly droppedBatches: number;
    },
  ): Promise<void>;
  /**
   * The start of a report, in one statement: locks the live agent's row (`lockAgent`), records
   * the nonce (`rememberNonce`) and, when it is new, the heartbeat (`touchAgent`; a null
   * `droppedBatches` keeps the stored count) and the batch ids (`rememberBatch`), and reads the
   * agent's open alerts (`listOpenAlerts`) and check states (`listChecks`). Undefined for an
   * unknown or revoked agent; `fresh` false for a replayed nonce (then nothing is written);
   * `freshBatches` the ids (lower case) of the batches not stored before.
   */
  openReport(
    id: string,
    nonce: string,
    at: Date,
    seen: {
      readonly heartbeatSeconds: number;
      readonly graceSeconds: number;
      readonly agentVersion: string;
      readonly droppedBatches: number | null;
    },
    batches: readonly { readonly id: string; readonly results: number }[],
  ): Promise<OpenedReport | undefined>;
  /**
   * `openReport` for several agents' reports in one statement (a group commit): the agents' rows
   * locked in id order (two groups never deadlock on them), each report recorded and read as
   * alone. One report per agent (throws otherwise); the answers in the order of `reports`.
   */
  openReports(at: Date, reports: readonly ReportOpening[]): Promise<(OpenedReport | undefined)[]>;
  /** Live agents whose heartbeat is overdue at `now` and that have no open offline alert. */
  listOverdueAgents(now: Date, limit: number): Promise<MonitoredAgent[]>;

  /** Records a request nonce; false when it was seen before (a replay). */
  rememberNonce(agentId: string, nonce: string, at: Date): Promise<boolean>;
  /** Records a batch id; false when the batch was stored before (a resend). */
  rememberBatch(agentId: string, batchId: string, results: number, at: Date): Promise<boolean>;
  insertResults(rows: readonly StoredResult[]): Promise<void>;
  /** `saveChecks` and `insertResults` in one statement (in a transaction, it may leave with the next statement or the commit). */
  saveEvaluation(checks: readonly CheckRecord[], results: readonly StoredResult[]): Promise<void>;
  /** Deletes nonces, batch ids and results older than the given times; returns rows deleted. */
  purge(before: { readonly nonces: Date; readonly batches: Date; readonly results: Date }): Promise<number>;

  /** Creates the agent's configuration item, or refreshes its name and facts. */
  upsertConfigurationItem(
    agentId: string,
    organisationId: string,
    name: string,
    facts: WireFacts | null,
    at: Date,
  ): Promise<ConfigurationItem>;
  findConfigurationItemOfAgent(agentId: string): Promise<ConfigurationItem | undefined>;
  findConfigurationItem(id: string): Promise<ConfigurationItem | undefined>;
  /** By human number (CI-000042) or exact name, among `organisationIds` (all when undefined). */
  findConfigurationItemsByName(nameOrNumber: string, organisationIds?: readonly string[]): Promise<ConfigurationItem[]>;

  listChecks(agentId: string): Promise<CheckRecord[]>;
  saveChecks(checks: readonly CheckRecord[]): Promise<void>;

  insertAlert(a: NewAlert): Promise<Alert>;
  findAlert(id: string): Promise<Alert | undefined>;
  /** Locks the alert's row until the transaction ends (button presses racing each other). */
  lockAlert(id: string): Promise<Alert | undefined>;
  /** The open (firing or acknowledged) alerts of an agent. */
  listOpenAlerts(agentId: string): Promise<Alert[]>;
  /** The most recently resolved alert of a fingerprint (to reopen it when it fires again soon). */
  findLastResolved(fingerprint: string): Promise<Alert | undefined>;
  updateAlert(id: string, patch: AlertPatch, at: Date): Promise<Alert>;
  /** Acknowledged alerts whose snooze ended by `now`. */
  listExpiredSnoozes(now: Date, limit: number): Promise<Alert[]>;
  /** Checks by false alarms, then firings, since `since`. */
  listNoisy(since: Date, organisationIds: readonly string[] | undefined, limit: number): Promise<NoisyCheck[]>;

  addSilence(s: Omit<Silence, 'id'>): Promise<Silence>;
  /** Silences of the organisation active at `at` (its own and its machines'). */
  activeSilences(organisationId: string, at: Date): Promise<Silence[]>;
  /** Silences active at `at` or later, of these organisations (all when undefined). */
  listSilences(at: Date, organisationIds?: readonly string[]): Promise<Silence[]>;
  /** Replaces the silences a change's window set (a new or moved window). */
  replaceChangeSilences(changeId: string, silences: readonly Omit<Silence, 'id'>[]): Promise<Silence[]>;
  /** Ends a change's silences at `at`: the active ones end then, the future ones go. */
  endChangeSilences(changeId: string, at: Date): Promise<number>;
  listChangeSilences(changeId: string): Promise<Silence[]>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly monitoring: MonitoringRepository;
  }
}
