/**
 * Certification reminders and lapses run as a job of the queue: every worker's cron enqueues the
 * hour's job under the same id, and each reminder is also recorded in the database, so a fleet
 * sends it once. Two workers, their crons firing every second, a clock held still ten days
 * before a vendor's expiry: one reminder; moved past the expiry: one lapse.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/kernel/ports.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const quiet = { info() {}, warn() {}, error() {} };
const DAY = 86_400_000;
const EXPIRY = new Date('2026-04-01T22:00:00.000Z'); // midnight of 2 April in Rome
let now = new Date(EXPIRY.getTime() - 10 * DAY);
/** Read at each cron firing (and by the sweeps): counting reads is how the test knows the crons fired again. */
let clockReads = 0;
const clock: Clock = {
  now: () => {
    clockReads++;
    return now;
  },
};
const moreFirings = async (n: number) => {
  const from = clockReads;
  await until(`${n} more clock reads`, () => clockReads >= from + n);
};
let tdb: TestDatabase;
let store: KyselyStore;
const fleet: Workers[] = [];

const committeeMessages = async (prefix: string) =>
  (await tdb.db.selectFrom('outbox').select('message').where('platform', '=', 'web').execute()).filter((r) =>
    r.message.text.startsWith(prefix),
  ).length;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  await store.channels.bind({
    purpose: 'committee',
    platform: 'web',
    conversationId: 'comitato',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: now,
  });
  await store.vendors.insertVendor(
    {
      ref: await store.vendors.nextRef('vendor'),
      name: 'Rete Sicura srl',
      vatNumber: '12345678903',
      regions: ['lombardia'],
      categories: ['network'],
      contacts: 'x',
      status: 'certified',
      certifiedUntil: EXPIRY,
      appliedBy: null,
    },
    now,
  );
  const namespace = `certifications-${randomUUID().slice(0, 8)}`;
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
          watchdog: false,
          certifications: '* * * * * *',
        },
      }),
    );
}, 60_000);

afterAll(async () => {
  for (const w of fleet) await w.stop();
  await tdb?.drop();
});

describe('certification reminders and lapses as a job', () => {
  it('two workers firing every second remind once, then lapse once', async () => {
    await until('the reminder', async () => (await committeeMessages('Promemoria: la certificazione di Rete Sicura srl')) >= 1);
    // Both crons keep enqueueing this hour's job under the same id: nothing more is sent.
    await moreFirings(8);
    expect(await committeeMessages('Promemoria: la certificazione di Rete Sicura srl')).toBe(1);

    now = new Date(EXPIRY.getTime() + 2 * 3_600_000); // the next hour's job: past the expiry
    await until('the lapse', async () => (await store.vendors.findVendorByRef('FOR-000001'))?.status === 'lapsed');
    await until('its announcement', async () => (await committeeMessages('Albo: la certificazione di Rete Sicura srl')) >= 1);
    await moreFirings(8);
    expect(await committeeMessages('Albo: la certificazione di Rete Sicura srl')).toBe(1);
    const decisions = await store.certifications.listDecisions({ subjectKind: 'vendor', limit: 10 });
    expect(decisions.map((d) => [d.decision, d.decidedBy])).toEqual([['lapse', null]]);
  }, 60_000);
});
