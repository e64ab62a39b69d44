import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Role } from '../core/kernel/person.ts';
import type { TicketKind, Tier } from '../core/kernel/ticket.ts';
import { TICKET_KINDS } from '../core/kernel/ticket.ts';
import type {
  Breach,
  BreachCause,
  Durations,
  FlowReport,
  ObserverReport,
  Period,
  ReportScope,
  TargetFigures,
  VendorOnTime,
} from '../core/reports/model.ts';
import type { ReportRepository as ReportPort } from '../core/reports/ports.ts';
import type { Database } from './schema.ts';

const EXPIRY_HORIZON = sql`interval '30 days'`;

/** `and t.organisation_id = …` when the report is about one organisation. */
const inScope = (scope: ReportScope, alias = 't'): RawBuilder<unknown> =>
  scope.organisationId ? sql`and ${sql.ref(`${alias}.organisation_id`)} = ${scope.organisationId}::uuid` : sql``;

const pct = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);
const round1 = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);

function byKind(rows: readonly { kind: TicketKind; n: number }[]): Record<TicketKind, number> {
  const out = Object.fromEntries(TICKET_KINDS.map((k) => [k, 0])) as Record<TicketKind, number>;
  for (const r of rows) out[r.kind] = r.n;
  return out;
}

/**
 * The reports in SQL. A target "concluded" in the period when the ticket was first claimed
 * (response) or resolved (resolution) in it; it was breached when its `breach` SLA event fired.
 */
export class ReportRepository implements ReportPort {
  constructor(private readonly db: Kysely<Database>) {}

  async flowReport(period: Period, scope: ReportScope): Promise<FlowReport> {
    const { from, to } = period;
    const [opened, closed, response, resolution, unclaimed, breaches, expiring, complaints, vendors] = await Promise.all([
      sql<{ kind: TicketKind; n: number }>`
        select kind, count(*)::int as n from tickets t where created_at >= ${from} and created_at < ${to} ${inScope(scope)} group by kind`.execute(
        this.db,
      ),
      sql<{ kind: TicketKind; n: number }>`
        select kind, count(*)::int as n from tickets t
         where coalesce(resolved_at, closed_at) >= ${from} and coalesce(resolved_at, closed_at) < ${to} ${inScope(scope)}
         group by kind`.execute(this.db),
      this.targetFigures('response', period, scope),
      this.targetFigures('resolution', period, scope),
      sql<{ ref: string; priority: number; opened_at: Date }>`
        select t.ref, t.priority, t.created_at as opened_at from tickets t
         where t.status = 'new' and t.created_at < ${to} ${inScope(scope)}
           and exists (select 1 from sla_events e where e.ticket_id = t.id and e.target = 'response' and e.kind = 'breach'
                        and e.fired_at is not null and e.fired_at < ${to})
         order by t.created_at limit 50`.execute(this.db),
      sql<{ ref: string; target: 'response' | 'resolution'; tier: Tier; priority: number; at: Date; status_then: string | null }>`
        select t.ref, e.target, t.tier, t.priority, e.fired_at as at,
               (select x.to_value from ticket_events x where x.ticket_id = t.id and x.field = 'status' and x.at <= e.fired_at
                 order by x.seq desc limit 1) as status_then
          from sla_events e join tickets t on t.id = e.ticket_id
         where e.kind = 'breach' and e.fired_at >= ${from} and e.fired_at < ${to} and e.target in ('response', 'resolution') ${inScope(scope)}
         order by e.fired_at limit 200`.execute(this.db),
      scope.organisationId
        ? Promise.resolve({ rows: [] })
        : sql<{ name: string; role: Role; expires_at: Date }>`
        select p.display_name as name, g.role, g.expires_at from role_grants g join people p on p.id = g.person_id
         where g.revoked_at is null and g.expires_at >= ${to} and g.expires_at < ${to}::timestamptz + ${EXPIRY_HORIZON}
         order by g.expires_at`.execute(this.db),
      scope.organisationId
        ? Promise.resolve({ rows: [] })
        : sql<{ ref: string; subject: string; filed_at: Date }>`
        select ref, subject_label as subject, filed_at from complaints where status = 'open' and filed_at < ${to} order by filed_at`.execute(
            this.db,
          ),
      this.vendorsOnTime(period, scope),
    ]);
    return {
      period,
      opened: byKind(opened.rows),
      closed: byKind(closed.rows),
      response,
      resolution,
      unclaimedOverTarget: unclaimed.rows.map((r) => ({ ref: r.ref, priority: r.priority, openedAt: r.opened_at })),
      breaches: breaches.rows.map(
        (r): Breach => ({
          ref: r.ref,
          target: r.target,
          tier: r.tier,
          priority: r.priority,
          at: r.at,
          cause: causeOf(r.target, r.tier, r.status_then),
        }),
      ),
      certificationsExpiring: expiring.rows.map((r) => ({ name: r.name, role: r.role, expiresAt: r.expires_at })),
      complaintsOpen: complaints.rows.map((r) => ({ ref: r.ref, subject: r.subject, filedAt: r.filed_at })),
      vendorsOnTime: vendors,
    };
  }

  private async targetFigures(target: 'response' | 'resolution', { from, to }: Period, scope: ReportScope): Promise<TargetFigures> {
    const concluded =
      target === 'response'
        ? sql`select e.ticket_id from ticket_events e join tickets t on t.id = e.ticket_id
               where e.field = 'status' and e.to_value = 'assigned' and e.at >= ${from} and e.at < ${to} ${inScope(scope)}
                 and not exists (select 1 from ticket_events p where p.ticket_id = e.ticket_id and p.field = 'status'
                                  and p.to_value = 'assigned' and p.seq < e.seq)`
        : sql`select t.id as ticket_id from tickets t where t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)}`;
    const { rows } = await sql<{ concluded: number; breached: number }>`
      with c as (${concluded})
      select count(*)::int as concluded,
             count(*) filter (where exists (select 1 from sla_events s where s.ticket_id = c.ticket_id and s.target = ${target}
                                              and s.kind = 'breach' and s.fired_at is not null))::int as breached
        from c`.execute(this.db);
    const r = rows[0] ?? { concluded: 0, breached: 0 };
    return { concluded: r.concluded, breached: r.breached, metPct: pct(r.concluded - r.breached, r.concluded) };
  }

  /** Per vendor: engagements whose ticket was resolved in the period, and how many without a resolution breach after the work began. */
  private async vendorsOnTime({ from, to }: Period, scope: ReportScope): Promise<VendorOnTime[]> {
    const { rows } = await sql<{ ref: string; name: string; engagements: number; on_time: number }>`
      select v.ref, v.name, count(*)::int as engagements,
             count(*) filter (where not exists (select 1 from sla_events s where s.ticket_id = t.id and s.target = 'resolution'
                                                 and s.kind = 'breach' and s.fired_at >= e.started_at))::int as on_time
        from engagements e join tickets t on t.id = e.ticket_id join vendors v on v.id = e.vendor_id
       where e.started_at is not null and t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)}
       group by v.ref, v.name order by v.name`.execute(this.db);
    return rows.map((r) => ({
      vendorRef: r.ref,
      vendorName: r.name,
      engagements: r.engagements,
      onTime: r.on_time,
      pct: pct(r.on_time, r.engagements),
    }));
  }

  async observerReport(period: Period, scope: ReportScope): Promise<ObserverReport> {
    const { from, to } = period;
    const [served, named, response, resolution, satisfaction, deflection, effort, vendors] = await Promise.all([
      sql<{ tier: Tier; n: number; orgs: number }>`
        select tier, count(*)::int as n, count(distinct organisation_id)::int as orgs from tickets t
         where t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)} group by rollup (tier)`.execute(this.db),
      sql<{ name: string; served: number }>`
        select o.name, count(*)::int as served from tickets t join organisations o on o.id = t.organisation_id
         where o.named_in_reports and t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)}
         group by o.name order by served desc, o.name limit 20`.execute(this.db),
      this.durations(
        sql`select extract(epoch from (e.at - t.created_at)) / 3600 as hours from ticket_events e join tickets t on t.id = e.ticket_id
             where e.field = 'status' and e.to_value = 'assigned' and e.at >= ${from} and e.at < ${to} ${inScope(scope)}
               and not exists (select 1 from ticket_events p where p.ticket_id = e.ticket_id and p.field = 'status'
                                and p.to_value = 'assigned' and p.seq < e.seq)`,
      ),
      this.durations(
        sql`select extract(epoch from (t.resolved_at - t.created_at)) / 3600 as hours from tickets t
             where t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)}`,
      ),
      sql<{ ratings: number; average: number | null }>`
        select count(rating)::int as ratings, avg(rating)::float8 as average from tickets t
         where t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)}`.execute(this.db),
      scope.organisationId
        ? sql<{ offers: number; solved: number }>`
            select count(*)::int as offers, count(*) filter (where d.outcome = 'resolved')::int as solved
              from deflection_offers d
             where d.created_at >= ${from} and d.created_at < ${to}
               and exists (select 1 from role_grants g where g.person_id = d.person_id and g.revoked_at is null
                            and g.organisation_id = ${scope.organisationId}::uuid)`.execute(this.db)
        : sql<{ offers: number; solved: number }>`
            select count(*)::int as offers, count(*) filter (where outcome = 'resolved')::int as solved
              from deflection_offers where created_at >= ${from} and created_at < ${to}`.execute(this.db),
      sql<{ minutes: number; with_time: number; without_time: number }>`
        select coalesce(sum(effort_minutes), 0)::int as minutes, count(effort_minutes)::int as with_time,
               (count(*) - count(effort_minutes))::int as without_time
          from tickets t where t.tier = 'volunteer' and t.resolved_at >= ${from} and t.resolved_at < ${to} ${inScope(scope)}`.execute(
        this.db,
      ),
      sql<{ count: number; value: number }>`
        select count(*)::int as count, coalesce(sum(e.quote_amount_cents), 0)::bigint as value from engagements e
         where e.started_at >= ${from} and e.started_at < ${to} ${inScope(scope, 'e')}`.execute(this.db),
    ]);
    const tierRows = served.rows.filter((r) => r.tier !== null);
    const total = served.rows.find((r) => r.tier === null);
    const d = deflection.rows[0] ?? { offers: 0, solved: 0 };
    const s = satisfaction.rows[0] ?? { ratings: 0, average: null };
    const e = effort.rows[0] ?? { minutes: 0, with_time: 0, without_time: 0 };
    const v = vendors.rows[0] ?? { count: 0, value: 0 };
    return {
      period,
      servedByTier: {
        volunteer: tierRows.find((r) => r.tier === 'volunteer')?.n ?? 0,
        vendor: tierRows.find((r) => r.tier === 'vendor')?.n ?? 0,
      },
      organisationsServed: total?.orgs ?? 0,
      namedOrganisations: named.rows,
      response,
      resolution,
      satisfaction: { ratings: s.ratings, average: round1(s.average) },
      deflection: { offers: d.offers, solved: d.solved, pct: pct(d.solved, d.offers) },
      volunteerHours: { hours: Math.round((e.minutes / 60) * 10) / 10, ticketsWithTime: e.with_time, ticketsWithoutTime: e.without_time },
      vendorEngagements: { count: v.count, valueCents: Number(v.value) },
    };
  }

  private async durations(hours: RawBuilder<unknown>): Promise<Durations> {
    const { rows } = await sql<{ count: number; p50: number | null; p90: number | null }>`
      with h as (${hours})
      select count(*)::int as count,
             percentile_cont(0.5) within group (order by hours)::float8 as p50,
             percentile_cont(0.9) within group (order by hours)::float8 as p90
        from h`.execute(this.db);
    const r = rows[0] ?? { count: 0, p50: null, p90: null };
    return { count: r.count, p50Hours: round1(r.p50), p90Hours: round1(r.p90) };
  }

  async setNamedInReports(organisationId: string, named: boolean): Promise<void> {
    await sql`update organisations set named_in_reports = ${named} where id = ${organisationId}::uuid`.execute(this.db);
  }
}

/** What held a ticket up when its target was breached, from its status at that moment. */
function causeOf(target: 'response' | 'resolution', tier: Tier, statusThen: string | null): BreachCause {
  if (target === 'response' || statusThen === 'new') return 'not_claimed';
  if (statusThen === 'pending' || statusThen === 'awaiting_approval' || statusThen === 'approved' || statusThen === 'scheduled')
    return 'waiting';
  return tier === 'vendor' ? 'vendor_work' : 'volunteer_work';
}
