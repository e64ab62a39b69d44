import type { Kysely, Selectable } from 'kysely';
import type { CheckRecord } from '../core/alerts/model.ts';
import type { MonitoringRepository, StoredResult } from '../core/alerts/repository.ts';
import { toJson } from './column-values.ts';
import type { CheckStatesTable, MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type CheckStatePort = Pick<MonitoringRepository, 'listChecks' | 'saveChecks' | 'saveEvaluation'>;

/** A check state row read as JSON (`to_json`): its timestamps come back as text. */
export function checkFromJson(r: Record<string, unknown>): CheckRecord {
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return toCheck({
    ...(r as unknown as Selectable<CheckStatesTable>),
    bad_since: at(r['bad_since']),
    crit_since: at(r['crit_since']),
    good_since: at(r['good_since']),
    last_at: at(r['last_at']) as Date,
  });
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

/** The current state of every check of every agent (the hysteresis input), one row per fingerprint, on PostgreSQL. */
export class CheckStateRepository implements CheckStatePort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
  }

  async listChecks(agentId: string): Promise<CheckRecord[]> {
    return (await this.db.selectFrom('check_states').selectAll().where('agent_id', '=', agentId).execute()).map(toCheck);
  }

  /** The new check states and the raw results, as two data-modifying parts of one statement. */
  async saveEvaluation(checks: readonly CheckRecord[], results: readonly StoredResult[]): Promise<void> {
    if (checks.length === 0 && results.length === 0) return;
    if (results.length === 0) return this.saveChecks(checks);
    const values = results.map((r) => ({
      agent_id: r.agentId,
      fingerprint: r.fingerprint,
      status: r.status,
      value: r.value,
      observed_at: r.observedAt,
    }));
    if (checks.length === 0) return void (await this.db.insertInto('check_results').values(values).execute());
    await this.db
      .with('saved', () => this.upsert(checks).returning('fingerprint'))
      .insertInto('check_results')
      .values(values)
      .execute();
  }

  /** Inserts new fingerprints and overwrites known ones (a fingerprint names its agent, check and target, which stay). */
  async saveChecks(checks: readonly CheckRecord[]): Promise<void> {
    if (checks.length === 0) return;
    await this.upsert(checks).execute();
  }

  private upsert(checks: readonly CheckRecord[]) {
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
    return this.db
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
      );
  }
}
