/**
 * The scheduled reports run as jobs of the queue: every worker's cron enqueues the run under the
 * same id, and the report claims its period in the database, so a fleet posts it once. Two
 * workers, their crons firing every second: the committee channel gets the flow report of the
 * week before once, the observers channel the report of the month before once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/kernel/ports.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const quiet = { info() {}, warn() {}, error() {} };
const now = new Date('2026-12-07T07:00:00.000Z'); // Monday 7 December, 08:00 in Rome
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

const posted = async (conversationId: string, titlePrefix: string) =>
  (await tdb.db.selectFrom('outbox').select('message').where('conversation_key', '=', `web:${conversationId}`).execute()).filter((r) =>
    r.message.title?.startsWith(titlePrefix),
  ).length;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  for (const [purpose, conversationId] of [
    ['committee', 'comitato'],
    ['observers', 'osservatori'],
  ] as const)
    await store.channels.bind({
      purpose,
      platform: 'web',
      conversationId,
      threadId: null,
      organisationId: null,
      boundBy: null,
      boundAt: now,
    });
  const namespace = `reports-${randomUUID().slice(0, 8)}`;
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
          watchdog: false,
          weeklyReport: '* * * * * *',
          monthlyReport: '* * * * * *',
        },
      }),
    );
}, 60_000);

afterAll(async () => {
  for (const w of fleet) await w.stop();
  await tdb?.drop();
});

describe('the scheduled reports as jobs', () => {
  it('two workers firing every second post the week and the month once each', async () => {
    await until(
      'both reports',
      async () => (await posted('comitato', 'Report del flusso')) >= 1 && (await posted('osservatori', 'Report per')) >= 1,
    );
    const from = clockReads;
    await until('a few more firings', () => clockReads >= from + 8);
    expect(await posted('comitato', 'Report del flusso · 30 novembre 2026 – 6 dicembre 2026')).toBe(1);
    expect(await posted('osservatori', 'Report per osservatori e finanziatori · 1 novembre 2026 – 30 novembre 2026')).toBe(1);
    // Each report carries its chart as data (drawn by the adapter at delivery), small in the outbox.
    const rows = await tdb.db
      .selectFrom('outbox')
      .select('message')
      .where('conversation_key', 'in', ['web:comitato', 'web:osservatori'])
      .execute();
    expect(rows.map((r) => r.message.image?.name).sort()).toEqual(['report-flow-2026-11-30', 'report-observers-2026-11-01']);
    for (const r of rows) expect(JSON.stringify(r.message.image).length).toBeLessThan(1500);
    const runs = await tdb.db
      .withTables<{ scheduled_runs: { name: string; run_key: string } }>()
      .selectFrom('scheduled_runs')
      .selectAll()
      .execute();
    expect(
      runs
        .filter((r) => r.name.startsWith('report-'))
        .map((r) => `${r.name}:${r.run_key}`)
        .sort(),
    ).toEqual(['report-month:2026-11-01', 'report-week:2026-11-30']);
  }, 60_000);
});
