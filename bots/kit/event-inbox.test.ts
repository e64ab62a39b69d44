/**
 * The receiving side of the inbox on the real database: one person's events are handled in the
 * order they arrived even when the first one's acknowledgement is slower; a redelivery of a
 * stored event is acknowledged and not handled twice; what failed is left for the sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyStore } from '../../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from '../../test/test-database.ts';
import { until } from '../../test/wait.ts';
import { EventInbox } from './event-inbox.ts';

let tdb: TestDatabase;
let store: KyselyStore;
const warnings: string[] = [];
const log = {
  warn: (_o: object, m?: string) => void warnings.push(m ?? ''),
  error: (_o: object, m?: string) => void warnings.push(m ?? ''),
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

const left = async (id: string) =>
  (await store.inbox.lease('slack', new Date(Date.now() + 3_600_000), 100, new Date())).some((e) => e.deliveryId === id);

describe('EventInbox', () => {
  it('acknowledges an event once stored, and starts handling events in the order they arrived', async () => {
    const handled: string[] = [];
    const acked: string[] = [];
    const inbox = new EventInbox({ platform: 'slack', repo: store.inbox, log, handle: async (p) => void handled.push(String(p)) });
    const ids = ['Ord1', 'Ord2', 'Ord3', 'Ord4', 'Ord5'];
    const acks: Promise<void>[] = [];
    for (const [i, id] of ids.entries()) {
      acks.push(inbox.receive(id, id, async () => void acked.push(id)));
      // Some arrive in the same tick (one batch), some while the batch before is being stored.
      if (i === 2) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
    await until('all handled', () => handled.length === ids.length);
    expect(acked).toEqual(ids);
    expect(handled).toEqual(ids);
    await inbox.stop();
    for (const id of ids) expect(await left(id)).toBe(false);
  });

  it('acknowledges a redelivery of a stored event without handling it again; a failed handling stays for the sweep', async () => {
    const handled: string[] = [];
    let fail = true;
    const inbox = new EventInbox({
      platform: 'slack',
      repo: store.inbox,
      log,
      leaseMs: 200,
      handle: async (p) => {
        if (fail) throw new Error('database away');
        handled.push(String(p));
      },
    });
    const acks: string[] = [];
    await inbox.receive('Red1', 'Red1', async () => void acks.push('first'));
    await until('the failure', () => warnings.includes('inbox event not handled, left for the replay sweep'));
    await inbox.receive('Red1', 'Red1', async () => void acks.push('redelivery'));
    expect(acks).toEqual(['first', 'redelivery']);
    expect(handled).toEqual([]);
    fail = false;
    await until('the lease to run out and the sweep to replay it', async () => {
      await inbox.sweep();
      return handled.length > 0;
    });
    expect(handled).toEqual(['Red1']);
    await inbox.stop();
    expect(await left('Red1')).toBe(false);
  });

  it('a sweep takes a backlog a few at a time, oldest first, each leased only when its turn is near', async () => {
    const long = new Date(Date.now() - 60_000);
    const ids = Array.from({ length: 25 }, (_, i) => `Back${String(i).padStart(2, '0')}`);
    await store.inbox.add(
      ids.map((id, i) => ({
        platform: 'slack' as const,
        deliveryId: id,
        payload: id,
        receivedAt: new Date(long.getTime() + i),
        leasedUntil: long,
      })),
    );
    const handled: string[] = [];
    const leases: number[] = [];
    const repo = Object.assign(Object.create(store.inbox) as typeof store.inbox, {
      lease: async (...args: Parameters<typeof store.inbox.lease>) => {
        const due = await store.inbox.lease(...args);
        leases.push(due.length);
        return due;
      },
    });
    const inbox = new EventInbox({ platform: 'slack', repo, log, handle: async (p) => void handled.push(String(p)) });
    await inbox.sweep();
    expect(handled).toEqual(ids);
    expect(leases).toEqual([10, 10, 5, 0]);
    await inbox.stop();
    for (const id of ids) expect(await left(id)).toBe(false);
  });
});
