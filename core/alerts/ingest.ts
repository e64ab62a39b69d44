/**
 * One signed report from an agent, in one transaction: the replay guard (nonce), the heartbeat,
 * the machine's configuration item, the batch dedupe, every result stored and folded into its
 * check's hysteresis, and the alerts that fire, escalate or resolve — with their one chat
 * message each (posted or edited through the outbox) and the incidents they open. Several
 * agents' reports may share the transaction (`ingestReports`, a group commit), each as alone.
 */

import type { UseCaseContext } from '../kernel/context.ts';
import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { agentContext, ensureIncident, noteResolution, opensIncident } from './alert-incident.ts';
import { publishAlert } from './alert-message.ts';
import { advance, decide, type Rule, shouldReopen } from './hysteresis.ts';
import {
  type Alert,
  type CheckRecord,
  type ConfigurationItem,
  checkFingerprint,
  type MonitoredAgent,
  offlineFingerprint,
  type Severity,
  type Silence,
} from './model.ts';
import type { WireReport, WireResult } from './protocol.ts';
import type { OpenedReport, StoredResult } from './repository.ts';
import { isSilenced } from './silence.ts';

/** An open alert's message is redrawn with fresh values at most this often (edits, not new messages). */
export const REFRESH_MS = 10 * 60_000;

export interface IngestDeps {
  readonly repos: Repositories;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

export type IngestOutcome =
  | { readonly kind: 'unknown_agent' }
  | { readonly kind: 'replay' }
  | { readonly kind: 'stored'; readonly accepted: number; readonly duplicates: number; readonly results: number };

/** Alert changes of one report, applied in order and published once each at the end. */
interface Changes {
  readonly alerts: Map<string, Alert>;
  readonly resolved: Set<string>;
}

/** One agent's signed report, its request nonce checked. */
export interface ReportToIngest {
  readonly agentId: string;
  readonly nonce: string;
  readonly report: WireReport;
}

/** Check states and results of a transaction's reports, written together at its end. */
interface Evaluation {
  readonly checks: CheckRecord[];
  readonly results: StoredResult[];
}

export async function ingestReport(deps: IngestDeps, agentId: string, nonce: string, report: WireReport): Promise<IngestOutcome> {
  return (await ingestReports(deps, [{ agentId, nonce, report }]))[0]!;
}

/**
 * Several agents' reports in one transaction (a group commit, `app/agent-ingest-batcher.ts`),
 * each with every guarantee it has alone: one statement opens them all (locks, replay guards,
 * heartbeats, batch dedupe, reads), each is evaluated and announced in turn, and one statement
 * stores every report's check states and results. One report per agent; the outcomes in the
 * order of `reports`.
 */
export async function ingestReports(deps: IngestDeps, reports: readonly ReportToIngest[]): Promise<IngestOutcome[]> {
  const now = deps.clock.now();
  // One report of an agent at a time (its row locked): its check states and open alerts are
  // read, then written. The locks, the replay guards, the heartbeats, the batch dedupe and those
  // reads are one round trip; the evaluation's writes another.
  const opened = await deps.repos.monitoring.openReports(
    now,
    reports.map(({ agentId, nonce, report }) => ({
      agentId,
      nonce,
      seen: {
        heartbeatSeconds: report.heartbeat.periodSeconds,
        graceSeconds: report.heartbeat.graceSeconds,
        agentVersion: report.agentVersion,
        droppedBatches: report.droppedBatches ?? null,
      },
      batches: report.batches.map((b) => ({ id: b.id, results: b.results.length })),
    })),
  );
  const evaluation: Evaluation = { checks: [], results: [] };
  const outcomes: IngestOutcome[] = [];
  for (const [i, { report }] of reports.entries()) outcomes.push(await settle(deps, opened[i], report, evaluation, now));
  await deps.repos.monitoring.saveEvaluation(evaluation.checks, evaluation.results);
  return outcomes;
}

/** The rest of one report, once opened: its alerts fired, escalated, resolved and announced. */
async function settle(
  deps: IngestDeps,
  opened: OpenedReport | undefined,
  report: WireReport,
  evaluation: Evaluation,
  now: Date,
): Promise<IngestOutcome> {
  const { repos } = deps;
  if (!opened) return { kind: 'unknown_agent' };
  if (!opened.fresh) return { kind: 'replay' };
  const { agent } = opened;
  // The machine's configuration item: refreshed when the report carries facts, otherwise read
  // only if an alert needs it (most reports only say that all is well).
  let item: Promise<ConfigurationItem> | undefined = report.facts
    ? repos.monitoring.upsertConfigurationItem(agent.id, agent.organisationId, report.facts.hostname, report.facts, now)
    : undefined;
  const itemOf = () =>
    (item ??= repos.monitoring
      .findConfigurationItemOfAgent(agent.id)
      .then((found) => found ?? repos.monitoring.upsertConfigurationItem(agent.id, agent.organisationId, agent.name, null, now)));
  if (item) await item;

  const open = new Map(opened.openAlerts.map((a) => [a.fingerprint, a]));
  const changes: Changes = { alerts: new Map(), resolved: new Set() };

  // A report is a heartbeat: the agent is back.
  const offline = open.get(offlineFingerprint(agent.id));
  if (offline) {
    const resolved = await repos.monitoring.updateAlert(
      offline.id,
      { state: 'resolved', resolvedAt: now, snoozedUntil: null, notifiedAt: now },
      now,
    );
    open.delete(offline.fingerprint);
    changes.alerts.set(resolved.id, resolved);
  }

  let accepted = 0;
  let duplicates = 0;
  const fresh: WireResult[] = [];
  const taken = new Set<string>();
  for (const batch of report.batches) {
    const id = batch.id.toLowerCase();
    if (opened.freshBatches.has(id) && !taken.has(id)) {
      taken.add(id);
      accepted++;
      fresh.push(...batch.results);
    } else duplicates++;
  }
  // Buffered batches replay the outage in the order things happened.
  fresh.sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));

  if (fresh.length > 0) await evaluate(deps, agent, itemOf, fresh, opened.checks, open, changes, evaluation, now);
  await announce(deps, agent, itemOf, changes, now);
  return { kind: 'stored', accepted, duplicates, results: fresh.length };
}

async function evaluate(
  deps: IngestDeps,
  agent: MonitoredAgent,
  itemOf: () => Promise<ConfigurationItem>,
  results: readonly WireResult[],
  states: readonly CheckRecord[],
  open: Map<string, Alert>,
  changes: Changes,
  evaluation: Evaluation,
  now: Date,
): Promise<void> {
  const { repos } = deps;
  const checks = new Map(states.map((c) => [c.fingerprint, c]));
  const earliest = new Date(Date.parse(results[0]?.observedAt ?? now.toISOString()));
  // Silences matter only when an alert is about to fire: read then, once.
  let silences: Promise<Silence[]> | undefined;
  const silencedAt = async (at: Date) =>
    isSilenced(await (silences ??= repos.monitoring.listSilences(earliest, [agent.organisationId])), (await itemOf()).id, at);
  const dirty = new Set<string>();
  const stored: StoredResult[] = [];

  for (const r of results) {
    const fingerprint = checkFingerprint(agent.id, r.check, r.target);
    const at = new Date(r.observedAt);
    stored.push({ agentId: agent.id, fingerprint, status: r.status, value: r.value, observedAt: at });
    const prev = checks.get(fingerprint);
    // A sample older than what the state already saw is history only (kept, not re-evaluated).
    if (prev && at.getTime() < prev.lastAt.getTime()) continue;
    const state = advance(prev, { status: r.status, at });
    const record: CheckRecord = {
      fingerprint,
      agentId: agent.id,
      organisationId: agent.organisationId,
      checkId: r.check,
      kind: r.kind,
      target: r.target,
      ...state,
      lastValue: r.value,
      unit: r.unit,
      lastMessage: r.message,
      evidence: r.evidence ?? null,
      forSeconds: r.forSeconds,
      recoverySeconds: r.recoverySeconds,
    };
    checks.set(fingerprint, record);
    dirty.add(fingerprint);

    const rule: Rule = { forMs: r.forSeconds * 1000, recoveryMs: r.recoverySeconds * 1000 };
    const current = open.get(fingerprint);
    let decision = decide(state, rule, at, current, false);
    if (decision.kind === 'fire' && (await silencedAt(at))) decision = decide(state, rule, at, current, true);
    const sample = { lastValue: r.value, unit: r.unit, message: r.message, evidence: r.evidence ?? null };
    let changed: Alert | undefined;
    switch (decision.kind) {
      case 'fire':
        changed = await fire(deps, agent, await itemOf(), record, decision.severity, at, now);
        open.set(fingerprint, changed);
        break;
      case 'escalate':
        changed = await repos.monitoring.updateAlert(current!.id, { severity: 'crit', ...sample, notifiedAt: now }, now);
        open.set(fingerprint, changed);
        break;
      case 'resolve':
        changed = await repos.monitoring.updateAlert(
          current!.id,
          { state: 'resolved', resolvedAt: at, snoozedUntil: null, notifiedAt: now },
          now,
        );
        open.delete(fingerprint);
        changes.resolved.add(changed.id);
        break;
      case 'none':
        // Still failing: the same message, redrawn with the latest values now and then.
        if (current && (r.status === 'warn' || r.status === 'crit') && isStale(current, now) && !changes.alerts.has(current.id)) {
          changed = await repos.monitoring.updateAlert(current.id, { ...sample, notifiedAt: now }, now);
          open.set(fingerprint, changed);
        }
        break;
    }
    if (changed) changes.alerts.set(changed.id, changed);
  }

  // Written with the other reports' at the end of the transaction (nothing reads them before).
  for (const fp of dirty) evaluation.checks.push(checks.get(fp)!);
  evaluation.results.push(...stored);
}

function isStale(alert: Alert, now: Date): boolean {
  return !alert.notifiedAt || now.getTime() - alert.notifiedAt.getTime() >= REFRESH_MS;
}

/** A new alert, or the recently resolved one of the same check reopened (one message, not two). */
async function fire(
  deps: IngestDeps,
  agent: MonitoredAgent,
  item: ConfigurationItem,
  check: CheckRecord,
  severity: Severity,
  at: Date,
  now: Date,
): Promise<Alert> {
  const sample = { lastValue: check.lastValue, unit: check.unit, message: check.lastMessage, evidence: check.evidence };
  const last = await deps.repos.monitoring.findLastResolved(check.fingerprint);
  if (last && shouldReopen(last.resolvedAt, at)) {
    return deps.repos.monitoring.updateAlert(
      last.id,
      {
        state: 'firing',
        severity,
        resolvedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        snoozedUntil: null,
        flaps: last.flaps + 1,
        notifiedAt: now,
        ...sample,
      },
      now,
    );
  }
  return deps.repos.monitoring.insertAlert({
    fingerprint: check.fingerprint,
    organisationId: agent.organisationId,
    agentId: agent.id,
    configurationItemId: item.id,
    kind: check.kind,
    checkId: check.checkId,
    target: check.target,
    severity,
    state: 'firing',
    openedAt: at,
    notifiedAt: now,
    ...sample,
  });
}

/** Incidents for serious alerts, notes for resolved ones, and one message per changed alert. */
async function announce(
  deps: IngestDeps,
  agent: MonitoredAgent,
  itemOf: () => Promise<ConfigurationItem>,
  changes: Changes,
  now: Date,
): Promise<void> {
  if (changes.alerts.size === 0) return;
  const item = await itemOf();
  const notifier = new Notifier(deps.repos, deps.defaultLocale);
  let ctx: UseCaseContext | undefined | null = null;
  const asAgent = async () => (ctx === null ? (ctx = await agentContext({ ...deps, notifier }, agent)) : ctx);

  for (let alert of changes.alerts.values()) {
    let incident: Ticket | undefined;
    // Also when already acknowledged or snoozed: a warning that turns critical still needs hands.
    if (alert.state !== 'resolved' && opensIncident(alert.severity)) {
      const c = await asAgent();
      if (c) {
        incident = await ensureIncident(c, alert, item.name, item.number);
        if (incident.id !== alert.incidentId) alert = await deps.repos.monitoring.updateAlert(alert.id, { incidentId: incident.id }, now);
      }
    }
    if (changes.resolved.has(alert.id)) {
      const c = await asAgent();
      if (c) await noteResolution(c, alert);
    }
    // The agent, its machine and the incident are in hand (read or written by this transaction).
    await publishAlert(deps.repos, notifier, alert, { agent, item, incident });
  }
  await notifier.flush(now);
}
