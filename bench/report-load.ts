/**
 * The monthly reports over a year of a large network: 1,000,000 tickets in 500 organisations
 * over twelve months (each with its creation and claim in the history, most resolved, one in
 * twenty with a breached target, ratings and the time given on half), vendor engagements and
 * deflection offers, made in bulk SQL on its own database. Times the observers' report and the
 * committee's flow report of the last full month, as the scheduled job computes them.
 */
import { sql } from 'kysely';
import { previousMonth } from '../core/reports/period.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { summarize } from './stats.ts';

const TICKETS = Number(process.env.BENCH_REPORT_TICKETS ?? 1_000_000);
const ORGS = 500;
const RUNS = 5;

export async function measureMonthlyReports(): Promise<Record<string, number>> {
  const tdb = await createTestDatabase();
  try {
    const db = tdb.db;
    const now = new Date();
    const loadStarted = performance.now();
    await sql`insert into organisations (name, fiscal_code, created_at, named_in_reports)
      select 'Associazione ' || i, '8' || lpad(i::text, 10, '0'), now(), i % 4 = 0 from generate_series(1, ${ORGS}::int) i`.execute(db);
    const people = await sql<{ id: string }>`insert into people (handle, display_name, locale, created_at)
      values ('r', 'Richiedente', 'it', now()), ('v', 'Volontaria', 'it', now()) returning id`.execute(db);
    const [requester, volunteer] = people.rows.map((r) => r.id);
    // Spread over the 365 days before now; 90 % resolved 1–120 hours after a claim 0–20 hours in.
    await sql`with orgs as (select id, row_number() over (order by id) - 1 as k from organisations)
      insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id,
        assignee_id, rating, effort_minutes, created_at, updated_at, resolved_at)
      select 'INC-' || lpad(i::text, 7, '0'), (array['incident','service_request','change'])[1 + i % 3], 'T', 'D', 2, 2, 1 + i % 5,
        case when i % 25 = 0 then 'vendor' else 'volunteer' end, case when i % 10 = 0 then 'in_progress' else 'resolved' end, o.id,
        ${requester}, ${volunteer}, case when i % 3 = 0 then 1 + i % 5 end, case when i % 2 = 0 then 15 * (1 + i % 8) end,
        c.at, c.at, case when i % 10 <> 0 then c.at + (1 + i % 120) * interval '1 hour' end
      from generate_series(1, ${TICKETS}::int) i
      join orgs o on o.k = i % ${ORGS}::int
      cross join lateral (select ${now}::timestamptz - (i::float8 / ${TICKETS}::int) * interval '365 days' as at) c`.execute(db);
    await sql`insert into ticket_events (ticket_id, at, field, from_value, to_value)
      select id, created_at, 'status', null, 'new' from tickets`.execute(db);
    await sql`insert into ticket_events (ticket_id, at, field, from_value, to_value)
      select id, created_at + (hashtext(id::text) & 15) * interval '1 hour', 'status', 'new', 'assigned' from tickets`.execute(db);
    await sql`insert into sla_events (ticket_id, target, kind, due_at, fired_at, created_at)
      select id, (array['response','resolution'])[1 + (hashtext(id::text) & 1)], 'breach', created_at + interval '8 hours',
        created_at + interval '8 hours', created_at
      from tickets where hashtext(id::text) % 20 = 0`.execute(db);
    await sql`insert into deflection_offers (source, person_id, platform, query, offered, outcome, created_at)
      select 'intake', ${requester}, 'web', 'q', '{}', (array['resolved','declined', null])[1 + i % 3],
        ${now}::timestamptz - (i % 365) * interval '1 day'
      from generate_series(1, ${TICKETS / 10}::int) i`.execute(db);
    await sql`analyze`.execute(db);
    const loadMs = performance.now() - loadStarted;

    const store = new KyselyStore(db);
    const month = previousMonth(now);
    const observer: number[] = [];
    const flow: number[] = [];
    let served = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const r = await store.reports.observerReport(month, {});
      observer.push(performance.now() - t);
      served = r.servedByTier.volunteer + r.servedByTier.vendor;
      t = performance.now();
      await store.reports.flowReport(month, {});
      flow.push(performance.now() - t);
    }
    return {
      report_tickets: TICKETS,
      report_bulk_load_ms: Math.round(loadMs),
      report_month_served: served,
      ...summarize('monthly_observer_report', observer),
      ...summarize('monthly_flow_report', flow),
    };
  } finally {
    await tdb.drop();
  }
}
