/**
 * Revoking a monitoring agent is recorded like revoking a role: who decided it and why, beside
 * `revoked_at` (migration 0004), which already made the ingest refuse the agent.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('monitoring_agents')
    .addColumn('revoked_by', 'uuid', (c) => c.references('people.id'))
    .addColumn('revoke_reason', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('monitoring_agents').dropColumn('revoked_by').dropColumn('revoke_reason').execute();
}
