import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Ticket } from '../core/kernel/ticket.ts';
import type { SlaOverview, SlaOverviewQuery, SlaRepository as SlaRepositoryPort } from '../core/sla/ports.ts';
import type { PlannedSlaEvent, SlaEventRecord } from '../core/sla/sla-event-kind.ts';
import type { SlaPolicyRow, SlaSettings } from '../core/sla/sla-policy.ts';
import type { CachedSla, ConfigView } from './config-cache.ts';
import { PREPARED } from './prepared-statements.ts';
import type { Database, TicketsTable } from './schema.ts';
import type { SlaEventsTable, SlaTables } from './sla.tables.ts';
import { toTicket } from './ticket.repository.ts';
import type { WriteTally } from './write-tally.ts';

function toEvent(r: Selectable<SlaEventsTable>): SlaEventRecord {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    target: r.target,
    kind: r.kind,
    dueAt: r.due_at,
    firedAt: r.fired_at,
    queuedAt: r.queued_at,
    createdAt: r.created_at,
  };
}

/** SLA policies, settings, planned events and the scheduled-run ledger on PostgreSQL. */
export class SlaRepository implements SlaRepositoryPort {
  private readonly db: Kysely<Database & SlaTables>;

  /**
   * `tally` counts the events planned, when the repository serves one transaction (see
   * KyselyStore); `config` holds the store's copy of policies and settings (ConfigCache).
   */
  constructor(
    db: Kysely<Database>,
    private readonly tally?: WriteTally,
    private readonly config?: ConfigView,
  ) {
    this.db = db.withTables<SlaTables>();
  }

  async listPolicies(): Promise<SlaPolicyRow[]> {
    const rows = await this.db.selectFrom('sla_policies').selectAll().orderBy('tier').orderBy('priority').execute();
    return rows.map((r) => ({
      tier: r.tier,
      priority: r.priority,
      responseMinutes: r.response_minutes,
      resolutionMinutes: r.resolution_minutes,
      allHours: r.all_hours,
    }));
  }

  async savePolicy(row: SlaPolicyRow, by: string | null, at: Date): Promise<void> {
    this.config?.wrote();
    const values = {
      response_minutes: row.responseMinutes,
      resolution_minutes: row.resolutionMinutes,
      all_hours: row.allHours,
      updated_at: at,
      updated_by: by,
    };
    await this.db
      .insertInto('sla_policies')
      .values({ tier: row.tier, priority: row.priority, ...values })
      .onConflict((oc) => oc.columns(['tier', 'priority']).doUpdateSet(values))
      .execute();
  }

  async getSettings(): Promise<SlaSettings | undefined> {
    const r = await this.db.selectFrom('sla_settings').selectAll().where('id', '=', 1).executeTakeFirst();
    return (
      r && {
        timeZone: r.time_zone,
        hours: r.hours,
        localHolidays: r.local_holidays,
        reannounceAfter: r.reannounce_after,
        reportAfter: r.report_after,
      }
    );
  }

  async policiesAndSettings(): Promise<{ readonly policies: SlaPolicyRow[]; readonly settings: SlaSettings | undefined }> {
    const { policies, settings } = await this.readPoliciesAndSettings();
    return { policies: [...policies], settings: settings && { ...settings, localHolidays: [...settings.localHolidays] } };
  }

  /** The store's copy when it has one (no query), else read (and kept) with its version. */
  async cachedPoliciesAndSettings(): Promise<CachedSla> {
    return this.config?.cache.sla ?? (await this.readPoliciesAndSettings());
  }

  /**
   * One row per policy (one with null policy columns when there is none), the settings and the
   * configuration version on each; the store keeps what it read unless this transaction wrote
   * configuration (its version could then be one that never commits).
   */
  private async readPoliciesAndSettings(): Promise<CachedSla> {
    const { rows } = await sql<
      Partial<Selectable<SlaTables['sla_policies']> & Selectable<SlaTables['sla_settings']>> & { config_version: string }
    >`${sql.raw(PREPARED)}
      select p.tier, p.priority, p.response_minutes, p.resolution_minutes, p.all_hours,
        s.time_zone, s.hours, s.local_holidays, s.reannounce_after, s.report_after, v.version::text as config_version
      from config_version v left join sla_settings s on s.id = 1 left join sla_policies p on true
      where v.id = 1
      order by p.tier, p.priority`.execute(this.db);
    const s = rows[0];
    const policies: SlaPolicyRow[] = [];
    for (const r of rows)
      if (r.tier != null && r.priority != null && r.response_minutes != null && r.resolution_minutes != null && r.all_hours != null)
        policies.push({
          tier: r.tier,
          priority: r.priority,
          responseMinutes: r.response_minutes,
          resolutionMinutes: r.resolution_minutes,
          allHours: r.all_hours,
        });
    const settings =
      s && s.time_zone != null && s.hours != null && s.local_holidays != null && s.reannounce_after != null && s.report_after != null
        ? {
            timeZone: s.time_zone,
            hours: s.hours,
            localHolidays: s.local_holidays,
            reannounceAfter: s.reannounce_after,
            reportAfter: s.report_after,
          }
        : undefined;
    const version = s?.config_version;
    if (version === undefined) throw new Error('config_version has no row');
    // The copy is shared by every transaction of the store: frozen, so no caller can change it.
    const read: CachedSla = Object.freeze({
      version,
      policies: Object.freeze(policies),
      settings: settings && Object.freeze({ ...settings, localHolidays: Object.freeze([...settings.localHolidays]) }),
    });
    if (this.config && !this.config.wroteConfiguration) this.config.cache.sla = read;
    return read;
  }

  async saveSettings(s: SlaSettings, by: string | null, at: Date): Promise<void> {
    this.config?.wrote();
    const values = {
      time_zone: s.timeZone,
      hours: s.hours,
      local_holidays: JSON.stringify(s.localHolidays),
      reannounce_after: s.reannounceAfter,
      report_after: s.reportAfter,
      updated_at: at,
      updated_by: by,
    };
    await this.db
      .insertInto('sla_settings')
      .values({ id: 1, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async lockTicket(ticketId: string, opts: { readonly skipLocked?: boolean } = {}): Promise<Ticket | undefined> {
    let q = this.db.selectFrom('tickets').selectAll().where('id', '=', ticketId).forUpdate();
    if (opts.skipLocked) q = q.skipLocked();
    const row = await q.executeTakeFirst();
    return row && toTicket(row);
  }

  async listEvents(ticketId: string): Promise<SlaEventRecord[]> {
    const rows = await this.db
      .selectFrom('sla_events')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .orderBy('due_at')
      .orderBy('created_at')
      .execute();
    return rows.map(toEvent);
  }

  async rewrite(ticketId: string, removeIds: readonly string[], add: readonly PlannedSlaEvent[], at: Date): Promise<void> {
    if (removeIds.length > 0) {
      await this.db
        .deleteFrom('sla_events')
        .where('ticket_id', '=', ticketId)
        .where('id', 'in', removeIds)
        .where('fired_at', 'is', null)
        .execute();
    }
    if (add.length > 0) {
      await this.db
        .insertInto('sla_events')
        .values(add.map((e) => ({ ticket_id: ticketId, target: e.target, kind: e.kind, due_at: e.dueAt, created_at: at })))
        .execute();
      if (this.tally) this.tally.slaEvents += add.length;
    }
  }

  async findEvent(id: string): Promise<SlaEventRecord | undefined> {
    const row = await this.db.selectFrom('sla_events').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toEvent(row);
  }

  /** One conditional UPDATE: of any number of racing callers exactly one gets the row back. */
  async markFired(id: string, at: Date): Promise<SlaEventRecord | undefined> {
    const row = await this.db
      .updateTable('sla_events')
      .set({ fired_at: at })
      .where('id', '=', id)
      .where('fired_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row && toEvent(row);
  }

  async lockTickets(ticketIds: readonly string[], opts: { readonly skipLocked?: boolean } = {}): Promise<Ticket[]> {
    if (ticketIds.length === 0) return [];
    let q = this.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', sql<string>`any(${[...ticketIds]}::uuid[])`)
      .orderBy('id')
      .forUpdate();
    if (opts.skipLocked) q = q.skipLocked();
    return (await q.execute()).map(toTicket);
  }

  async lockEvent(id: string): Promise<SlaEventRecord | undefined> {
    const row = await this.db.selectFrom('sla_events').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    return row && toEvent(row);
  }

  async lockDue(now: Date, limit: number, except: readonly string[]): Promise<SlaEventRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.db
      .selectFrom('sla_events')
      .selectAll()
      .where('fired_at', 'is', null)
      .where('due_at', '<=', now)
      .$if(except.length > 0, (q) => q.where('id', '<>', sql<string>`all(${[...except]}::uuid[])`))
      .orderBy('due_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toEvent);
  }

  /** One conditional UPDATE, like `markFired`: rows fired meanwhile by anyone else are not returned. */
  async markFiredMany(ids: readonly string[], at: Date): Promise<SlaEventRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('sla_events')
      .set({ fired_at: at })
      .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
      .where('fired_at', 'is', null)
      .returningAll()
      .execute();
    return rows.map(toEvent);
  }

  async listDue(now: Date, limit: number): Promise<SlaEventRecord[]> {
    const rows = await this.db
      .selectFrom('sla_events')
      .selectAll()
      .where('fired_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  /** `SKIP LOCKED`: two pumps running at once take disjoint batches. */
  async claimForTimers(until: Date, at: Date, limit: number): Promise<SlaEventRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.db
      .with('due', (db) =>
        db
          .selectFrom('sla_events')
          .select('id')
          .where('fired_at', 'is', null)
          .where('queued_at', 'is', null)
          .where('due_at', '<=', until)
          .orderBy('due_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .updateTable('sla_events')
      .from('due')
      .set({ queued_at: at })
      .whereRef('sla_events.id', '=', 'due.id')
      .where('sla_events.queued_at', 'is', null)
      .returningAll('sla_events')
      .execute();
    return rows.map(toEvent).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  async releaseTimers(ids?: readonly string[]): Promise<number> {
    if (ids && ids.length === 0) return 0;
    let q = this.db.updateTable('sla_events').set({ queued_at: null }).where('fired_at', 'is', null).where('queued_at', 'is not', null);
    if (ids) q = q.where('id', 'in', ids);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async claimRun(name: string, key: string, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('scheduled_runs')
      .values({ name, run_key: key, ran_at: at })
      .onConflict((oc) => oc.columns(['name', 'run_key']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Two queries over the same CTEs: `open_tickets` (with whether each clock still runs) and
   * `flags` (late, at risk and the earliest breach, from the events of the live targets).
   */
  async openTicketsOverview(q: SlaOverviewQuery): Promise<SlaOverview> {
    const values = (xs: readonly string[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`)) : sql`null`);
    const withFlags = (query: RawBuilder<unknown>) => sql`
      with open_tickets as (
        select t.id, t.status, t.assignee_id,
          t.status in (${values(q.counting)}) as resolution_running,
          t.status = 'new' and not exists (
            select 1 from ticket_events e where e.ticket_id = t.id and e.field = 'status' and e.to_value <> 'new'
          ) as response_running
        from tickets t
        where t.status in (${values(q.statuses)})
      ),
      flags as (
        select o.id,
          min(s.due_at) filter (where s.kind = 'breach') as breach_at,
          coalesce(bool_or(s.kind = 'breach' and s.due_at <= ${q.now}), false) as late,
          coalesce(bool_or(
            s.kind in (${values(q.riskKinds)}) and s.due_at <= ${q.now} and (s.target = 'response' or o.resolution_running)
          ), false) as risky
        from open_tickets o
        join sla_events s on s.ticket_id = o.id
          and (s.target = 'resolution' or (s.target = 'response' and o.response_running))
        group by o.id
      )
      ${query}`;
    const counts = await withFlags(sql`
      select
        (select count(*) from open_tickets) as open,
        (select count(*) from open_tickets where status = 'new' and assignee_id is null) as unclaimed,
        (select count(*) from flags where risky and not late) as at_risk,
        (select count(*) from flags where late) as late`)
      .$castTo<{ open: string; unclaimed: string; at_risk: string; late: string }>()
      .execute(this.db);
    const urgent = await withFlags(sql`
      select t.* from tickets t join flags f on f.id = t.id
      where f.late or f.risky
      order by f.breach_at nulls last, t.created_at, t.id
      limit ${q.limit}`)
      .$castTo<Selectable<TicketsTable>>()
      .execute(this.db);
    const c = counts.rows[0];
    return {
      open: Number(c?.open ?? 0),
      unclaimed: Number(c?.unclaimed ?? 0),
      atRisk: Number(c?.at_risk ?? 0),
      late: Number(c?.late ?? 0),
      urgent: urgent.rows.map(toTicket),
    };
  }
}
