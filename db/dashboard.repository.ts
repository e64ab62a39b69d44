/**
 * The dashboard on PostgreSQL: login links and sessions (tokens made here, only their SHA-256
 * stored), and the overview — every figure counted in SQL over the live tables, so nothing kept
 * by hand can drift from the truth.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Severity } from '../core/alerts/model.ts';
import { AlertRef } from '../core/alerts/model.ts';
import type {
  DashboardOverview,
  DashboardRepository as DashboardRepositoryPort,
  DashboardSession,
  LinkRefusal,
  OverviewQuery,
  OverviewTicket,
} from '../core/dashboard/ports.ts';
import type { Priority, TicketKind, TicketStatus } from '../core/kernel/ticket.ts';
import type { EngagementStatus } from '../core/vendors/engagement.ts';
import type { DashboardTables } from './dashboard.tables.ts';
import type { Database } from './schema.ts';

/** A session's `last_seen_at` is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000;

/** A fresh token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const list = (xs: readonly (string | number)[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`)) : sql`null`);
const int = (v: unknown): number => Number(v ?? 0);

export class DashboardRepository implements DashboardRepositoryPort {
  private readonly db: Kysely<Database & DashboardTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<DashboardTables>();
  }

  async createLink(personId: string, now: Date, expiresAt: Date): Promise<string> {
    const token = newToken();
    await this.db
      .insertInto('dashboard_links')
      .values({ token_hash: hashToken(token), person_id: personId, created_at: now, expires_at: expiresAt, used_at: null })
      .execute();
    return token;
  }

  /**
   * One conditional UPDATE (unused and unexpired): of concurrent callers exactly one gets the
   * person, the others wait on the row lock and then find it used. A refusal is then explained
   * by reading the row.
   */
  async consumeLink(token: string, now: Date): Promise<{ readonly personId: string } | { readonly refused: LinkRefusal }> {
    const hash = hashToken(token);
    const used = await this.db
      .updateTable('dashboard_links')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('person_id')
      .executeTakeFirst();
    if (used) return { personId: used.person_id };
    const row = await this.db.selectFrom('dashboard_links').select(['used_at']).where('token_hash', '=', hash).executeTakeFirst();
    return { refused: !row ? 'unknown' : row.used_at ? 'used' : 'expired' };
  }

  async openSession(personId: string, now: Date, expiresAt: Date): Promise<string> {
    const token = newToken();
    await this.db
      .insertInto('dashboard_sessions')
      .values({
        token_hash: hashToken(token),
        person_id: personId,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
        revoked_at: null,
      })
      .execute();
    return token;
  }

  async findSession(token: string, now: Date): Promise<DashboardSession | undefined> {
    const hash = hashToken(token);
    const row = await this.db
      .selectFrom('dashboard_sessions')
      .select(['person_id', 'expires_at', 'last_seen_at'])
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS)
      await this.db.updateTable('dashboard_sessions').set({ last_seen_at: now }).where('token_hash', '=', hash).execute();
    return { personId: row.person_id, expiresAt: row.expires_at };
  }

  async revokeSession(token: string, now: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('dashboard_sessions')
      .set({ revoked_at: now })
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async purgeExpired(before: Date): Promise<number> {
    const links = await this.db.deleteFrom('dashboard_links').where('expires_at', '<', before).executeTakeFirst();
    const sessions = await this.db.deleteFrom('dashboard_sessions').where('expires_at', '<', before).executeTakeFirst();
    return Number(links.numDeletedRows) + Number(sessions.numDeletedRows);
  }

  async overview(q: OverviewQuery): Promise<Omit<DashboardOverview, 'organisations'>> {
    const inScope = (column: string): RawBuilder<unknown> =>
      q.scope.all ? sql`true` : sql`${sql.ref(column)} = any(${[...q.scope.organisationIds]}::uuid[])`;
    const ticketFilters = (alias: string): RawBuilder<unknown> =>
      sql`${inScope(`${alias}.organisation_id`)}
        and (${q.filters.kind ?? null}::text is null or ${sql.ref(`${alias}.kind`)} = ${q.filters.kind ?? null})
        and (${q.filters.priority ?? null}::int is null or ${sql.ref(`${alias}.priority`)} = ${q.filters.priority ?? null})`;
    const [alerts, agents, tickets, queue, engagements, decisions] = await Promise.all([
      this.alerts(q, inScope),
      this.agents(q, inScope),
      this.tickets(q, ticketFilters),
      this.queue(q, ticketFilters),
      this.engagements(q, ticketFilters),
      this.decisions(q),
    ]);
    return { generatedAt: q.now, alerts, agents, tickets, queue, engagements, decisions };
  }

  private async alerts(q: OverviewQuery, inScope: (c: string) => RawBuilder<unknown>): Promise<DashboardOverview['alerts']> {
    const byOrg = await sql<{ organisation_id: string; name: string; warn: string; crit: string }>`
      select a.organisation_id, o.name,
        count(*) filter (where a.severity = 'warn') as warn,
        count(*) filter (where a.severity = 'crit') as crit
      from alerts a join organisations o on o.id = a.organisation_id
      where a.state <> 'resolved' and ${inScope('a.organisation_id')}
      group by a.organisation_id, o.name
      order by crit desc, warn desc, o.name`.execute(this.db);
    const latest = await sql<{
      number: number;
      name: string;
      severity: Severity;
      kind: string;
      target: string;
      state: string;
      opened_at: Date;
    }>`
      select a.number, o.name, a.severity, a.kind, a.target, a.state, a.opened_at
      from alerts a join organisations o on o.id = a.organisation_id
      where a.state <> 'resolved' and ${inScope('a.organisation_id')}
      order by a.opened_at desc, a.number desc
      limit ${q.limit}`.execute(this.db);
    const byOrganisation = byOrg.rows.map((r) => ({
      organisationId: r.organisation_id,
      organisationName: r.name,
      warn: int(r.warn),
      crit: int(r.crit),
    }));
    const warn = byOrganisation.reduce((n, r) => n + r.warn, 0);
    const crit = byOrganisation.reduce((n, r) => n + r.crit, 0);
    return {
      open: warn + crit,
      bySeverity: { warn, crit },
      byOrganisation,
      latest: latest.rows.map((r) => ({
        ref: AlertRef.format(r.number),
        organisationName: r.name,
        severity: r.severity,
        kind: r.kind,
        target: r.target,
        state: r.state,
        openedAt: r.opened_at,
      })),
    };
  }

  /** Offline: an open `agent_offline` alert, or silent for longer than its heartbeat and grace. */
  private async agents(q: OverviewQuery, inScope: (c: string) => RawBuilder<unknown>): Promise<DashboardOverview['agents']> {
    const rows = await sql<{ name: string; org: string; last_seen_at: Date | null; offline: boolean; total: string }>`
      with live as (
        select g.name, o.name as org, g.last_seen_at,
          exists (select 1 from alerts a where a.agent_id = g.id and a.kind = 'agent_offline' and a.state <> 'resolved')
            or coalesce(g.last_seen_at, g.enrolled_at) < ${q.now}::timestamptz - make_interval(secs => g.heartbeat_seconds + g.grace_seconds)
            as offline
        from monitoring_agents g join organisations o on o.id = g.organisation_id
        where g.revoked_at is null and ${inScope('g.organisation_id')}
      )
      select l.*, (select count(*) from live) as total from live l
      order by l.offline desc, l.last_seen_at nulls first, l.name`.execute(this.db);
    const offline = rows.rows.filter((r) => r.offline);
    return {
      total: int(rows.rows[0]?.total),
      offline: offline.length,
      offlineList: offline.slice(0, q.limit).map((r) => ({ name: r.name, organisationName: r.org, lastSeenAt: r.last_seen_at })),
    };
  }

  /**
   * Open tickets by priority with their SLA state, by the morning digest's rules: the events of
   * the clocks still live (the resolution clock; the response clock while nobody ever took the
   * ticket) — breached once a breach is due, at risk once a warning is due and the clock runs.
   * One statement computes the flags once and returns both the counts and the urgent list (as
   * JSON): with 10,000 open tickets the flags are most of the work.
   */
  private async tickets(q: OverviewQuery, filters: (alias: string) => RawBuilder<unknown>): Promise<DashboardOverview['tickets']> {
    const result = await sql<{
      counts: { priority: number; open: number; at_risk: number; breached: number }[];
      urgent: (Omit<TicketRow, 'created_at'> & { created_at: string; late: boolean })[];
    }>`
      with open_tickets as materialized (
        select t.id, t.ref, t.title, t.kind, t.priority, t.status, t.organisation_id, t.created_at,
          t.status in (${list(q.sla.counting)}) as resolution_running,
          t.status = 'new' and not exists (
            select 1 from ticket_events e where e.ticket_id = t.id and e.field = 'status' and e.to_value <> 'new'
          ) as response_running
        from tickets t
        where t.status in (${list(q.sla.statuses)}) and ${filters('t')}
      ),
      -- Per open ticket through its index (lateral): a join let the planner hash every SLA event
      -- ever written, so the overview grew with the years of history (bench/scale.bench.ts).
      flags as (
        select o.id, f.breach_at, f.late, f.risky
        from open_tickets o cross join lateral (
          select min(s.due_at) filter (where s.kind = 'breach') as breach_at,
            coalesce(bool_or(s.kind = 'breach' and s.due_at <= ${q.now}), false) as late,
            coalesce(bool_or(
              s.kind in (${list(q.sla.riskKinds)}) and s.due_at <= ${q.now} and (s.target = 'response' or o.resolution_running)
            ), false) as risky
          from sla_events s
          where s.ticket_id = o.id and (s.target = 'resolution' or (s.target = 'response' and o.response_running))
        ) f
      ),
      flagged as materialized (
        select o.*, coalesce(f.late, false) as late, coalesce(f.risky, false) as risky, f.breach_at
        from open_tickets o left join flags f on f.id = o.id
      )
      select
        (select coalesce(json_agg(c order by c.priority), '[]') from (
          select priority, count(*) as open,
            count(*) filter (where risky and not late) as at_risk,
            count(*) filter (where late) as breached
          from flagged group by priority) c) as counts,
        (select coalesce(json_agg(u), '[]') from (
          select f.ref, f.title, f.kind, f.priority, f.status, f.created_at, org.name as org, f.late
          from flagged f join organisations org on org.id = f.organisation_id
          where f.late or f.risky
          order by f.late desc, f.breach_at nulls last, f.created_at, f.ref
          limit ${q.limit}) u) as urgent`.execute(this.db);
    const row = result.rows[0];
    const byPriority = (row?.counts ?? []).map((r) => ({
      priority: r.priority as Priority,
      open: int(r.open),
      atRisk: int(r.at_risk),
      breached: int(r.breached),
    }));
    return {
      open: byPriority.reduce((n, r) => n + r.open, 0),
      atRisk: byPriority.reduce((n, r) => n + r.atRisk, 0),
      breached: byPriority.reduce((n, r) => n + r.breached, 0),
      byPriority,
      urgent: (row?.urgent ?? []).map((r) => {
        const since = new Date(r.created_at);
        return toTicket({ ...r, created_at: since }, r.late ? 'breached' : 'at_risk', since);
      }),
    };
  }

  /** Open, `new` and nobody's, with how long since it (last) entered the queue; one statement. */
  private async queue(q: OverviewQuery, filters: (alias: string) => RawBuilder<unknown>): Promise<DashboardOverview['queue']> {
    const result = await sql<{
      count: string;
      oldest: string | null;
      items: (Omit<TicketRow, 'created_at'> & { created_at: string; since: string })[];
    }>`
      with queued as materialized (
        select t.ref, t.title, t.kind, t.priority, t.status, t.created_at, t.organisation_id,
          coalesce((select max(e.at) from ticket_events e where e.ticket_id = t.id and e.field = 'status' and e.to_value = 'new'), t.created_at)
            as since
        from tickets t
        where t.status = 'new' and t.assignee_id is null and ${filters('t')}
      )
      select (select count(*) from queued) as count, (select min(since) from queued) as oldest,
        (select coalesce(json_agg(i), '[]') from (
          select q.*, o.name as org from queued q join organisations o on o.id = q.organisation_id
          order by q.since, q.ref limit ${q.limit}) i) as items`.execute(this.db);
    const row = result.rows[0];
    return {
      count: int(row?.count),
      oldestSince: row?.oldest ? new Date(row.oldest) : null,
      items: (row?.items ?? []).map((r) => toTicket({ ...r, created_at: new Date(r.created_at) }, null, new Date(r.since))),
    };
  }

  private async engagements(q: OverviewQuery, filters: (alias: string) => RawBuilder<unknown>): Promise<DashboardOverview['engagements']> {
    const live = sql`e.status in (${list(q.liveEngagements)}) and ${filters('t')}`;
    const byStatus = await sql<{ status: EngagementStatus; count: string }>`
      select e.status, count(*) as count from engagements e join tickets t on t.id = e.ticket_id
      where ${live} group by e.status order by count(*) desc, e.status`.execute(this.db);
    const items = await sql<{ ref: string; org: string; status: EngagementStatus; vendor: string | null; since: Date }>`
      select t.ref, o.name as org, e.status, v.name as vendor, e.updated_at as since
      from engagements e join tickets t on t.id = e.ticket_id join organisations o on o.id = e.organisation_id
      left join vendors v on v.id = e.vendor_id
      where ${live}
      order by e.updated_at desc, t.ref limit ${q.limit}`.execute(this.db);
    const counts = byStatus.rows.map((r) => ({ status: r.status, count: int(r.count) }));
    return {
      live: counts.reduce((n, r) => n + r.count, 0),
      byStatus: counts,
      items: items.rows.map((r) => ({ ticketRef: r.ref, organisationName: r.org, status: r.status, vendorName: r.vendor, since: r.since })),
    };
  }

  /** The committee's decisions since `decisionsSince` (about people and vendors, not organisations). */
  private async decisions(q: OverviewQuery): Promise<DashboardOverview['decisions']> {
    const byDecision = await sql<{ decision: string; count: string }>`
      select decision, count(*) as count from committee_decisions where decided_at >= ${q.decisionsSince}
      group by decision order by count(*) desc, decision`.execute(this.db);
    const recent = await sql<{ decision: string; subject_kind: string; subject_label: string; decided_at: Date }>`
      select decision, subject_kind, subject_label, decided_at from committee_decisions where decided_at >= ${q.decisionsSince}
      order by decided_at desc limit ${q.limit}`.execute(this.db);
    const counts = byDecision.rows.map((r) => ({ decision: r.decision, count: int(r.count) }));
    return {
      count: counts.reduce((n, r) => n + r.count, 0),
      byDecision: counts,
      recent: recent.rows.map((r) => ({
        decision: r.decision,
        subjectKind: r.subject_kind,
        subjectLabel: r.subject_label,
        decidedAt: r.decided_at,
      })),
    };
  }
}

interface TicketRow {
  readonly ref: string;
  readonly title: string;
  readonly kind: TicketKind;
  readonly priority: number;
  readonly status: TicketStatus;
  readonly created_at: Date;
  readonly org: string;
}

function toTicket(r: TicketRow, slaState: OverviewTicket['sla'], since: Date): OverviewTicket {
  return {
    ref: r.ref,
    title: r.title,
    kind: r.kind,
    priority: r.priority as Priority,
    status: r.status,
    organisationName: r.org,
    sla: slaState,
    since,
  };
}
