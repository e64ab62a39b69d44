import type { Kysely } from 'kysely';
import type { MonitoringRepository, StoredResult } from '../core/alerts/repository.ts';
import type { MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type AgentReportPort = Pick<MonitoringRepository, 'rememberNonce' | 'rememberBatch' | 'insertResults' | 'purge'>;

/**
 * What the agents' signed reports leave behind on PostgreSQL: the request nonces and batch ids
 * that make replays and resends harmless, and the raw check results (history). All three are
 * kept for a while only, then purged.
 */
export class AgentReportRepository implements AgentReportPort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
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
}
