/**
 * The periodic sweep behind the monitoring: agents whose heartbeat is overdue (period + grace,
 * Healthchecks style) raise an "agent offline" alert, distinct from any check failing; snoozed
 * alerts whose hour is up fire again; old nonces, batch ids and results are purged. Safe with
 * several workers: each agent and alert is handled under its row lock, and the database allows
 * one open alert per fingerprint.
 */
import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Store } from '../kernel/ports.ts';
import { publishAlert } from './alert-message.ts';
import { AlertStateMachine } from './alert-state.ts';
import { isOverdue, shouldReopen } from './hysteresis.ts';
import { type Alert, offlineFingerprint } from './model.ts';
import { MAX_CLOCK_SKEW_MS } from './protocol.ts';
import { isSilenced } from './silence.ts';

export interface SweepDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

export interface SweepResult {
  readonly offline: number;
  readonly woken: number;
  readonly purged: number;
}

/** Kept for dedupe of resent batches, and as history. */
export const BATCH_RETENTION_MS = 7 * 86_400_000;
export const RESULT_RETENTION_MS = 30 * 86_400_000;

const LIMIT = 200;

export async function sweepMonitoring(deps: SweepDeps, opts: { readonly purge?: boolean } = {}): Promise<SweepResult> {
  const now = deps.clock.now();
  let offline = 0;
  for (const candidate of await deps.store.monitoring.listOverdueAgents(now, LIMIT)) {
    if (await raiseOffline(deps, candidate.id)) offline++;
  }
  let woken = 0;
  for (const alert of await deps.store.monitoring.listExpiredSnoozes(now, LIMIT)) {
    if (await wake(deps, alert.id)) woken++;
  }
  const purged =
    (opts.purge ?? true)
      ? await deps.store.monitoring.purge({
          nonces: new Date(now.getTime() - 2 * MAX_CLOCK_SKEW_MS),
          batches: new Date(now.getTime() - BATCH_RETENTION_MS),
          results: new Date(now.getTime() - RESULT_RETENTION_MS),
        })
      : 0;
  return { offline, woken, purged };
}

/** Opens (or reopens) the agent's offline alert, unless a report arrived meanwhile or a silence covers it. */
async function raiseOffline(deps: SweepDeps, agentId: string): Promise<boolean> {
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const agent = await repos.monitoring.lockAgent(agentId);
    if (!agent || agent.revokedAt) return false;
    if (!isOverdue(agent.lastSeenAt, agent.enrolledAt, agent.heartbeatSeconds, agent.graceSeconds, now)) return false;
    const fingerprint = offlineFingerprint(agent.id);
    const open = (await repos.monitoring.listOpenAlerts(agent.id)).find((a) => a.fingerprint === fingerprint);
    if (open) return false;
    const item = await repos.monitoring.findConfigurationItemOfAgent(agent.id);
    if (isSilenced(await repos.monitoring.activeSilences(agent.organisationId, now), item?.id ?? null, now)) return false;

    const silentMinutes = Math.round((now.getTime() - (agent.lastSeenAt ?? agent.enrolledAt).getTime()) / 60_000);
    const sample = { lastValue: silentMinutes, unit: 'min', message: '', evidence: null };
    const last = await repos.monitoring.findLastResolved(fingerprint);
    let alert: Alert;
    if (last && shouldReopen(last.resolvedAt, now)) {
      alert = await repos.monitoring.updateAlert(
        last.id,
        {
          state: 'firing',
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
    } else {
      alert = await repos.monitoring.insertAlert({
        fingerprint,
        organisationId: agent.organisationId,
        agentId: agent.id,
        configurationItemId: item?.id ?? null,
        kind: 'agent_offline',
        checkId: 'heartbeat',
        target: item?.name ?? agent.name,
        severity: 'warn',
        state: 'firing',
        openedAt: now,
        notifiedAt: now,
        ...sample,
      });
    }
    const notifier = new Notifier(repos, deps.defaultLocale);
    await publishAlert(repos, notifier, alert);
    await notifier.flush(now);
    return true;
  });
}

/** A snoozed alert whose snooze ended fires again (same message, redrawn). */
async function wake(deps: SweepDeps, alertId: string): Promise<boolean> {
  return deps.store.transaction(async (repos) => {
    const now = deps.clock.now();
    const alert = await repos.monitoring.lockAlert(alertId);
    if (!alert?.snoozedUntil || alert.snoozedUntil.getTime() > now.getTime()) return false;
    const state = AlertStateMachine.next(alert.state, 'wake');
    if (!state) return false;
    const updated = await repos.monitoring.updateAlert(
      alert.id,
      { state, snoozedUntil: null, acknowledgedAt: null, acknowledgedBy: null, notifiedAt: now },
      now,
    );
    const notifier = new Notifier(repos, deps.defaultLocale);
    await publishAlert(repos, notifier, updated);
    await notifier.flush(now);
    return true;
  });
}
