import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { Alert, AlertPatch, NewAlert, NoisyCheck } from '../core/alerts/model.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { idsForIn, isUuid, toJson } from './column-values.ts';
import type { AlertsTable, MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type AlertPort = Pick<
  MonitoringRepository,
  'insertAlert' | 'findAlert' | 'lockAlert' | 'listOpenAlerts' | 'findLastResolved' | 'updateAlert' | 'listExpiredSnoozes' | 'listNoisy'
>;

/** An alert row read as JSON (`to_json`): its timestamps come back as text. */
export function alertFromJson(r: Record<string, unknown>): Alert {
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return toAlert({
    ...(r as unknown as Selectable<AlertsTable>),
    opened_at: at(r['opened_at']) as Date,
    acknowledged_at: at(r['acknowledged_at']),
    snoozed_until: at(r['snoozed_until']),
    resolved_at: at(r['resolved_at']),
    false_alarm_at: at(r['false_alarm_at']),
    notified_at: at(r['notified_at']),
    updated_at: at(r['updated_at']) as Date,
  });
}

export function toAlert(r: Selectable<AlertsTable>): Alert {
  return {
    id: r.id,
    number: r.number,
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

/** Alerts on PostgreSQL: one row per firing of a fingerprint, reopened when it fires again soon. */
export class AlertRepository implements AlertPort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
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
        evidence: toJson(a.evidence),
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

  /** Writes the fields present in `patch` (an `undefined` field is left as it is) and `updated_at`. */
  async updateAlert(id: string, patch: AlertPatch, at: Date): Promise<Alert> {
    const set: Record<string, unknown> = { updated_at: at };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const column = PATCH_COLUMNS[key as keyof AlertPatch];
      set[column] = key === 'evidence' ? toJson(value) : value;
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
    if (organisationIds) q = q.where('al.organisation_id', 'in', idsForIn(organisationIds));
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
}
