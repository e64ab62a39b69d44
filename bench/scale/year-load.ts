/**
 * Phase 1 of the scale simulation: a year of the whole network at rest, written with set-based
 * SQL (as bench/report-load.ts does) on one connection with foreign-key triggers off (rows are
 * consistent by construction, as in a restore). What a year leaves behind, per ticket and per
 * agent, is stated in `YEAR` below; the tables that are kept for a while only (check results
 * 30 days, batch ids 7 days, delivery ids 30 days, nonces 10 minutes) are filled to their
 * steady state — or, for the three too large to write in minutes (the outbox, never purged, and
 * the check results and batch ids: billions of rows), to a sample whose measured bytes per row
 * are projected to the year's count.
 */
import pg from 'pg';
import { loadPosts } from '../community.bench.ts';

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

/** The network and what a year of it leaves in the database (env SCALE_*). */
export const YEAR = {
  orgs: env('SCALE_ORGS', 10_000),
  agents: env('SCALE_AGENTS', 20_000),
  tickets: env('SCALE_TICKETS', 1_000_000),
  requestersPerOrg: 3,
  volunteers: env('SCALE_VOLUNTEERS', 1_000),
  checksPerAgent: 10,
  /** Other configuration items per organisation (printers, network devices, licences), beside the agents' machines. */
  otherItemsPerOrg: 3,
  /** Status history per ticket: new, assigned, resolved, closed. */
  eventsPerTicket: 4,
  commentsPerTicket: 1,
  /** SLA events that fired and stay (unfired ones are deleted when a ticket resolves). */
  firedSlaPerTicket: 2,
  /** Chat messages sent per ticket: 4 intake replies, the card, claim notice, resolution, rating ask. */
  outboxPerTicket: env('SCALE_OUTBOX_PER_TICKET', 8),
  /** Inbound chat events per ticket (intake, clicks, comments, rating), remembered 30 days. */
  inboundPerTicket: 10,
  /** Deflection offers at intake, per ticket. */
  offersPerTicket: 0.5,
  /** Alerts per agent per year (two a month); each posts a message and edits it once. */
  alertsPerAgent: env('SCALE_ALERTS_PER_AGENT', 24),
  /** Community posts in a year (two fifths questions). */
  posts: env('SCALE_POSTS', 50_000),
  /** Retention windows of the rolling tables (core/alerts/watchdog.ts, core/maintenance/housekeeping.ts). */
  resultDays: 30,
  batchDays: 7,
  deliveryDays: 30,
  nonceMinutes: 10,
  /** Rows actually written for the two tables projected from a sample. */
  resultSample: env('SCALE_RESULT_SAMPLE', 2_000_000),
  batchSample: env('SCALE_BATCH_SAMPLE', 1_000_000),
  /** The outbox (8 million rows a year, never purged) is written as a sample of its newest rows too. */
  outboxSample: env('SCALE_OUTBOX_SAMPLE', 1_000_000),
};

/** Rows a table holds after a year (steady state for the rolling ones) vs rows written here. */
export interface TableTarget {
  readonly table: string;
  readonly yearRows: number;
  readonly loadedRows: number;
}

export function targets(): TableTarget[] {
  const y = YEAR;
  const minutesOf = (days: number) => days * 1440;
  const full = (table: string, rows: number): TableTarget => ({ table, yearRows: Math.round(rows), loadedRows: Math.round(rows) });
  const sampled = (table: string, rows: number, sample: number): TableTarget => ({
    table,
    yearRows: Math.round(rows),
    loadedRows: Math.round(Math.min(rows, sample)),
  });
  const results = y.agents * y.checksPerAgent * minutesOf(y.resultDays);
  const batches = y.agents * minutesOf(y.batchDays);
  return [
    full('tickets', y.tickets),
    full('ticket_events', y.tickets * y.eventsPerTicket),
    full('ticket_comments', y.tickets * y.commentsPerTicket),
    full('sla_events', y.tickets * y.firedSlaPerTicket),
    sampled('outbox', y.tickets * y.outboxPerTicket + y.agents * y.alertsPerAgent * 2, y.outboxSample),
    full('inbound_deliveries', ((y.tickets * y.inboundPerTicket) / 365) * y.deliveryDays),
    full('deflection_offers', y.tickets * y.offersPerTicket),
    full('alerts', y.agents * y.alertsPerAgent),
    full('check_states', y.agents * y.checksPerAgent),
    full('agent_nonces', (y.agents / 60) * 60 * y.nonceMinutes),
    sampled('check_results', results, y.resultSample),
    sampled('agent_batches', batches, y.batchSample),
  ];
}

const BULK_TABLES = [
  'tickets',
  'ticket_events',
  'ticket_comments',
  'sla_events',
  'outbox',
  'alerts',
  'check_results',
  'agent_batches',
  'platform_messages',
  'deflection_offers',
  'inbound_deliveries',
];

/** The agent `i`'s signing secret as loaded (the simulation's agents sign with it). */
export const agentSecret = (i: number) => `scale-agent-secret-${i}`;

export interface LoadResult {
  readonly steps: Record<string, number>;
  readonly totalMs: number;
}

/** Writes the year into the (migrated, empty) database at `url`. */
export async function loadYear(url: string, communityDb: Parameters<typeof loadPosts>[0], log: (m: string) => void): Promise<LoadResult> {
  const y = YEAR;
  const t = targets();
  const rows = (table: string) => t.find((x) => x.table === table)!.loadedRows;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const steps: Record<string, number> = {};
  const started = performance.now();
  const step = async (name: string, text: string) => {
    const t0 = performance.now();
    await c.query(text);
    steps[name] = Math.round(performance.now() - t0);
    log(`  ${name}: ${(steps[name] / 1000).toFixed(1)} s`);
  };
  try {
    await c.query(`set session_replication_role = replica; set maintenance_work_mem = '512MB'; set work_mem = '256MB'`);
    // The big tables' secondary indexes are built once at the end (faster than row by row);
    // the constraints' own indexes (keys, unique refs) stay and are checked as rows go in.
    const { rows: indexes } = await c.query<{ name: string; def: string }>(
      `select i.indexname as name, i.indexdef as def from pg_indexes i
       where i.schemaname = 'public' and i.tablename = any($1)
         and not exists (select 1 from pg_constraint k where k.conname = i.indexname)`,
      [BULK_TABLES],
    );
    for (const ix of indexes) await c.query(`drop index "${ix.name}"`);
    await step(
      'organisations',
      `insert into organisations (name, fiscal_code, created_at, named_in_reports)
       select 'Associazione ' || i, '8' || lpad(i::text, 10, '0'), now() - interval '2 years', i % 4 = 0 from generate_series(0, ${y.orgs - 1}) i`,
    );
    // A numbered view of the organisations, used to spread everything else over them.
    await c.query(`create temporary table o as select id, (row_number() over (order by fiscal_code) - 1)::int as k from organisations;
      create index on o (k); analyze o`);
    const requesters = y.orgs * y.requestersPerOrg;
    await step(
      'people',
      `insert into people (handle, display_name, email, phone, locale, created_at)
       select 'r' || i, 'Richiedente ' || i, 'r' || i || '@example.org', '+39 333 ' || lpad(i::text, 7, '0'), 'it', now() - interval '1 year'
         from generate_series(0, ${requesters - 1}) i
       union all select 'v' || i, 'Volontaria ' || i, null, null, 'it', now() - interval '1 year' from generate_series(0, ${y.volunteers - 1}) i
       union all select 'a' || i, 'Agente pc-' || i, null, null, 'it', now() - interval '1 year' from generate_series(0, ${y.agents - 1}) i`,
    );
    await c.query(`create temporary table p as select id, left(handle, 1) as kind, substr(handle, 2)::int as n from people where handle ~ '^[rva][0-9]+$';
      create index on p (kind, n); analyze p`);
    await step(
      'identities_grants',
      `insert into identities (platform, external_id, person_id, last_seen_at)
         select 'web', case kind when 'r' then 'req' else 'vol' end || n, id, now() from p where kind in ('r', 'v');
       insert into role_grants (person_id, role, organisation_id, granted_at, reason)
         select p.id, 'requester', o.id, now() - interval '1 year', 'scale' from p join o on o.k = p.n % ${y.orgs} where p.kind in ('r', 'a');
       insert into role_grants (person_id, role, organisation_id, granted_at, reason)
         select id, 'volunteer', null, now() - interval '1 year', 'scale' from p where kind = 'v'`,
    );
    await step(
      'agents_items',
      `insert into monitoring_agents (organisation_id, person_id, name, secret, heartbeat_seconds, grace_seconds, agent_version, enrolled_at, last_seen_at)
         select o.id, p.id, 'pc-' || p.n, 'scale-agent-secret-' || p.n, 60, 120, 'scale', now() - interval '1 year', now()
         from p join o on o.k = p.n % ${y.orgs} where p.kind = 'a';
       insert into configuration_items (organisation_id, kind, name, facts, agent_id, created_at, updated_at)
         select organisation_id, 'computer', name,
           jsonb_build_object('hostname', name, 'os', jsonb_build_object('platform', 'linux', 'release', '6.1', 'arch', 'x64'),
             'cpu', jsonb_build_object('model', 'Intel Core i5', 'cores', 4), 'memoryBytes', 8589934592), id, enrolled_at, now()
         from monitoring_agents;
       insert into configuration_items (organisation_id, kind, name, created_at, updated_at)
         select o.id, (array['printer','network_device','licence'])[1 + j], (array['Stampante','Router','Licenza'])[1 + j] || ' ' || o.k,
           now() - interval '1 year', now()
         from o cross join generate_series(0, ${y.otherItemsPerOrg - 1}) j`,
    );
    const checks = `(values (0,'cpu','cpu','cpu','%'),(1,'carico','load','load5',''),(2,'memoria','memory','ram','%'),(3,'disco-root','disk','/','%'),
      (4,'disco-dati','disk','/srv/dati','%'),(5,'nginx','process','nginx',''),(6,'log-app','log','/var/log/app.log',''),
      (7,'sito','http','https://www.example.org/','ms'),(8,'sito','tls','www.example.org:443','d'),(9,'backup','file_age','/srv/backup','h')) ck(n, check_id, kind, target, unit)`;
    await step(
      'check_states',
      `insert into check_states (fingerprint, agent_id, organisation_id, check_id, kind, target, status, good_since, last_at, last_value, unit,
          last_message, for_seconds, recovery_seconds)
       select a.id || '|' || ck.check_id || '|' || ck.target, a.id, a.organisation_id, ck.check_id, ck.kind, ck.target, 'ok',
         now() - interval '30 days', now() - interval '1 minute', 20, ck.unit, 'fine', 300, 300
       from monitoring_agents a cross join ${checks} where ck.n < ${y.checksPerAgent}`,
    );
    // A year of tickets, oldest first; 90 % resolved (most of them closed), the rest open.
    await step(
      'tickets',
      `insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id,
          assignee_id, rating, effort_minutes, created_at, updated_at, resolved_at, closed_at)
       select case when i % 10 < 7 then 'INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 6, '0')
                   else 'REQ-' || lpad(nextval('ticket_ref_req_seq')::text, 6, '0') end,
         case when i % 10 < 7 then 'incident' else 'service_request' end,
         (array['La stampante non stampa','Il wifi della sede è lento','Non riesco ad accedere alla posta','Il PC non si accende',
                'Serve un nuovo account','Il backup non parte'])[1 + i % 6] || ' (' || i || ')',
         'Da stamattina in segreteria ' || (array['la stampante','il wifi','la posta','il PC','il gestionale'])[1 + i % 5]
           || ' non funziona. Abbiamo provato a riavviare ma il problema resta; ci serve entro oggi per le iscrizioni.',
         1 + i % 3, 1 + (i / 3) % 3, 1 + i % 5, case when i % 25 = 0 then 'vendor' else 'volunteer' end,
         case when c.open then (array['new','assigned','in_progress'])[1 + (i / 10) % 3] when i % 10 < 3 then 'resolved' else 'closed' end,
         o.id, r.id, case when i % 30 <> 0 then v.id end, case when i % 3 = 0 then 1 + i % 5 end, case when i % 2 = 0 then 15 * (1 + i % 8) end,
         c.at, c.at, case when not c.open then c.at + (1 + i % 120) * interval '1 hour' end,
         case when not c.open and i % 10 >= 3 then c.at + (1 + i % 120) * interval '1 hour' + interval '3 days' end
       from generate_series(0, ${y.tickets - 1}) i
       join p r on r.kind = 'r' and r.n = i % ${requesters}
       join o on o.k = r.n % ${y.orgs}
       join p v on v.kind = 'v' and v.n = i % ${y.volunteers}
       cross join lateral (select now() - ((${y.tickets} - i)::float8 / ${y.tickets}) * interval '365 days' as at) c0
       -- Open: two in five of the last week's tickets, one in two hundred older ones (waiting on a vendor, forgotten).
       cross join lateral (select c0.at, case when c0.at > now() - interval '7 days' then i % 5 < 2 else i % 200 = 0 end as open) c`,
    );
    await step(
      'ticket_events',
      `insert into ticket_events (ticket_id, actor_id, at, field, from_value, to_value)
       select id, requester_id, created_at, 'status', null, 'new' from tickets
       union all select id, assignee_id, created_at + interval '2 hours', 'status', 'new', 'assigned' from tickets where assignee_id is not null
       union all select id, assignee_id, resolved_at, 'status', 'assigned', 'resolved' from tickets where resolved_at is not null
       union all select id, null, closed_at, 'status', 'resolved', 'closed' from tickets where closed_at is not null`,
    );
    await step(
      'ticket_comments',
      `insert into ticket_comments (ticket_id, author_id, body, internal, created_at)
       select id, coalesce(assignee_id, requester_id), 'Ho controllato da remoto: era il driver, aggiornato. Fammi sapere se ora va.',
         (hashtext(id::text) & 3) = 0, created_at + interval '3 hours'
       from tickets t cross join generate_series(1, ${y.commentsPerTicket})`,
    );
    await step(
      'sla_events',
      `insert into sla_events (ticket_id, target, kind, due_at, fired_at, queued_at, created_at)
       select id, k.target, k.kind, created_at + k.h * interval '1 hour', created_at + k.h * interval '1 hour', created_at + k.h * interval '1 hour' - interval '1 hour', created_at
       from tickets cross join (values ('response','warn_75', 3), ('resolution','warn_75', 36)) k(target, kind, h);
       -- Open tickets' resolution clock: fired when already due, pending (for the timer pump) when not.
       insert into sla_events (ticket_id, target, kind, due_at, fired_at, queued_at, created_at)
       select id, 'resolution', k.kind, d.due, case when d.due < now() then d.due end, case when d.due < now() then d.due - interval '1 hour' end, created_at
       from tickets cross join (values ('warn_90', 43), ('breach', 48)) k(kind, h)
       cross join lateral (select created_at + k.h * interval '1 hour' as due) d
       where status in ('new', 'assigned', 'in_progress')
`,
    );
    await step(
      'platform_messages',
      `insert into platform_messages (platform, conversation_id, ref, message_id)
       select 'telegram', '-100123456789', ref, (100000 + row_number() over ())::text from tickets`,
    );
    // What went out: per ticket the intake replies, the card, notices; per alert a post and an edit.
    const perTicket = y.outboxPerTicket;
    const outboxShare = rows('outbox') / t.find((x) => x.table === 'outbox')!.yearRows;
    const ticketOutbox = Math.round(y.tickets * perTicket * outboxShare);
    const alertOutbox = Math.round(y.agents * y.alertsPerAgent * 2 * outboxShare);
    await step(
      'outbox',
      `insert into outbox (platform, address, ref, message, status, attempts, next_attempt_at, created_at, delivered_at, platform_message_id)
       select 'telegram',
         case when j = 1 then '{"platform":"telegram","kind":"channel","conversationId":"-100123456789"}'::jsonb
              else jsonb_build_object('platform', 'telegram', 'kind', 'dm', 'conversationId', (700000000 + (hashtext(t.requester_id::text) & 65535))::text) end,
         case when j = 1 then t.ref end,
         case when j = 1 then jsonb_build_object('text', '🆕 ' || t.ref || ' · ' || t.title || E'\\n' || left(t.description, 160) || E'\\nPriorità P3 · Associazione',
                'buttons', jsonb_build_array(jsonb_build_object('label', 'Prendo io', 'actionId', 'ticket.claim', 'value', t.id)))
              else jsonb_build_object('text', 'Grazie! Ho registrato la tua richiesta ' || t.ref || '. Ti scrivo qui appena una volontaria la prende in carico.') end,
         'delivered', 1, t.created_at + j * interval '1 minute', t.created_at + j * interval '1 minute', t.created_at + j * interval '1 minute' + interval '300 ms',
         (200000 + j)::text
       from (select * from tickets order by created_at desc limit ${Math.ceil(ticketOutbox / perTicket)}) t cross join generate_series(1, ${perTicket}) j;
       insert into outbox (platform, address, ref, message, status, attempts, next_attempt_at, created_at, delivered_at, platform_message_id)
       select 'telegram', '{"platform":"telegram","kind":"channel","conversationId":"-100987654321"}'::jsonb, 'ALR-' || i,
         jsonb_build_object('text', '🔴 Disco quasi pieno su pc-' || (i % ${y.agents}) || E'\\n/srv/dati: 97.5% usato, 1.2 GiB liberi di 50 GiB',
           'buttons', jsonb_build_array(jsonb_build_object('label', 'Visto', 'actionId', 'alert.ack', 'value', i::text))),
         'delivered', 1, now() - (i % 525600) * interval '1 minute', now() - (i % 525600) * interval '1 minute', now() - (i % 525600) * interval '1 minute', i::text
       from generate_series(1, ${alertOutbox}) i`,
    );
    await step(
      'inbound_deliveries',
      `insert into inbound_deliveries (platform, delivery_id, seen_at)
       select 'telegram', (900000000 + i)::text, now() - (i::float8 / ${rows('inbound_deliveries')}) * interval '${y.deliveryDays} days'
       from generate_series(1, ${rows('inbound_deliveries')}) i`,
    );
    await step(
      'deflection_offers',
      `insert into deflection_offers (source, person_id, platform, query, offered, outcome, ticket_id, created_at)
       select 'intake', requester_id, 'telegram', left(title, 60), array['Q-000123','Q-004567'], (array['declined', null, 'resolved'])[1 + (hashtext(id::text) & 1)], id, created_at
       from tickets where (hashtext(id::text) & 1) = 0 limit ${rows('deflection_offers')}`,
    );
    await step(
      'alerts',
      `with ag as (select id, organisation_id, (row_number() over (order by id) - 1)::int as k from monitoring_agents)
       insert into alerts (fingerprint, organisation_id, agent_id, kind, check_id, target, severity, state, message, last_value, unit,
           opened_at, resolved_at, notified_at, updated_at)
       select ag.id || '|disco-dati|/srv/dati', ag.organisation_id, ag.id, 'disk', 'disco-dati', '/srv/dati', (array['warn','crit'])[1 + i % 2],
         'resolved', '97.5% usato, 1.2 GiB liberi di 50 GiB', 97.5, '%', at, at + interval '2 hours', at, at + interval '2 hours'
       from generate_series(0, ${rows('alerts') - 1}) i join ag on ag.k = i % ${y.agents}
       cross join lateral (select now() - interval '2 hours' - ((${rows('alerts')} - i)::float8 / ${rows('alerts')}) * interval '365 days' as at) c`,
    );
    await step(
      'agent_nonces',
      `insert into agent_nonces (agent_id, nonce, seen_at)
       select a.id, md5(a.id::text || j), now() - (j * 60 + (hashtext(a.id::text) & 63)) * interval '1 second'
       from monitoring_agents a cross join generate_series(1, ${y.nonceMinutes}) j`,
    );
    // The two tables too large to fill: a sample of the steady state, the newest minutes of it.
    const batchMinutes = Math.ceil(rows('agent_batches') / y.agents);
    await step(
      'agent_batches_sample',
      `insert into agent_batches (agent_id, batch_id, results, received_at)
       select a.id, gen_random_uuid(), ${y.checksPerAgent}, now() - j * interval '1 minute'
       from generate_series(1, ${batchMinutes}) j cross join monitoring_agents a limit ${rows('agent_batches')}`,
    );
    const resultMinutes = Math.ceil(rows('check_results') / (y.agents * y.checksPerAgent));
    await step(
      'check_results_sample',
      `insert into check_results (agent_id, fingerprint, status, value, observed_at)
       select agent_id, fingerprint, 'ok', 10 + (hashtext(fingerprint) & 31), now() - j * interval '1 minute'
       from generate_series(1, ${resultMinutes}) j cross join check_states limit ${rows('check_results')}`,
    );
    const i0 = performance.now();
    for (const ix of indexes) await c.query(ix.def);
    steps['indexes'] = Math.round(performance.now() - i0);
    log(`  indexes (${indexes.length}): ${(steps['indexes'] / 1000).toFixed(1)} s`);
    await c.query('set session_replication_role = origin');
    const p0 = performance.now();
    await loadPosts(communityDb, await firstOf(c, 'r'), await firstOf(c, 'v'), y.posts);
    steps['community_posts'] = Math.round(performance.now() - p0);
    log(`  community_posts: ${(steps['community_posts'] / 1000).toFixed(1)} s`);
    await step('vacuum_analyze', 'vacuum analyze');
  } finally {
    await c.end();
  }
  return { steps, totalMs: Math.round(performance.now() - started) };
}

async function firstOf(c: pg.Client, kind: 'r' | 'v'): Promise<string> {
  return (await c.query<{ id: string }>(`select id from people where handle = '${kind}0'`)).rows[0]!.id;
}

export interface TableSize {
  readonly table: string;
  readonly rows: number;
  readonly totalMb: number;
  readonly indexMb: number;
}

/** Every table's rows (estimates after analyze) and size with its indexes and TOAST, largest first. */
export async function tableSizes(url: string): Promise<{ databaseMb: number; tables: TableSize[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const db = await c.query<{ b: string }>('select pg_database_size(current_database()) as b');
    const r = await c.query<{ t: string; rows: string; total: string; idx: string }>(
      `select c.relname as t, greatest(c.reltuples, 0)::bigint as rows, pg_total_relation_size(c.oid) as total, pg_indexes_size(c.oid) as idx
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind = 'r' and n.nspname = 'public' order by pg_total_relation_size(c.oid) desc`,
    );
    const mb = (b: string | number) => Math.round((Number(b) / 1048576) * 10) / 10;
    return {
      databaseMb: mb(db.rows[0]!.b),
      tables: r.rows.map((x) => ({ table: x.t, rows: Number(x.rows), totalMb: mb(x.total), indexMb: mb(x.idx) })),
    };
  } finally {
    await c.end();
  }
}
