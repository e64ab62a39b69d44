/**
 * The dashboard's overview reads the SLA events of the open tickets only: its cost follows the
 * tickets open now, not the year of history behind them. Found by the scale simulation
 * (`npm run bench -- scale`): with 1,000,000 tickets of history a hash join read every SLA event
 * ever written (2 million rows, seconds per overview), and every open page fetches the overview
 * again on every change. Checked here from PostgreSQL's own counters: the overview must not read
 * `sla_events` by a sequential scan, whatever the planner thinks of a large closed history.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadOverview } from '../core/dashboard/dashboard.ts';
import { seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { createDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
const CLOSED = 30_000;
const OPEN = 2_000;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  const org = await seedOrganisation(store);
  const person = await seedPerson(store);
  // A closed history with its fired SLA events, and the open tickets of today with theirs.
  await sql`insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id,
      created_at, updated_at, resolved_at, closed_at)
    select 'INC-' || lpad(i::text, 6, '0'), 'incident', 'T', 'D', 2, 2, 3, 'volunteer',
      case when i <= ${OPEN} then (array['new','assigned','in_progress'])[1 + i % 3] else 'closed' end, ${org.id}, ${person.id},
      now() - i * interval '10 minutes', now(), case when i > ${OPEN} then now() end, case when i > ${OPEN} then now() end
    from generate_series(1, ${OPEN + CLOSED}) i`.execute(tdb.db);
  await sql`insert into sla_events (ticket_id, target, kind, due_at, fired_at, created_at)
    select id, k.target, k.kind, created_at + k.h * interval '1 hour', case when status = 'closed' or k.h < 4 then created_at + k.h * interval '1 hour' end, created_at
    from tickets cross join (values ('response', 'warn_75', 3), ('response', 'breach', 4), ('resolution', 'warn_75', 36), ('resolution', 'breach', 48)) k(target, kind, h)`.execute(
    tdb.db,
  );
  await sql`analyze`.execute(tdb.db);
});

afterAll(async () => {
  await tdb.drop();
});

it('reads only the open tickets’ SLA events, never the whole history', async () => {
  // One connection, so that the statistics it flushes are the overview's.
  const db = createDatabase(tdb.url, { max: 1 });
  try {
    const seqReads = async () => {
      await sql`select pg_stat_force_next_flush()`.execute(db);
      await sql`select pg_stat_clear_snapshot()`.execute(db);
      const r = await sql<{ n: string }>`select seq_tup_read as n from pg_stat_user_tables where relname = 'sla_events'`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    };
    const before = await seqReads();
    const overview = await loadOverview(new KyselyStore(db), { now: () => new Date() }, { kind: 'all', decisions: true }, {});
    const after = await seqReads();
    expect(overview.tickets.open).toBe(OPEN);
    expect(overview.tickets.breached).toBeGreaterThan(0);
    expect(after - before).toBe(0);
  } finally {
    await db.destroy();
  }
});
