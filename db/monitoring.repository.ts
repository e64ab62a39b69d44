import type { Kysely } from 'kysely';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { AgentRepository } from './agent.repository.ts';
import { AgentReportRepository } from './agent-report.repository.ts';
import { AlertRepository } from './alert.repository.ts';
import { CheckStateRepository } from './check-state.repository.ts';
import { ConfigurationItemRepository } from './configuration-item.repository.ts';
import type { DeferredWrites } from './deferred-writes.ts';
import type { Database } from './schema.ts';
import { SilenceRepository } from './silence.repository.ts';

/**
 * core's one monitoring port on PostgreSQL, composed of one repository per aggregate. Every part
 * is bound to the same `db`, so within a transaction they all see and commit the same work; with
 * `deferred` (in a transaction) check states and results are written with its next query or commit.
 */
export function monitoringRepository(db: Kysely<Database>, deferred?: DeferredWrites): MonitoringRepository {
  const agents = new AgentRepository(db);
  const reports = new AgentReportRepository(db);
  const items = new ConfigurationItemRepository(db);
  const checks = new CheckStateRepository(db, deferred);
  const alerts = new AlertRepository(db);
  const silences = new SilenceRepository(db);
  return {
    createAgent: (a) => agents.createAgent(a),
    findAgent: (id) => agents.findAgent(id),
    listAgentSecrets: (limit) => agents.listAgentSecrets(limit),
    lockAgent: (id) => agents.lockAgent(id),
    listAgents: (organisationIds) => agents.listAgents(organisationIds),
    revokeAgent: (id, by, reason, at) => agents.revokeAgent(id, by, reason, at),
    touchAgent: (id, at, seen) => agents.touchAgent(id, at, seen),
    openReport: (id, nonce, at, seen, batches) => agents.openReport(id, nonce, at, seen, batches),
    openReports: (at, reports) => agents.openReports(at, reports),
    listOverdueAgents: (now, limit) => agents.listOverdueAgents(now, limit),

    rememberNonce: (agentId, nonce, at) => reports.rememberNonce(agentId, nonce, at),
    rememberBatch: (agentId, batchId, results, at) => reports.rememberBatch(agentId, batchId, results, at),
    insertResults: (rows) => reports.insertResults(rows),
    saveEvaluation: (records, results) => checks.saveEvaluation(records, results),
    purge: (before) => reports.purge(before),

    upsertConfigurationItem: (agentId, organisationId, name, facts, at) =>
      items.upsertConfigurationItem(agentId, organisationId, name, facts, at),
    findConfigurationItemOfAgent: (agentId) => items.findConfigurationItemOfAgent(agentId),
    findConfigurationItem: (id) => items.findConfigurationItem(id),
    findConfigurationItemsByName: (nameOrNumber, organisationIds) => items.findConfigurationItemsByName(nameOrNumber, organisationIds),

    listChecks: (agentId) => checks.listChecks(agentId),
    saveChecks: (records) => checks.saveChecks(records),

    insertAlert: (a) => alerts.insertAlert(a),
    findAlert: (id) => alerts.findAlert(id),
    lockAlert: (id) => alerts.lockAlert(id),
    listOpenAlerts: (agentId) => alerts.listOpenAlerts(agentId),
    findLastResolved: (fingerprint) => alerts.findLastResolved(fingerprint),
    updateAlert: (id, patch, at) => alerts.updateAlert(id, patch, at),
    listExpiredSnoozes: (now, limit) => alerts.listExpiredSnoozes(now, limit),
    listNoisy: (since, organisationIds, limit) => alerts.listNoisy(since, organisationIds, limit),

    addSilence: (s) => silences.addSilence(s),
    activeSilences: (organisationId, at) => silences.activeSilences(organisationId, at),
    listSilences: (at, organisationIds) => silences.listSilences(at, organisationIds),
    replaceChangeSilences: (changeId, list) => silences.replaceChangeSilences(changeId, list),
    endChangeSilences: (changeId, at) => silences.endChangeSilences(changeId, at),
    listChangeSilences: (changeId) => silences.listChangeSilences(changeId),
  };
}
