/**
 * Licence renewal reminders run as a daily job of the queue: every worker's cron enqueues the
 * day's job under the same id, and each reminder is recorded on the licence by a conditional
 * update, so a fleet sends it once per renewal date. Two workers, their crons firing every
 * second: the ICT lead is told once, privately, in their language; an organisation without an
 * ICT lead gets it in the volunteers channel; a licence far away is not reminded; a new renewal
 * date is reminded again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/kernel/ports.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const quiet = { info() {}, warn() {}, error() {} };
const now = new Date('2026-09-01T07:00:00.000Z'); // 09:00 in Rome
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
let m365 = '';

const messages = async (conversationId: string, prefix: string) =>
  (await tdb.db.selectFrom('outbox').select('message').where('conversation_key', '=', `web:${conversationId}`).execute()).filter((r) =>
    r.message.text.startsWith(prefix),
  ).length;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  const [led, unled] = await store.transaction(async (repos) => {
    const a = await createOrganisation(repos, clock, { name: 'Associazione Il Girasole ODV', fiscalCode: '97000000001' });
    const b = await createOrganisation(repos, clock, { name: 'Cooperativa La Rondine', fiscalCode: '97000000002' });
    const lead = await createPerson(repos, clock, { displayName: 'Luke Lead', handle: 'luke', locale: 'en', email: null, phone: null });
    await repos.people.linkIdentity({ platform: 'web', externalId: 'luke', personId: lead.id, lastSeenAt: now });
    await repos.people.grantRole({
      personId: lead.id,
      role: 'ict_lead',
      organisationId: a.id,
      grantedBy: null,
      grantedAt: now,
      reason: 'test',
    });
    return [a, b];
  });
  await store.channels.bind({
    purpose: 'volunteers',
    platform: 'web',
    conversationId: 'volontari',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: now,
  });
  const licence = (organisationId: string, name: string, renewalOn: string) =>
    store.cmdb.insertItem({ organisationId, kind: 'licence', name, notes: null, renewalOn, createdBy: null }, null, now);
  m365 = (await licence(led.id, 'Microsoft 365', '2026-09-20')).id;
  await licence(unled.id, 'Antivirus', '2026-09-01');
  await licence(led.id, 'Dominio', '2027-01-10');

  const namespace = `licences-${randomUUID().slice(0, 8)}`;
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
          watchdog: false,
          licenceRenewals: '* * * * * *',
        },
      }),
    );
}, 60_000);

afterAll(async () => {
  for (const w of fleet) await w.stop();
  await tdb?.drop();
});

describe('licence renewal reminders as a job', () => {
  it('two workers firing every second remind each licence due within 30 days once', async () => {
    await until(
      'the reminders',
      async () => (await messages('luke', 'Reminder:')) >= 1 && (await messages('volontari', 'Promemoria:')) >= 1,
    );
    await moreFirings(8);
    expect(
      await messages(
        'luke',
        'Reminder: CI-000001 · Microsoft 365 of Associazione Il Girasole ODV must be renewed by 20 September 2026 (in 19 days)',
      ),
    ).toBe(1);
    expect(await messages('volontari', 'Promemoria: CI-000002 · Antivirus di Cooperativa La Rondine va rinnovata oggi')).toBe(1);
    // Far away: not yet.
    expect(await messages('luke', 'Reminder: CI-000003')).toBe(0);

    // Renewed for a date still within the window: reminded again for the new date (a new day's job).
    await store.cmdb.updateItem(m365, { renewalOn: '2026-09-25' }, null, 'rinnovata', now);
    const { remindLicenceRenewals } = await import('../core/cmdb/renewal-reminders.ts');
    expect(await remindLicenceRenewals({ store, clock, defaultLocale: 'it' })).toEqual({ reminded: 1 });
    expect(await remindLicenceRenewals({ store, clock, defaultLocale: 'it' })).toEqual({ reminded: 0 });
    expect(
      await messages('luke', 'Reminder: CI-000001 · Microsoft 365 of Associazione Il Girasole ODV must be renewed by 25 September 2026'),
    ).toBe(1);
  }, 60_000);
});
