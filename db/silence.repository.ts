import type { Kysely, Selectable } from 'kysely';
import type { Silence } from '../core/alerts/model.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { idsForIn } from './column-values.ts';
import type { MonitoringTables, SilencesTable } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type SilencePort = Pick<MonitoringRepository, 'addSilence' | 'activeSilences' | 'listSilences'>;

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

/** Silences (maintenance windows of an organisation or one of its machines) on PostgreSQL. */
export class SilenceRepository implements SilencePort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
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
    if (organisationIds) q = q.where('organisation_id', 'in', idsForIn(organisationIds));
    return (await q.orderBy('ends_at').limit(50).execute()).map(toSilence);
  }
}
