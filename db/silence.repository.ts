import { type ExpressionBuilder, type Kysely, type Selectable, sql } from 'kysely';
import type { Silence } from '../core/alerts/model.ts';
import type { MonitoringRepository } from '../core/alerts/repository.ts';
import { idsForIn } from './column-values.ts';
import type { MonitoringTables, SilencesTable } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

type SilencePort = Pick<
  MonitoringRepository,
  'addSilence' | 'activeSilences' | 'listSilences' | 'replaceChangeSilences' | 'endChangeSilences' | 'listChangeSilences'
>;

function toSilence(r: Selectable<SilencesTable>): Silence {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    configurationItemId: r.configuration_item_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    reason: r.reason,
    createdBy: r.created_by,
    changeId: r.change_id,
  };
}

/**
 * A silence set by a change's window holds only while the change is approved or scheduled: a
 * change withdrawn (or finished) by any path stops silencing at once, even before its silences
 * are ended.
 */
const liveChange = (eb: ExpressionBuilder<Database & MonitoringTables, 'silences'>) =>
  eb.or([
    eb('silences.change_id', 'is', null),
    eb.exists(
      eb
        .selectFrom('tickets')
        .select(sql.lit(1).as('one'))
        .whereRef('tickets.id', '=', 'silences.change_id')
        .where('tickets.status', 'in', ['approved', 'scheduled']),
    ),
  ]);

/** Silences (maintenance windows of an organisation or one of its machines, or a change's window) on PostgreSQL. */
export class SilenceRepository implements SilencePort {
  private readonly db: Kysely<Database & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MonitoringTables>();
  }

  private values(s: Omit<Silence, 'id'>) {
    return {
      organisation_id: s.organisationId,
      configuration_item_id: s.configurationItemId,
      starts_at: s.startsAt,
      ends_at: s.endsAt,
      reason: s.reason,
      created_by: s.createdBy,
      change_id: s.changeId ?? null,
    };
  }

  async addSilence(s: Omit<Silence, 'id'>): Promise<Silence> {
    const row = await this.db.insertInto('silences').values(this.values(s)).returningAll().executeTakeFirstOrThrow();
    return toSilence(row);
  }

  async activeSilences(organisationId: string, at: Date): Promise<Silence[]> {
    const rows = await this.db
      .selectFrom('silences')
      .selectAll('silences')
      .where('organisation_id', '=', organisationId)
      .where('starts_at', '<=', at)
      .where('ends_at', '>', at)
      .where(liveChange)
      .execute();
    return rows.map(toSilence);
  }

  async listSilences(at: Date, organisationIds?: readonly string[]): Promise<Silence[]> {
    let q = this.db.selectFrom('silences').selectAll('silences').where('ends_at', '>', at).where(liveChange);
    if (organisationIds) q = q.where('organisation_id', 'in', idsForIn(organisationIds));
    return (await q.orderBy('ends_at').limit(50).execute()).map(toSilence);
  }

  async replaceChangeSilences(changeId: string, silences: readonly Omit<Silence, 'id'>[]): Promise<Silence[]> {
    await this.db.deleteFrom('silences').where('change_id', '=', changeId).execute();
    if (silences.length === 0) return [];
    const rows = await this.db
      .insertInto('silences')
      .values(silences.map((s) => this.values({ ...s, changeId })))
      .returningAll()
      .execute();
    return rows.map(toSilence);
  }

  async endChangeSilences(changeId: string, at: Date): Promise<number> {
    // A silence not started yet (or starting this very instant) goes; an active one ends now.
    const future = await this.db.deleteFrom('silences').where('change_id', '=', changeId).where('starts_at', '>=', at).executeTakeFirst();
    const active = await this.db
      .updateTable('silences')
      .set({ ends_at: at })
      .where('change_id', '=', changeId)
      .where('ends_at', '>', at)
      .executeTakeFirst();
    return Number(future.numDeletedRows) + Number(active.numUpdatedRows);
  }

  async listChangeSilences(changeId: string): Promise<Silence[]> {
    const rows = await this.db.selectFrom('silences').selectAll().where('change_id', '=', changeId).orderBy('starts_at').execute();
    return rows.map(toSilence);
  }
}
