/**
 * The CMDB at scale: 50,000 configuration items of 500 organisations and 200,000 relations, in a
 * database of its own, then:
 * - impact analysis ("se si ferma, ne risentono: …") of ~500 random items, one at a time,
 *   through `repos.cmdb.impact` exactly as `ci CI-…` calls it (same limit and depth), p50/p99;
 * - the loop check of adding a relation (`repos.cmdb.addRelation`: lock, recursive walk,
 *   insert), ~300 random links inside transactions rolled back, p50/p99 and how many were loops.
 *
 * The shape is an organisation's: 2 sites ← 4 network devices ← 6 servers ← 20 applications ←
 * 58 computers and 5 printers (each also located at a site), applications depending on 5
 * licences, plus 160 random "depends on" links per organisation from a higher to a lower index
 * (so the loaded graph has no loop). Bulk-loaded with generate_series; progress on stderr.
 *
 * Then, on the same database, the problem-suggestion scan over 1,000,000 incidents and 300,000
 * alerts (`problemSuggestionScan` below; BENCH_SCAN_EXPLAIN=1 prints each query's plan).
 */
import { CompiledQuery, sql } from 'kysely';
import { IMPACT_DEPTH, IMPACT_LIMIT } from '../core/cmdb/manage-items.ts';
import { categoryOfKind, RELATION_KINDS, TICKET_CATEGORIES } from '../core/cmdb/model.ts';
import { CI_KINDS } from '../core/kernel/configuration-item.ts';
import { DEFAULT_SCAN } from '../core/problems/model.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { percentile, round, summarize } from './stats.ts';

const ORGS = Number(process.env.BENCH_CMDB_ORGS ?? 500);
const PER_ORG = 100;
const RELATIONS_PER_ORG = 400;
const IMPACT_SAMPLES = Number(process.env.BENCH_CMDB_IMPACTS ?? 500);
const LINK_SAMPLES = Number(process.env.BENCH_CMDB_LINKS ?? 300);

const log = (msg: string) => process.stderr.write(`[cmdb bench] ${msg}\n`);

/** Kind of the item at `local` (0–99) in its organisation. */
const KIND_OF_LOCAL = sql.raw(`case
  when local < 2 then 'site'
  when local < 6 then 'network_device'
  when local < 12 then 'server'
  when local < 32 then 'application'
  when local < 90 then 'computer'
  when local < 95 then 'printer'
  else 'licence' end`);

async function load(tdb: TestDatabase): Promise<{ items: number; relations: number }> {
  const db = tdb.db;
  const t0 = performance.now();
  await sql`select setseed(0.42)`.execute(db);
  await sql`insert into organisations (name, fiscal_code, created_at)
    select 'Ente ' || g, lpad((90000000000 + g)::text, 11, '0'), now() from generate_series(0, ${ORGS - 1}) g`.execute(db);
  await sql`create temporary table bench_orgs as select id, row_number() over (order by fiscal_code) - 1 as o from organisations`.execute(
    db,
  );
  await sql`insert into configuration_items (organisation_id, kind, name, status, renewal_on, created_at, updated_at)
    select bo.id, ${KIND_OF_LOCAL}, 'ci-' || bo.o || '-' || local, 'active',
           case when local >= 95 then current_date + (local * 37 % 400) end, now(), now()
      from bench_orgs bo, generate_series(0, ${PER_ORG - 1}) local
     order by bo.o, local`.execute(db);
  await sql`create temporary table bench_items as
    select c.id, bo.o, (row_number() over (partition by c.organisation_id order by c.number) - 1)::int as local
      from configuration_items c join bench_orgs bo on bo.id = c.organisation_id`.execute(db);
  await sql`create index on bench_items (o, local)`.execute(db);
  log(`${ORGS * PER_ORG} items in ${round((performance.now() - t0) / 1000, 1)} s`);

  // The structure: (source local, relation, target local) for every organisation.
  const edge = (sourceFrom: number, sourceTo: number, kind: string, target: string) => sql`
    insert into configuration_item_relations (source_id, kind, target_id, created_at)
    select s.id, ${kind}, t.id, now()
      from bench_items s join bench_items t on t.o = s.o and t.local = ${sql.raw(target)}
     where s.local between ${sourceFrom} and ${sourceTo}
    on conflict do nothing`;
  await edge(2, 5, 'located_at', 's.local % 2').execute(db);
  await edge(6, 11, 'connected_to', '2 + s.local % 4').execute(db);
  await edge(6, 11, 'located_at', 's.local % 2').execute(db);
  await edge(12, 31, 'runs_on', '6 + s.local % 6').execute(db);
  await edge(12, 31, 'depends_on', '95 + s.local % 5').execute(db);
  await edge(32, 94, 'connected_to', '2 + s.local % 4').execute(db);
  await edge(32, 94, 'located_at', 's.local % 2').execute(db);
  await edge(32, 89, 'depends_on', '12 + s.local % 20').execute(db);
  // Random extra needs, always from a higher to a lower index (never from a licence): no loop.
  const target = ORGS * RELATIONS_PER_ORG;
  for (let round_ = 0; round_ < 10; round_++) {
    const { n } = (await sql<{ n: string }>`select count(*) as n from configuration_item_relations`.execute(db)).rows[0] ?? { n: '0' };
    const missing = target - Number(n);
    if (missing <= 0) break;
    await sql`
      with picks as (
        select (random() * (${ORGS} - 1))::int as o, 13 + (random() * 81)::int as s_local, random() as r
          from generate_series(1, ${Math.ceil(missing * 1.05)})
      )
      insert into configuration_item_relations (source_id, kind, target_id, created_at)
      select s.id, 'depends_on', t.id, now()
        from picks p
        join bench_items s on s.o = p.o and s.local = p.s_local
        join bench_items t on t.o = p.o and t.local = 6 + floor(p.r * (p.s_local - 6))::int
       where t.local < s.local
      on conflict do nothing`.execute(db);
  }
  // Trim the overshoot so the table holds exactly the target.
  await sql`delete from configuration_item_relations where ctid in (
      select ctid from configuration_item_relations where kind = 'depends_on'
       order by source_id desc limit greatest(0, (select count(*) from configuration_item_relations) - ${target}))`.execute(db);
  await sql`vacuum analyze`.execute(db);
  const counts = (
    await sql<{ items: string; relations: string }>`select (select count(*) from configuration_items) as items,
      (select count(*) from configuration_item_relations) as relations`.execute(db)
  ).rows[0];
  log(`${counts?.relations} relations, loaded in ${round((performance.now() - t0) / 1000, 1)} s`);
  return { items: Number(counts?.items ?? 0), relations: Number(counts?.relations ?? 0) };
}

const SCAN_INCIDENTS = Number(process.env.BENCH_SCAN_INCIDENTS ?? 1_000_000);
const SCAN_ALERTS = Number(process.env.BENCH_SCAN_ALERTS ?? 300_000);
const SCAN_RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 10);
const SCAN_DAYS = 730;

/** The ticket category of each item kind, as the intake sets it (`categoryOfKind`). */
const CATEGORY_OF_KIND = sql.raw(
  `case c.kind ${CI_KINDS.map((k) => `when '${k}' then ${categoryOfKind(k) ? `'${categoryOfKind(k)}'` : 'null'}`).join(' ')} end`,
);
const CATEGORY_LIST = sql.raw(`array[${TICKET_CATEGORIES.map((c) => `'${c}'`).join(',')}]`);

/**
 * The problem-suggestion scan (issue 14: "problem-suggestion scan time over 1,000,000
 * incidents"), on the CMDB loaded above: 1,000,000 incidents over two years (plus 10 % service
 * requests and changes), skewed the way real help desks are — a few large organisations, a few
 * troublesome items — so that some items and some organisations' categories reach 3 incidents
 * in 14 days and most do not; 35 % name no item (a category from the words). 300,000 alerts of
 * 8,000 agents (the servers and 10 computers of each organisation), a few fingerprints firing
 * again and again, some flapping or flagged as false alarms. 1,000 earlier problems (40 % open,
 * on an item or a category) with 3,000 incidents linked, and a fifth of the window's item patterns
 * suggested three days ago.
 * Then `store.problems.scanPatterns` exactly as the hourly job calls it, `SCAN_RUNS` times.
 */
export async function problemSuggestionScan(tdb: TestDatabase): Promise<Record<string, number | string>> {
  const db = tdb.db;
  const t0 = performance.now();
  await sql`select setseed(0.17)`.execute(db);
  // Plain tables (not temporary ones: the pool may hand each statement another connection).
  await sql`create unlogged table bench_scan_orgs as
    select o.id as org_id, (row_number() over (order by o.fiscal_code) - 1)::int as o, null::uuid as person_id from organisations o`.execute(
    db,
  );
  await sql`insert into people (handle, display_name, locale) select 'bench-' || o, 'Richiedente ' || o, 'it' from bench_scan_orgs`.execute(
    db,
  );
  await sql`update bench_scan_orgs b set person_id = p.id from people p where p.handle = 'bench-' || b.o`.execute(db);
  await sql`create unlogged table bench_scan_items as
    select c.id, b.o, split_part(c.name, '-', 3)::int as local, ${CATEGORY_OF_KIND} as category
      from configuration_items c join bench_scan_orgs b on b.org_id = c.organisation_id`.execute(db);
  await sql`create index on bench_scan_items (o, local)`.execute(db);

  // Incidents: organisation o ~ 500·u² (org 0 has ~4.5 %), item local 6 + 89·u³ (servers and
  // applications more than the last computers), time uniform over two years, written in time
  // order as a help desk writes them. The secondary indexes are built after the load (faster
  // than row by row), from their own definitions.
  const total = Math.round(SCAN_INCIDENTS * 1.1);
  const indexes = (
    await sql<{ name: string; def: string }>`select i.indexname as name, i.indexdef as def from pg_indexes i
      where i.tablename = 'tickets' and i.schemaname = current_schema()
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db)
  ).rows;
  for (const ix of indexes) await sql`drop index ${sql.id(ix.name)}`.execute(db);
  await sql`insert into tickets (ref, kind, title, description, category, impact, urgency, priority, tier, status,
                                 organisation_id, requester_id, configuration_item_id, created_at, updated_at)
    select 'T-' || lpad(g.n::text, 8, '0'), g.kind, 'Guasto ' || g.n, '', coalesce(i.category, (${CATEGORY_LIST})[1 + g.n % 10]),
           3, 3, 4, 'volunteer',
           case when g.created_at < now() - interval '30 days' then 'closed'
                else (array['new', 'in_progress', 'resolved', 'closed'])[1 + g.n % 4] end,
           b.org_id, b.person_id, i.id, g.created_at, g.created_at
      from (select n, case when n % 11 = 0 then (case when n % 22 = 0 then 'change' else 'service_request' end) else 'incident' end as kind,
                   least(${ORGS - 1}, floor(${ORGS} * random() ^ 2))::int as o,
                   case when random() < 0.35 then null else 6 + floor(89 * random() ^ 3)::int end as local,
                   now() - ${SCAN_DAYS} * interval '1 day' * random() as created_at
              from generate_series(1, ${total}) n) g
      join bench_scan_orgs b on b.o = g.o
      left join bench_scan_items i on i.o = g.o and i.local = g.local
     order by g.created_at`.execute(db);
  for (const ix of indexes) await sql.raw(ix.def).execute(db);
  const incidents = Number(
    (await sql<{ n: string }>`select count(*) as n from tickets where kind = 'incident'`.execute(db)).rows[0]?.n ?? 0,
  );
  log(`${incidents} incidents (${total} tickets) in ${round((performance.now() - t0) / 1000, 1)} s`);

  // Agents: the 6 servers (locals 6–11) and 10 computers (32–41) of each organisation.
  await sql`insert into monitoring_agents (organisation_id, person_id, name, secret, heartbeat_seconds, grace_seconds, enrolled_at)
    select b.org_id, b.person_id, i.id::text, 'x', 60, 120, now() - interval '800 days'
      from bench_scan_items i join bench_scan_orgs b on b.o = i.o
     where i.local between 6 and 11 or i.local between 32 and 41`.execute(db);
  await sql`create unlogged table bench_scan_agents as
    select a.id, a.organisation_id, a.name::uuid as item_id, (row_number() over (order by a.name) - 1)::int as k from monitoring_agents a`.execute(
    db,
  );
  await sql`create index on bench_scan_agents (k)`.execute(db);
  const agents = Number((await sql<{ n: string }>`select count(*) as n from bench_scan_agents`.execute(db)).rows[0]?.n ?? 0);
  // Alerts: agent k ~ agents·u⁴ (a few noisy machines), one of 4 checks; resolved after minutes to a day.
  await sql`insert into alerts (fingerprint, organisation_id, agent_id, configuration_item_id, kind, check_id, target, severity, state,
                                message, last_value, unit, opened_at, resolved_at, updated_at, flaps, false_alarm_at)
    select a.id || ':' || g.chk || ':/', a.organisation_id, a.id, a.item_id, 'disk', g.chk, '/', 'warn', 'resolved',
           'pieno', 91, '%', g.opened_at, g.opened_at + g.lasted, g.opened_at + g.lasted,
           case when random() < 0.03 then floor(random() * 8)::int else 0 end,
           case when random() < 0.01 then g.opened_at + g.lasted end
      from (select (array['disco', 'cpu', 'memoria', 'servizio'])[1 + (n % 4)] as chk,
                   least(${agents - 1}, floor(${agents} * random() ^ 4))::int as k,
                   now() - ${SCAN_DAYS} * interval '1 day' * random() as opened_at,
                   interval '1 minute' * (5 + floor(random() * 1440)) as lasted
              from generate_series(1, ${SCAN_ALERTS}) n) g
      join bench_scan_agents a on a.k = g.k
     order by g.opened_at`.execute(db);

  // Earlier problems: 1,000 (40 % open), on a troublesome item or an organisation's category.
  await sql`insert into problems (ref, organisation_id, title, description, status, category, configuration_item_id, created_at, updated_at)
    select 'PRB-B' || g.n, b.org_id, 'Problema ' || g.n, '', (array['new', 'investigating', 'known_error', 'resolved', 'closed'])[1 + g.n % 5],
           case when g.n % 3 = 0 then (${CATEGORY_LIST})[1 + g.n % 10] end,
           case when g.n % 3 <> 0 then i.id end,
           now() - interval '1 day' * (g.n % 700), now() - interval '1 day' * (g.n % 700)
      from (select n, least(${ORGS - 1}, floor(${ORGS} * random() ^ 2))::int as o, 6 + floor(89 * random() ^ 3)::int as local
              from generate_series(1, 1000) n) g
      join bench_scan_orgs b on b.o = g.o
      join bench_scan_items i on i.o = g.o and i.local = g.local`.execute(db);
  await sql`insert into problem_links (problem_id, ticket_id, linked_at)
    select distinct on (t.id) p.id, t.id, t.created_at
      from problems p join tickets t on t.configuration_item_id = p.configuration_item_id and t.kind = 'incident'
     where p.status in ('new', 'investigating', 'known_error')
     order by t.id, p.id limit 3000`.execute(db);
  // A fifth of the window's item patterns were suggested three days ago (not suggested again).
  await sql`insert into problem_suggestions (basis, key, organisation_id, evidence, suggested_at)
    select 'ci', t.configuration_item_id::text, min(t.organisation_id::text)::uuid, '{}'::jsonb, now() - interval '3 days'
      from tickets t where t.kind = 'incident' and t.created_at >= now() - interval '14 days' and t.configuration_item_id is not null
     group by t.configuration_item_id having count(*) >= 3 and hashtext(t.configuration_item_id::text) % 5 = 0`.execute(db);
  for (const table of ['bench_scan_orgs', 'bench_scan_items', 'bench_scan_agents']) await sql`drop table ${sql.table(table)}`.execute(db);
  await sql`vacuum analyze`.execute(db);
  const window = (
    await sql<{ incidents: string; alerts: string }>`select
      (select count(*) from tickets where kind = 'incident' and created_at >= now() - interval '14 days') as incidents,
      (select count(*) from alerts where updated_at >= now() - interval '14 days') as alerts`.execute(db)
  ).rows[0];
  log(`alerts, problems and suggestions loaded in ${round((performance.now() - t0) / 1000, 1)} s`);

  const store = new KyselyStore(db);
  const runs: number[] = [];
  const found: Record<string, number> = { ci: 0, category: 0, alert: 0 };
  for (let i = 0; i <= SCAN_RUNS; i++) {
    const since = new Date(Date.now() - DEFAULT_SCAN.windowDays * 86_400_000);
    const s0 = performance.now();
    const candidates = await store.problems.scanPatterns(since, DEFAULT_SCAN);
    const ms = performance.now() - s0;
    if (i === 0) {
      for (const c of candidates) found[c.basis] = (found[c.basis] ?? 0) + 1;
      continue; // the first run warms the caches
    }
    runs.push(ms);
  }
  if (process.env.BENCH_SCAN_EXPLAIN) await explainScan(tdb);
  const sorted = [...runs].sort((a, b) => a - b);
  log(`scan timed ${runs.length} times: ${JSON.stringify(found)}`);
  return {
    problem_scan_incidents: incidents,
    problem_scan_window_incidents: Number(window?.incidents ?? 0),
    problem_scan_alerts: SCAN_ALERTS,
    problem_scan_window_alerts: Number(window?.alerts ?? 0),
    problem_scan_runs: runs.length,
    problem_scan_p50_ms: percentile(sorted, 50),
    problem_scan_max_ms: round(sorted.at(-1) ?? 0),
    problem_scan_suggested_ci: found.ci ?? 0,
    problem_scan_suggested_category: found.category ?? 0,
    problem_scan_suggested_alert: found.alert ?? 0,
  };
}

/** BENCH_SCAN_EXPLAIN=1: the plan of each query of one scan, EXPLAIN (ANALYZE, BUFFERS), on stderr. */
async function explainScan(tdb: TestDatabase): Promise<void> {
  const queries: CompiledQuery[] = [];
  const executor = tdb.db.getExecutor();
  const recording = tdb.db.withPlugin({
    transformQuery: (args) => {
      queries.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const since = new Date(Date.now() - DEFAULT_SCAN.windowDays * 86_400_000);
  await new KyselyStore(recording).problems.scanPatterns(since, DEFAULT_SCAN);
  for (const q of queries) {
    const plan = await tdb.db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]),
    );
    log(`${q.sql.replace(/\s+/g, ' ').slice(0, 160)}…\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
}

class Rollback extends Error {}

export async function run(): Promise<Record<string, number | string>> {
  const tdb = await createTestDatabase();
  try {
    const { items, relations } = await load(tdb);
    const store = new KyselyStore(tdb.db);
    const sample = (
      await sql<{ id: string; kind: string }>`select id, kind from configuration_items order by random() limit ${IMPACT_SAMPLES}`.execute(
        tdb.db,
      )
    ).rows;
    // Warm the caches the way a running server has them.
    for (const s of sample.slice(0, 20)) await store.cmdb.impact(s.id, { limit: IMPACT_LIMIT, maxDepth: IMPACT_DEPTH });
    const impactMs: number[] = [];
    let impacted = 0;
    let largest = 0;
    for (const s of sample) {
      const t0 = performance.now();
      const impact = await store.cmdb.impact(s.id, { limit: IMPACT_LIMIT, maxDepth: IMPACT_DEPTH });
      impactMs.push(performance.now() - t0);
      impacted += impact.total;
      largest = Math.max(largest, impact.total);
    }
    const sites = (
      await sql<{ id: string }>`select id from configuration_items where kind = 'site' order by random() limit 100`.execute(tdb.db)
    ).rows;
    const siteMs: number[] = [];
    for (const s of sites) {
      const t0 = performance.now();
      await store.cmdb.impact(s.id, { limit: IMPACT_LIMIT, maxDepth: IMPACT_DEPTH });
      siteMs.push(performance.now() - t0);
    }
    log(`impact of ${sample.length} random items and ${sites.length} sites measured`);

    // The loop check of a new relation: random pairs in one organisation, both directions.
    const pairs = (
      await sql<{ a: string; b: string }>`select a.id as a, b.id as b from bench_items a
        join bench_items b on b.o = a.o and b.local <> a.local
       where a.o = (random() * ${ORGS - 1})::int
       order by random() limit ${LINK_SAMPLES}`.execute(tdb.db)
    ).rows;
    const linkMs: number[] = [];
    let loops = 0;
    for (const [i, p] of pairs.entries()) {
      const kind = RELATION_KINDS[i % RELATION_KINDS.length] ?? 'depends_on';
      await store
        .transaction(async (repos) => {
          const t0 = performance.now();
          const outcome = await repos.cmdb.addRelation(p.a, kind, p.b, null, new Date());
          linkMs.push(performance.now() - t0);
          if (outcome === 'cycle') loops++;
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
    }
    log(`${pairs.length} link checks measured`);

    const impactFigures = summarize('impact', impactMs);
    return {
      items,
      relations,
      impact_samples: sample.length,
      ...impactFigures,
      impact_target_p99_ms: 50,
      impact_target_met: (impactFigures['impact_p99_ms'] ?? Infinity) < 50 ? 'yes' : 'no',
      impact_mean_items: round(impacted / Math.max(1, sample.length), 1),
      impact_max_items: largest,
      ...summarize('impact_site', siteMs),
      link_samples: pairs.length,
      link_loops_refused: loops,
      ...summarize('link_check', linkMs),
      ...(await problemSuggestionScan(tdb)),
    };
  } finally {
    await tdb.drop();
  }
}
