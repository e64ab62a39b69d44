import type { Kysely, Selectable } from 'kysely';
import type { CheckRecord } from '../core/alerts/model.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { toJson } from './column-values.ts';
import type { CheckStatesTable, MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type CheckStatePort = Pick<MonitoringRepository, 'listChecks' | 'saveChecks'>;

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

/** The current state of every check of every agent (the hysteresis input), one row per fingerprint, on PostgreSQL. */
export class CheckStateRepository implements CheckStatePort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
  }

  async listChecks(agentId: string): Promise<CheckRecord[]> {
    return (await this.db.selectFrom('check_states').selectAll().where('agent_id', '=', agentId).execute()).map(toCheck);
  }

  /** Inserts new fingerprints and overwrites known ones (a fingerprint names its agent, check and target, which stay). */
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
      evidence: toJson(c.evidence),
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
}
