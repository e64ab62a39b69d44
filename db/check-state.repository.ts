import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { CheckRecord } from '../core/alerts/model.ts';
import type { MonitoringRepository, StoredResult } from '../core/alerts/repository.ts';
import { toJson } from './column-values.ts';
import type { DeferredWrites } from './deferred-writes.ts';
import type { CheckStatesTable, MonitoringTables } from './monitoring.tables.ts';
import { PREPARED } from './prepared-statements.ts';
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
  /** States (by fingerprint, the last saved) and results not yet written (with `deferred`). */
  private readonly unsavedChecks = new Map<string, CheckRecord>();
  private readonly unsavedResults: StoredResult[] = [];

  /** With `deferred` (in a transaction) the rows go to PostgreSQL with its next query or its commit. */
  constructor(
    db: Kysely<Database>,
    private readonly deferred?: DeferredWrites,
  ) {
    this.db = db.withTables<MonitoringTables>();
  }

  async listChecks(agentId: string): Promise<CheckRecord[]> {
    return (await this.db.selectFrom('check_states').selectAll().where('agent_id', '=', agentId).execute()).map(toCheck);
  }

  /**
   * The new check states and the raw results, as statements of fixed text (the rows as arrays,
   * any number of them — a group of reports' — prepared once per connection: neither planned
   * again for each report nor built of hundreds of parameters). In a transaction they wait and
   * leave with its next query or its commit (`DeferredWrites`); otherwise they are one
   * statement, two data-modifying parts.
   */
  async saveEvaluation(checks: readonly CheckRecord[], results: readonly StoredResult[]): Promise<void> {
    if (checks.length === 0 && results.length === 0) return;
    if (!this.deferred) {
      if (checks.length === 0) return void (await sql`${sql.raw(PREPARED)} ${insertResults(results)}`.execute(this.db));
      await sql`${sql.raw(PREPARED)} with saved as (${upsertChecks(checks)}) ${insertResults(results)}`.execute(this.db);
      return;
    }
    for (const c of checks) this.unsavedChecks.set(c.fingerprint, c);
    this.unsavedResults.push(...results);
    if (checks.length > 0)
      this.deferred.defer('check_states', () => {
        const rows = [...this.unsavedChecks.values()];
        this.unsavedChecks.clear();
        return upsertChecks(rows);
      });
    if (results.length > 0) this.deferred.defer('check_results', () => insertResults(this.unsavedResults.splice(0)));
  }

  /** Inserts new fingerprints and overwrites known ones (a fingerprint names its agent, check and target, which stay). */
  async saveChecks(checks: readonly CheckRecord[]): Promise<void> {
    await this.saveEvaluation(checks, []);
  }
}

function upsertChecks(checks: readonly CheckRecord[]): RawBuilder<unknown> {
  const c = <T>(f: (c: CheckRecord) => T) => checks.map(f);
  return sql`insert into check_states (fingerprint, agent_id, organisation_id, check_id, kind, target, status, bad_since,
      crit_since, good_since, last_at, last_value, unit, last_message, evidence, for_seconds, recovery_seconds)
    select * from unnest(${c((x) => x.fingerprint)}::text[], ${c((x) => x.agentId)}::uuid[], ${c((x) => x.organisationId)}::uuid[],
      ${c((x) => x.checkId)}::text[], ${c((x) => x.kind)}::text[], ${c((x) => x.target)}::text[], ${c((x) => x.status)}::text[],
      ${c((x) => x.badSince)}::timestamptz[], ${c((x) => x.critSince)}::timestamptz[], ${c((x) => x.goodSince)}::timestamptz[],
      ${c((x) => x.lastAt)}::timestamptz[], ${c((x) => x.lastValue)}::float8[], ${c((x) => x.unit)}::text[],
      ${c((x) => x.lastMessage)}::text[], ${c((x) => toJson(x.evidence))}::jsonb[], ${c((x) => x.forSeconds)}::int[],
      ${c((x) => x.recoverySeconds)}::int[])
    on conflict (fingerprint) do update set
      organisation_id = excluded.organisation_id, kind = excluded.kind, status = excluded.status,
      bad_since = excluded.bad_since, crit_since = excluded.crit_since, good_since = excluded.good_since,
      last_at = excluded.last_at, last_value = excluded.last_value, unit = excluded.unit,
      last_message = excluded.last_message, evidence = excluded.evidence, for_seconds = excluded.for_seconds,
      recovery_seconds = excluded.recovery_seconds`;
}

function insertResults(results: readonly StoredResult[]): RawBuilder<unknown> {
  const r = <T>(f: (r: StoredResult) => T) => results.map(f);
  return sql`insert into check_results (agent_id, fingerprint, status, value, observed_at)
    select * from unnest(${r((x) => x.agentId)}::uuid[], ${r((x) => x.fingerprint)}::text[], ${r((x) => x.status)}::text[],
      ${r((x) => x.value)}::float8[], ${r((x) => x.observedAt)}::timestamptz[])`;
}
