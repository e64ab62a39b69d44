/**
 * The agents' watchdog runs as a job of the queue, so a fleet of `sportello worker` processes
 * runs it: every worker's cron enqueues the tick's job under the same id, and one of them
 * sweeps. Two workers on one queue, their crons firing every second, a clock held still: one
 * sweep per 15-second tick between them, the purge on the quarter hour.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock, Store } from '../core/kernel/ports.ts';
import { createDatabase } from '../db/database.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { startWorkers, type Workers } from '../jobs/workers.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const quiet = { info() {}, warn() {}, error() {} };
let tdb: TestDatabase;
let now = new Date('2026-03-02T09:15:00.000Z');
/** Read by the crons at each firing (the other periodic readers are slowed to an hour here). */
let clockReads = 0;
const clock: Clock = {
  now: () => {
    clockReads++;
    return now;
  },
};
const sweeps: { worker: string; at: string }[] = [];
const purges: string[] = [];
const fleet: Workers[] = [];
const pools: { destroy(): Promise<void> }[] = [];

/** Worker `name`'s store (a pool of its own), recording the watchdog's sweeps and purges. */
function recording(name: string): Store {
  const db = createDatabase(tdb.url, { max: 5 });
  pools.push(db);
  const store = new KyselyStore(db);
  const monitoring = new Proxy(store.monitoring, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (key === 'listOverdueAgents') sweeps.push({ worker: name, at: now.toISOString() });
        if (key === 'purge') purges.push(now.toISOString());
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return Object.defineProperty(Object.create(store) as Store, 'monitoring', { value: monitoring });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  const namespace = `watchdog-${randomUUID().slice(0, 8)}`;
  for (const name of ['a', 'b'])
    fleet.push(
      await startWorkers({
        store: recording(name),
        clock,
        log: quiet,
        dbUrl: tdb.url,
        defaultLocale: 'it',
        namespace,
        pumpIntervalMs: 3_600_000,
        outboxPollMs: 3_600_000,
        schedules: {
          reconcile: '0 0 1 1 *',
          digest: '0 0 1 1 *',
          autoClose: '0 0 1 1 *',
          housekeeping: '0 0 1 1 *',
          watchdog: '* * * * * *',
        },
      }),
    );
}, 60_000);

afterAll(async () => {
  for (const w of fleet) await w.stop();
  for (const p of pools) await p.destroy();
  await tdb?.drop();
});

describe('the watchdog as a job', () => {
  it('two workers firing every second sweep once per tick between them', async () => {
    const firings = async (n: number) => {
      const from = clockReads;
      await until(`${n} more cron firings`, () => clockReads >= from + n);
    };
    await until('the first sweep', () => sweeps.length >= 1);
    // Both crons keep enqueueing this tick's job, under the same id: no second sweep.
    await firings(8);
    expect(sweeps).toHaveLength(1);
    expect(purges).toEqual(['2026-03-02T09:15:00.000Z']);

    now = new Date('2026-03-02T09:15:15.000Z');
    await until('the next tick’s sweep', () => sweeps.length >= 2);
    await firings(8);
    expect(sweeps.map((s) => s.at)).toEqual(['2026-03-02T09:15:00.000Z', '2026-03-02T09:15:15.000Z']);
    expect(purges).toHaveLength(1);
  }, 60_000);

  it('can also be swept directly, outside the schedule', async () => {
    const before = sweeps.length;
    expect(await fleet[0]!.watchdog.sweepNow()).toEqual({ offline: 0, woken: 0, purged: 0 });
    expect(sweeps).toHaveLength(before + 1);
  });
});
