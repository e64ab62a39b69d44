import { type Kysely, type Selectable, sql } from 'kysely';
import type { MonitoredAgent, NewAgent } from '../core/alerts/model.ts';
import { offlineFingerprint } from '../core/alerts/model.ts';
import type { MonitoringRepository, OpenedReport, ReportOpening } from '../core/alerts/repository.ts';
import { alertFromJson } from './alert.repository.ts';
import { checkFromJson } from './check-state.repository.ts';
import { idsForIn, isUuid } from './column-values.ts';
import type { MonitoringAgentsTable, MonitoringTables } from './monitoring.tables.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

type AgentPort = Pick<
  MonitoringRepository,
  | 'createAgent'
  | 'findAgent'
  | 'listAgentSecrets'
  | 'lockAgent'
  | 'revokeAgent'
  | 'listAgents'
  | 'touchAgent'
  | 'openReport'
  | 'openReports'
  | 'listOverdueAgents'
>;

/** The columns of `monitoring_agents`, named (a prepared statement's result type must not change with a migration). */
const AGENT_COLUMNS = [
  'id',
  'organisation_id',
  'person_id',
  'name',
  'secret',
  'heartbeat_seconds',
  'grace_seconds',
  'agent_version',
  'enrolled_at',
  'enrolled_by',
  'last_seen_at',
  'revoked_at',
  'dropped_batches',
  'revoked_by',
  'revoke_reason',
] as const satisfies readonly (keyof MonitoringAgentsTable)[];

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
    droppedBatches: r.dropped_batches,
  };
}

/** Monitoring agents on PostgreSQL: enrolment, heartbeats, revocation, the overdue ones. */
export class AgentRepository implements AgentPort {
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

  async listAgentSecrets(limit: number): Promise<{ id: string; secret: string }[]> {
    return this.db
      .selectFrom('monitoring_agents')
      .select(['id', 'secret'])
      .where('revoked_at', 'is', null)
      .orderBy('last_seen_at', (o) => o.desc().nullsLast())
      .limit(limit)
      .execute();
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
    if (organisationIds) q = q.where('organisation_id', 'in', idsForIn(organisationIds));
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

  /** `openReports` for one report. */
  async openReport(
    id: string,
    nonce: string,
    at: Date,
    seen: { heartbeatSeconds: number; graceSeconds: number; agentVersion: string; droppedBatches: number | null },
    batches: readonly { readonly id: string; readonly results: number }[],
  ): Promise<OpenedReport | undefined> {
    return (await this.openReports(at, [{ agentId: id, nonce, seen, batches }]))[0];
  }

  /**
   * `lockAgent`, `rememberNonce`, `touchAgent`, `rememberBatch`, `listOpenAlerts` and
   * `listChecks` for several agents' reports as one statement of fixed text (prepared once per
   * connection; the reports as arrays): the agents' rows are locked in id order, a nonce goes in
   * only for a live agent whose row is locked, the heartbeat and the batch ids only with a new
   * nonce; the reads come back as JSON, one row per live agent.
   */
  async openReports(at: Date, reports: readonly ReportOpening[]): Promise<(OpenedReport | undefined)[]> {
    const valid = reports.filter((r) => isUuid(r.agentId));
    if (new Set(valid.map((r) => r.agentId.toLowerCase())).size !== valid.length)
      throw new Error('openReports: one report per agent in a statement');
    if (valid.length === 0) return reports.map(() => undefined);
    type Row = Selectable<MonitoringAgentsTable> & { fresh: boolean; fresh_batches: string[] };
    type StateRow = { id: string; open_alerts: Record<string, unknown>[]; checks: Record<string, unknown>[] };
    const batches = valid.flatMap((r) => r.batches.map((b) => ({ agentId: r.agentId, ...b })));
    const opening = sql<Row>`${sql.raw(PREPARED)}
      with req as (
        select * from unnest(${valid.map((r) => r.agentId)}::uuid[], ${valid.map((r) => r.nonce)}::text[],
          ${valid.map((r) => r.seen.heartbeatSeconds)}::int[], ${valid.map((r) => r.seen.graceSeconds)}::int[],
          ${valid.map((r) => r.seen.agentVersion)}::text[], ${valid.map((r) => r.seen.droppedBatches)}::int[])
          as r(agent_id, nonce, heartbeat_seconds, grace_seconds, agent_version, dropped_batches)
      ), live as (
        select m.id from monitoring_agents m
         where m.id = any(${valid.map((r) => r.agentId)}::uuid[]) and m.revoked_at is null
         order by m.id for update of m
      ), nonce as (
        insert into agent_nonces (agent_id, nonce, seen_at)
        select r.agent_id, r.nonce, ${at}::timestamptz from req r join live on live.id = r.agent_id
        on conflict (agent_id, nonce) do nothing
        returning agent_id
      ), touched as (
        update monitoring_agents m set
          -- Buffered batches arrive late: the agent is seen now, never earlier than before.
          last_seen_at = greatest(m.last_seen_at, ${at}::timestamptz),
          heartbeat_seconds = r.heartbeat_seconds,
          grace_seconds = r.grace_seconds,
          agent_version = r.agent_version,
          dropped_batches = coalesce(r.dropped_batches, m.dropped_batches)
        from nonce join req r on r.agent_id = nonce.agent_id
        where m.id = nonce.agent_id
        returning ${sql.raw(AGENT_COLUMNS.map((c) => `m.${c}`).join(', '))}
      ), stored as (
        insert into agent_batches (agent_id, batch_id, results, received_at)
        select b.agent_id, b.id, b.results, ${at}::timestamptz
          from unnest(${batches.map((b) => b.agentId)}::uuid[], ${batches.map((b) => b.id)}::uuid[], ${batches.map((b) => b.results)}::int[])
            as b(agent_id, id, results)
          join nonce on nonce.agent_id = b.agent_id
        on conflict (agent_id, batch_id) do nothing
        returning agent_id, batch_id
      )
      select ${sql.raw(AGENT_COLUMNS.map((c) => `t.${c}`).join(', '))}, true as fresh,
          array(select s.batch_id::text from stored s where s.agent_id = t.id) as fresh_batches
        from touched t
      union all
      select ${sql.raw(AGENT_COLUMNS.map((c) => `m.${c}`).join(', '))}, false, '{}'
        from monitoring_agents m join live on live.id = m.id
       where not exists (select 1 from touched t where t.id = m.id)`.compile(this.db);
    // The agents' state is read by a second statement, sent in the same write right behind the
    // first: it starts once the first holds the agents' locks, so it sees what a transaction of
    // another process committed while the first waited for them (a statement's own reads keep
    // the snapshot it started with; only the locked rows are read again).
    const state = sql<StateRow>`${sql.raw(PREPARED)}
      select a.id::text as id,
          (select coalesce(json_agg(al), '[]') from alerts al where al.agent_id = a.id and al.state <> 'resolved') as open_alerts,
          (select coalesce(json_agg(c), '[]') from check_states c where c.agent_id = a.id) as checks
        from unnest(${valid.map((r) => r.agentId)}::uuid[]) as a(id)`.compile(this.db);
    const [rows, states] = await this.db.getExecutor().provideConnection(async (connection) => {
      const both = [connection.executeQuery<Row>(opening), connection.executeQuery<StateRow>(state)] as const;
      const [a, b] = await Promise.allSettled(both);
      if (a.status === 'rejected') throw a.reason;
      if (b.status === 'rejected') throw b.reason;
      return [a.value.rows, b.value.rows] as const;
    });
    const byAgent = new Map(rows.map((row) => [row.id, row]));
    const stateOf = new Map(states.map((row) => [row.id, row]));
    return reports.map(({ agentId }) => {
      const row = isUuid(agentId) ? byAgent.get(agentId.toLowerCase()) : undefined;
      // A report not fresh (a replay) is not evaluated: nothing of the state is needed.
      const known = row?.fresh ? stateOf.get(row.id) : undefined;
      return (
        row && {
          agent: toAgent(row),
          fresh: row.fresh,
          freshBatches: new Set(row.fresh_batches),
          openAlerts: (known?.open_alerts ?? []).map(alertFromJson),
          checks: (known?.checks ?? []).map(checkFromJson),
        }
      );
    });
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
}
