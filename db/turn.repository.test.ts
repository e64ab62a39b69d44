import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, lockWaiters, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

const opening = (deliveryId: string, externalId = 'U1', dialogKey = `slack:D1:${externalId}`) => ({
  platform: 'slack' as const,
  deliveryId,
  externalId,
  dialogKey,
  at: T0,
});

describe('TurnRepository.open', () => {
  it('marks the delivery seen once and reads the sender with the grants activeGrants lists', async () => {
    const org = await seedOrganisation(store, 'Org turno');
    const p = await seedPerson(store, 'Turno');
    await store.people.linkIdentity({ platform: 'slack', externalId: 'U1', personId: p.id, lastSeenAt: at(1) });
    await store.people.grantRole({
      personId: p.id,
      role: 'requester',
      organisationId: org.id,
      grantedBy: null,
      grantedAt: at(2),
      reason: 't',
    });
    await store.people.grantRole({
      personId: p.id,
      role: 'volunteer',
      organisationId: null,
      grantedBy: null,
      grantedAt: at(1),
      reason: 't',
    });

    const opened = await store.transaction((repos) => repos.turns.open(opening('Ev1')));
    expect(opened?.sender).toEqual(await store.people.findSender('slack', 'U1'));
    expect(opened?.sender?.grants.map((g) => g.role)).toEqual(['volunteer', 'requester']);
    expect(await store.transaction((repos) => repos.turns.open(opening('Ev1')))).toBeUndefined();
    expect(await store.transaction((repos) => repos.turns.open(opening('Ev2', 'sconosciuto')))).toEqual({ sender: undefined });
    expect(await store.deliveries.markSeen('slack', 'Ev2', T0)).toBe(false);
  });

  it('forgets a delivery whose transaction rolled back, and lets one of many concurrent duplicates through', async () => {
    await store
      .transaction(async (repos) => {
        expect(await repos.turns.open(opening('m1'))).toBeDefined();
        throw new Error('handler failed');
      })
      .catch(() => undefined);
    expect(await store.transaction((repos) => repos.turns.open(opening('m1')))).toBeDefined();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.transaction((repos) => repos.turns.open(opening('dup')))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('reads the dialog with the lock, so the transaction finds it without asking again, as it left it', async () => {
    await store.dialogs.put('slack:D1:U1', { step: 1 }, at(60));
    await store.transaction(async (repos) => {
      await repos.turns.open(opening('d1'));
      expect(await repos.dialogs.get('slack:D1:U1', at(1))).toEqual({ step: 1 });
      await repos.dialogs.put('slack:D1:U1', { step: 2 }, at(60));
      expect(await repos.dialogs.get('slack:D1:U1', at(1))).toEqual({ step: 2 });
      expect(await repos.dialogs.get('slack:D1:U1', at(60))).toBeUndefined(); // expired by then
      await repos.dialogs.delete('slack:D1:U1');
      expect(await repos.dialogs.get('slack:D1:U1', at(1))).toBeUndefined();
    });
    expect(await store.dialogs.get('slack:D1:U1', at(1))).toBeUndefined();
  });

  it('holds the conversation: a turn waits for the transaction holding its dialog, then sees the dialog it committed', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstLocked!: () => void;
    const locked = new Promise<void>((r) => (firstLocked = r));
    const first = store.transaction(async (repos) => {
      expect(await repos.dialogs.get('slack:D9:U9', T0)).toBeUndefined();
      firstLocked();
      await held;
      await repos.dialogs.put('slack:D9:U9', { step: 'nuovo' }, at(60));
      order.push('first done');
    });
    await locked;
    const second = store.transaction(async (repos) => {
      await repos.turns.open(opening('w1', 'U9', 'slack:D9:U9'));
      order.push('second opened');
      return repos.dialogs.get('slack:D9:U9', T0);
    });
    await lockWaiters(tdb.db, 1, () => order.includes('second opened'));
    order.push('released');
    release();
    const [, seen] = await Promise.all([first, second]);
    expect(order).toEqual(['released', 'first done', 'second opened']);
    // The dialog is read by the statement behind the opening one, whose snapshot follows that commit.
    expect(seen).toEqual({ step: 'nuovo' });
  });
});
