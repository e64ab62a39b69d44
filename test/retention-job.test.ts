/**
 * The retention of closed tickets' personal data runs as a daily job of the queue: every worker's
 * cron enqueues the day's job under the same id, and each ticket is marked once cleared. Two
 * workers, their crons firing every second, a period of 12 months (RETENTION_MONTHS): the ticket
 * closed 13 months ago loses its texts, once (one record); the one closed 11 months ago and the
 * open one keep theirs.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/kernel/ports.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { REMOVED_TEXT } from '../core/privacy/privacy.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const quiet = { info() {}, warn() {}, error() {} };
const now = new Date('2026-09-01T01:35:00.000Z');
let clockReads = 0;
const clock: Clock = {
  now: () => {
    clockReads++;
    return now;
  },
};
let tdb: TestDatabase;
let store: KyselyStore;
const fleet: Workers[] = [];
const monthsAgo = (n: number) => new Date(Date.UTC(2026, 8 - n, 1, 1, 0));

async function ticket(ref: string, orgId: string, requesterId: string, closedAt: Date | null): Promise<void> {
  await sql`insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status, organisation_id, requester_id, created_at, updated_at, closed_at)
    values (${ref}, 'incident', ${`Titolo ${ref} Armadillo`}, ${`Descrizione ${ref} di Carla Requisiti`}, 2, 2, 3, 'volunteer',
      ${closedAt ? 'closed' : 'new'}, ${orgId}, ${requesterId}, ${monthsAgo(14)}, ${closedAt ?? monthsAgo(14)}, ${closedAt})`.execute(
    tdb.db,
  );
  await sql`insert into ticket_comments (ticket_id, author_id, body, created_at)
    select id, ${requesterId}, ${`Commento su ${ref}: chiamatemi al 333 777 8888`}, ${monthsAgo(14)} from tickets where ref = ${ref}`.execute(
    tdb.db,
  );
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  const { org, carla } = await store.transaction(async (repos) => ({
    org: await createOrganisation(repos, clock, { name: 'Associazione Il Girasole ODV', fiscalCode: '97000000001' }),
    carla: await createPerson(repos, clock, { displayName: 'Carla Requisiti', handle: 'carla', locale: 'it', email: null, phone: null }),
  }));
  await ticket('INC-000001', org.id, carla.id, monthsAgo(13));
  await ticket('INC-000002', org.id, carla.id, monthsAgo(11));
  await ticket('INC-000003', org.id, carla.id, null);

  const namespace = `retention-${randomUUID().slice(0, 8)}`;
  const never = '0 0 1 1 *';
  for (let i = 0; i < 2; i++)
    fleet.push(
      await startWorkers({
        store,
        clock,
        log: quiet,
        dbUrl: tdb.url,
        defaultLocale: 'it',
        namespace,
        retentionMonths: 12,
        pumpIntervalMs: 3_600_000,
        outboxPollMs: 3_600_000,
        schedules: {
          reconcile: never,
          digest: never,
          autoClose: never,
          housekeeping: never,
          certifications: never,
          problemScan: never,
          licenceRenewals: never,
          weeklyReport: never,
          monthlyReport: never,
          watchdog: false,
          retention: '* * * * * *',
        },
      }),
    );
}, 60_000);

afterAll(async () => {
  for (const w of fleet) await w.stop();
  await tdb?.drop();
});

const row = (ref: string) =>
  tdb.db.selectFrom('tickets').select(['title', 'description', 'requester_id']).where('ref', '=', ref).executeTakeFirstOrThrow();
const records = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from privacy_requests where kind = 'retention'`.execute(tdb.db)).rows[0]!.n);

describe('the retention job', () => {
  it('two workers firing every second clear only the ticket closed before the cutoff, once', async () => {
    await until('the old ticket cleared', async () => (await row('INC-000001')).description === REMOVED_TEXT);
    const from = clockReads;
    await until('8 more firings', () => clockReads >= from + 8);
    expect(await row('INC-000001')).toMatchObject({ title: REMOVED_TEXT, description: REMOVED_TEXT });
    const comments = await sql<{
      ref: string;
      body: string;
    }>`select t.ref, c.body from ticket_comments c join tickets t on t.id = c.ticket_id order by t.ref`.execute(tdb.db);
    expect(comments.rows.map((c) => c.body)).toEqual([
      REMOVED_TEXT,
      'Commento su INC-000002: chiamatemi al 333 777 8888',
      'Commento su INC-000003: chiamatemi al 333 777 8888',
    ]);
    expect((await row('INC-000002')).description).toBe('Descrizione INC-000002 di Carla Requisiti');
    expect((await row('INC-000003')).title).toBe('Titolo INC-000003 Armadillo');
    expect(await records()).toBe(1);
  }, 60_000);
});
