import { type Kysely, type Selectable, sql } from 'kysely';
import type { MonitoredAgent, NewAgent } from '../core/alerts/model.ts';
import { offlineFingerprint } from '../core/alerts/model.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { idsForIn, isUuid } from './column-values.ts';
import type { MonitoringAgentsTable, MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type AgentPort = Pick<
  MonitoringRepository,
  'createAgent' | 'findAgent' | 'lockAgent' | 'revokeAgent' | 'listAgents' | 'touchAgent' | 'listOverdueAgents'
>;

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
