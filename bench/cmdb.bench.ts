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
 */
import { sql } from 'kysely';
import { IMPACT_DEPTH, IMPACT_LIMIT } from '../core/cmdb/manage-items.ts';
import { RELATION_KINDS } from '../core/cmdb/model.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { round, summarize } from './stats.ts';

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

/**
 * HOOK FOR THE LEAD — the problem-suggestion scan timing (issue 14: "problem-suggestion scan time
 * over 1,000,000 incidents") belongs in this bench's JSON line: load the incidents into `tdb`
 * here, time the scan, and return its figures (e.g. `{ problem_scan_incidents, problem_scan_ms }`).
 */
export async function problemSuggestionScan(_tdb: TestDatabase): Promise<Record<string, number | string>> {
  return {};
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
