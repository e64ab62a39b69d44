import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
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
} from '../core/alerts/model.ts';
import { ConfigurationItemRef, offlineFingerprint } from '../core/alerts/model.ts';
import type { WireFacts } from '../core/alerts/protocol.ts';
import type { MonitoringRepository as MonitoringRepositoryPort, StoredResult } from '../core/alerts/repository.ts';
import type { MonitoringTables, AlertsTable, CheckStatesTable, ConfigurationItemsTable, MonitoringAgentsTable, SilencesTable } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

function toAgent(r: Selectable<MonitoringAgentsTable>): MonitoredAgent {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    personId: r.person_id,
    name: r.name,
    secret: r.secret,
    heartbeatSeconds: r.heartbeat_seconds,
    graceSeconds: r.grace_seconds,
    agentVersion: r.agent_version,
    enrolledAt: r.enrolled_at,
    enrolledBy: r.enrolled_by,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
    droppedBatches: Number(r.dropped_batches),
  };
}

function toItem(r: Selectable<ConfigurationItemsTable>): ConfigurationItem {
  return {
    id: r.id,
    number: Number(r.number),
    organisationId: r.organisation_id,
    kind: r.kind,
    name: r.name,
    facts: r.facts,
    agentId: r.agent_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toCheck(r: Selectable<CheckStatesTable>): CheckRecord {
  return {
    fingerprint: r.fingerprint,
    agentId: r.agent_id,
    organisationId: r.organisation_id,
    checkId: r.check_id,
    kind: r.kind,
    target: r.target,
    status: r.status,
    badSince: r.bad_since,
    critSince: r.crit_since,
    goodSince: r.good_since,
    lastAt: r.last_at,
    lastValue: r.last_value,
    unit: r.unit,
    lastMessage: r.last_message,
    evidence: r.evidence,
    forSeconds: r.for_seconds,
    recoverySeconds: r.recovery_seconds,
  };
}

function toAlert(r: Selectable<AlertsTable>): Alert {
  return {
    id: r.id,
    number: Number(r.number),
    fingerprint: r.fingerprint,
    organisationId: r.organisation_id,
    agentId: r.agent_id,
    configurationItemId: r.configuration_item_id,
    kind: r.kind,
    checkId: r.check_id,
    target: r.target,
    severity: r.severity,
    state: r.state,
    message: r.message,
    lastValue: r.last_value,
    unit: r.unit,
    evidence: r.evidence,
    openedAt: r.opened_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    snoozedUntil: r.snoozed_until,
    resolvedAt: r.resolved_at,
    incidentId: r.incident_id,
    falseAlarmAt: r.false_alarm_at,
    falseAlarmBy: r.false_alarm_by,
    flaps: r.flaps,
    notifiedAt: r.notified_at,
    updatedAt: r.updated_at,
  };
}

function toSilence(r: Selectable<SilencesTable>): Silence {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    configurationItemId: r.configuration_item_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    reason: r.reason,
    createdBy: r.created_by,
  };
}

const PATCH_COLUMNS: { readonly [K in keyof Required<AlertPatch>]: keyof AlertsTable } = {
  severity: 'severity',
  state: 'state',
  message: 'message',
  lastValue: 'last_value',
  unit: 'unit',
  evidence: 'evidence',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  snoozedUntil: 'snoozed_until',
  resolvedAt: 'resolved_at',
  incidentId: 'incident_id',
  falseAlarmAt: 'false_alarm_at',
  falseAlarmBy: 'false_alarm_by',
  flaps: 'flaps',
  notifiedAt: 'notified_at',
  openedAt: 'opened_at',
};

/** Agents, configuration items, check states, alerts and silences on PostgreSQL. */
export class MonitoringRepository implements MonitoringRepositoryPort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
  }

  async createAgent(a: NewAgent): Promise<MonitoredAgent> {
    const row = await this.db
      .insertInto('monitoring_agents')
      .values({
        organisation_id: a.organisationId,
        person_id: a.personId,
        name: a.name,
        secret: a.secret,
        heartbeat_seconds: a.heartbeatSeconds,
        grace_seconds: a.graceSeconds,
        agent_version: null,
        enrolled_at: a.enrolledAt,
        enrolled_by: a.enrolledBy,
        last_seen_at: a.enrolledAt,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAgent(row);
  }

  async findAgent(id: string): Promise<MonitoredAgent | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('monitoring_agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAgent(row);
  }

  async lockAgent(id: string): Promise<MonitoredAgent | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('monitoring_agents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return row && toAgent(row);
  }

  async revokeAgent(id: string, by: string | null, reason: string, at: Date): Promise<MonitoredAgent | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db
      .updateTable('monitoring_agents')
      .set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && toAgent(row);
  }

  async listAgents(organisationIds?: readonly string[]): Promise<MonitoredAgent[]> {
    let q = this.db.selectFrom('monitoring_agents').selectAll().where('revoked_at', 'is', null);
    if (organisationIds) q = q.where('organisation_id', 'in', organisationIds.length ? [...organisationIds] : [NO_ID]);
    return (await q.orderBy('name').execute()).map(toAgent);
  }

  async touchAgent(
    id: string,
    at: Date,
    seen: { heartbeatSeconds: number; graceSeconds: number; agentVersion: string; droppedBatches: number },
  ): Promise<void> {
    await this.db
      .updateTable('monitoring_agents')
      .set({
        // Buffered batches arrive late: the agent is seen now, never earlier than before.
        last_seen_at: sql<Date>`greatest(last_seen_at, ${at})`,
        heartbeat_seconds: seen.heartbeatSeconds,
        grace_seconds: seen.graceSeconds,
        agent_version: seen.agentVersion,
        dropped_batches: seen.droppedBatches,
      })
      .where('id', '=', id)
      .execute();
  }

  async listOverdueAgents(now: Date, limit: number): Promise<MonitoredAgent[]> {
    const rows = await this.db
      .selectFrom('monitoring_agents as a')
      .selectAll('a')
      .where('a.revoked_at', 'is', null)
      .where(sql<boolean>`coalesce(a.last_seen_at, a.enrolled_at) + make_interval(secs => a.heartbeat_seconds + a.grace_seconds) < ${now}`)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('alerts as al')
              .select(sql.lit(1).as('one'))
              .where('al.fingerprint', '=', sql<string>`a.id::text || ${offlineFingerprint('')}`)
              .where('al.state', '<>', 'resolved'),
          ),
        ),
      )
      .orderBy('a.last_seen_at')
      .limit(limit)
      .execute();
    return rows.map(toAgent);
  }

  async rememberNonce(agentId: string, nonce: string, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('agent_nonces')
      .values({ agent_id: agentId, nonce, seen_at: at })
      .onConflict((oc) => oc.columns(['agent_id', 'nonce']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async rememberBatch(agentId: string, batchId: string, results: number, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('agent_batches')
      .values({ agent_id: agentId, batch_id: batchId, results, received_at: at })
      .onConflict((oc) => oc.columns(['agent_id', 'batch_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async insertResults(rows: readonly StoredResult[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('check_results')
      .values(
        rows.map((r) => ({ agent_id: r.agentId, fingerprint: r.fingerprint, status: r.status, value: r.value, observed_at: r.observedAt })),
      )
      .execute();
  }

  async purge(before: { nonces: Date; batches: Date; results: Date }): Promise<number> {
    const n = await this.db.deleteFrom('agent_nonces').where('seen_at', '<', before.nonces).executeTakeFirst();
    const b = await this.db.deleteFrom('agent_batches').where('received_at', '<', before.batches).executeTakeFirst();
    const r = await this.db.deleteFrom('check_results').where('observed_at', '<', before.results).executeTakeFirst();
    return Number(n.numDeletedRows) + Number(b.numDeletedRows) + Number(r.numDeletedRows);
  }

  async upsertConfigurationItem(agentId: string, organisationId: string, name: string, facts: WireFacts | null, at: Date): Promise<ConfigurationItem> {
    const row = await this.db
      .insertInto('configuration_items')
      .values({ organisation_id: organisationId, kind: 'computer', name, facts: json(facts), agent_id: agentId, created_at: at, updated_at: at })
      .onConflict((oc) =>
        oc.column('agent_id').doUpdateSet({
          name,
          updated_at: at,
          // A report without facts keeps the ones we have.
          ...(facts ? { facts: json(facts) } : {}),
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toItem(row);
  }

  async findConfigurationItemOfAgent(agentId: string): Promise<ConfigurationItem | undefined> {
    const row = await this.db.selectFrom('configuration_items').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
    return row && toItem(row);
  }

  async findConfigurationItem(id: string): Promise<ConfigurationItem | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('configuration_items').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toItem(row);
  }

  async findConfigurationItemsByName(nameOrNumber: string, organisationIds?: readonly string[]): Promise<ConfigurationItem[]> {
    const n = ConfigurationItemRef.parse(nameOrNumber);
    let q = this.db.selectFrom('configuration_items').selectAll();
    q = n !== undefined ? q.where('number', '=', String(n)) : q.where(sql<string>`lower(name)`, '=', nameOrNumber.trim().toLowerCase());
    if (organisationIds) q = q.where('organisation_id', 'in', organisationIds.length ? [...organisationIds] : [NO_ID]);
    return (await q.orderBy('number').limit(10).execute()).map(toItem);
  }

  async listChecks(agentId: string): Promise<CheckRecord[]> {
    return (await this.db.selectFrom('check_states').selectAll().where('agent_id', '=', agentId).execute()).map(toCheck);
  }

  async saveChecks(checks: readonly CheckRecord[]): Promise<void> {
    if (checks.length === 0) return;
    const rows = checks.map((c) => ({
      fingerprint: c.fingerprint,
      agent_id: c.agentId,
      organisation_id: c.organisationId,
      check_id: c.checkId,
      kind: c.kind,
      target: c.target,
      status: c.status,
      bad_since: c.badSince,
      crit_since: c.critSince,
      good_since: c.goodSince,
      last_at: c.lastAt,
      last_value: c.lastValue,
      unit: c.unit,
      last_message: c.lastMessage,
      evidence: json(c.evidence),
      for_seconds: c.forSeconds,
      recovery_seconds: c.recoverySeconds,
    }));
    await this.db
      .insertInto('check_states')
      .values(rows)
      .onConflict((oc) =>
        oc.column('fingerprint').doUpdateSet((eb) => ({
          organisation_id: eb.ref('excluded.organisation_id'),
          kind: eb.ref('excluded.kind'),
          status: eb.ref('excluded.status'),
          bad_since: eb.ref('excluded.bad_since'),
          crit_since: eb.ref('excluded.crit_since'),
          good_since: eb.ref('excluded.good_since'),
          last_at: eb.ref('excluded.last_at'),
          last_value: eb.ref('excluded.last_value'),
          unit: eb.ref('excluded.unit'),
          last_message: eb.ref('excluded.last_message'),
          evidence: eb.ref('excluded.evidence'),
          for_seconds: eb.ref('excluded.for_seconds'),
          recovery_seconds: eb.ref('excluded.recovery_seconds'),
        })),
      )
      .execute();
  }

  async insertAlert(a: NewAlert): Promise<Alert> {
    const row = await this.db
      .insertInto('alerts')
      .values({
        fingerprint: a.fingerprint,
        organisation_id: a.organisationId,
        agent_id: a.agentId,
        configuration_item_id: a.configurationItemId,
        kind: a.kind,
        check_id: a.checkId,
        target: a.target,
        severity: a.severity,
        state: a.state,
        message: a.message,
        last_value: a.lastValue,
        unit: a.unit,
        evidence: json(a.evidence),
        opened_at: a.openedAt,
        acknowledged_at: null,
        acknowledged_by: null,
        snoozed_until: null,
        resolved_at: null,
        incident_id: null,
        false_alarm_at: null,
        false_alarm_by: null,
        notified_at: a.notifiedAt,
        updated_at: a.openedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAlert(row);
  }

  async findAlert(id: string): Promise<Alert | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlert(row);
  }

  async lockAlert(id: string): Promise<Alert | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return row && toAlert(row);
  }

  async listOpenAlerts(agentId: string): Promise<Alert[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('agent_id', '=', agentId).where('state', '<>', 'resolved').execute();
    return rows.map(toAlert);
  }

  async findLastResolved(fingerprint: string): Promise<Alert | undefined> {
    const row = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('fingerprint', '=', fingerprint)
      .where('state', '=', 'resolved')
      .orderBy('resolved_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toAlert(row);
  }

  async updateAlert(id: string, patch: AlertPatch, at: Date): Promise<Alert> {
    const set: Record<string, unknown> = { updated_at: at };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const column = PATCH_COLUMNS[key as keyof AlertPatch];
      set[column] = key === 'evidence' ? json(value) : value;
    }
    const row = await this.db
      .updateTable('alerts')
      .set(set as Updateable<AlertsTable>)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAlert(row);
  }

  async listExpiredSnoozes(now: Date, limit: number): Promise<Alert[]> {
    const rows = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('snoozed_until', 'is not', null)
      .where('snoozed_until', '<=', now)
      .where('state', '=', 'acknowledged')
      .orderBy('snoozed_until')
      .limit(limit)
      .execute();
    return rows.map(toAlert);
  }

  async listNoisy(since: Date, organisationIds: readonly string[] | undefined, limit: number): Promise<NoisyCheck[]> {
    let q = this.db
      .selectFrom('alerts as al')
      .innerJoin('monitoring_agents as a', 'a.id', 'al.agent_id')
      .select((eb) => [
        'al.fingerprint',
        'al.organisation_id',
        eb.fn.max('a.name').as('agent_name'),
        eb.fn.max('al.check_id').as('check_id'),
        eb.fn.max('al.kind').as('kind'),
        eb.fn.max('al.target').as('target'),
        sql<string>`count(al.false_alarm_at)`.as('false_alarms'),
        sql<string>`count(*) + coalesce(sum(al.flaps), 0)`.as('firings'),
      ])
      .where('al.opened_at', '>=', since)
      .groupBy(['al.fingerprint', 'al.organisation_id']);
    if (organisationIds) q = q.where('al.organisation_id', 'in', organisationIds.length ? [...organisationIds] : [NO_ID]);
    const rows = await q
      .orderBy(sql`count(al.false_alarm_at)`, 'desc')
      .orderBy(sql`count(*) + coalesce(sum(al.flaps), 0)`, 'desc')
      .orderBy('al.fingerprint')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      organisationId: r.organisation_id,
      agentName: r.agent_name,
      checkId: r.check_id,
      kind: r.kind,
      target: r.target,
      falseAlarms: Number(r.false_alarms),
      firings: Number(r.firings),
    }));
  }

  async addSilence(s: Omit<Silence, 'id'>): Promise<Silence> {
    const row = await this.db
      .insertInto('silences')
      .values({
        organisation_id: s.organisationId,
        configuration_item_id: s.configurationItemId,
        starts_at: s.startsAt,
        ends_at: s.endsAt,
        reason: s.reason,
        created_by: s.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSilence(row);
  }

  async activeSilences(organisationId: string, at: Date): Promise<Silence[]> {
    const rows = await this.db
      .selectFrom('silences')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('starts_at', '<=', at)
      .where('ends_at', '>', at)
      .execute();
    return rows.map(toSilence);
  }

  async listSilences(at: Date, organisationIds?: readonly string[]): Promise<Silence[]> {
    let q = this.db.selectFrom('silences').selectAll().where('ends_at', '>', at);
    if (organisationIds) q = q.where('organisation_id', 'in', organisationIds.length ? [...organisationIds] : [NO_ID]);
    return (await q.orderBy('ends_at').limit(50).execute()).map(toSilence);
  }
}

/** A uuid that matches nothing, for `in ()` with an empty list. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
