import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OneTimeCodePurpose } from '../core/kernel/ports.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase, lockWaiters } from '../test/test-database.ts';
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

describe('DialogRepository', () => {
  it('stores JSON state until it expires', async () => {
    const state = { step: 'title', draft: { kind: 'incident', tags: ['a', 'b'] } };
    await store.dialogs.put('slack:D1', state, at(10));
    expect(await store.dialogs.get('slack:D1', at(0))).toEqual(state);
    expect(await store.dialogs.get('slack:D1', at(10))).toBeUndefined();

    await store.dialogs.put('slack:D1', ['array', 'state'], at(20));
    expect(await store.dialogs.get('slack:D1', at(10))).toEqual(['array', 'state']);
    await store.dialogs.delete('slack:D1');
    expect(await store.dialogs.get('slack:D1', at(0))).toBeUndefined();
  });

  it('purges expired dialogs only', async () => {
    await store.dialogs.put('p:1', 1, at(1));
    await store.dialogs.put('p:2', 'two', at(2));
    await store.dialogs.put('p:3', null, at(30));
    expect(await store.dialogs.purgeExpired(at(2))).toBe(2);
    expect(await store.dialogs.get('p:3', at(0))).toBeNull();
  });

  it('serialises transactions on one conversation, even before it has a dialog', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstLocked!: () => void;
    const locked = new Promise<void>((r) => (firstLocked = r));

    const first = store.transaction(async (repos) => {
      expect(await repos.dialogs.get('tg:5', T0)).toBeUndefined();
      firstLocked();
      await held;
      await repos.dialogs.put('tg:5', { step: 1 }, at(60));
      order.push('first done');
    });
    await locked;
    const second = store.transaction(async (repos) => {
      const state = await repos.dialogs.get('tg:5', T0);
      order.push('second read');
      return state;
    });
    // The second transaction is blocked on the first one's lock (or read without waiting: the order says so).
    await lockWaiters(tdb.db, 1, () => order.includes('second read'));
    order.push('released');
    release();
    const [, seen] = await Promise.all([first, second]);
    expect(order).toEqual(['released', 'first done', 'second read']);
    expect(seen).toEqual({ step: 1 });
  });
});

describe('DeliveryRepository', () => {
  it('reports only the first sighting of a delivery id per platform', async () => {
    expect(await store.deliveries.markSeen('slack', 'Ev1', T0)).toBe(true);
    expect(await store.deliveries.markSeen('slack', 'Ev1', at(1))).toBe(false);
    expect(await store.deliveries.markSeen('telegram', 'Ev1', T0)).toBe(true);
  });

  it('forgets a delivery whose transaction rolled back', async () => {
    await store
      .transaction(async (repos) => {
        expect(await repos.deliveries.markSeen('discord', 'm1', T0)).toBe(true);
        throw new Error('handler failed');
      })
      .catch(() => undefined);
    expect(await store.deliveries.markSeen('discord', 'm1', T0)).toBe(true);
  });

  it('lets one of many concurrent duplicates through', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.transaction((repos) => repos.deliveries.markSeen('web', 'dup', T0))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('housekeeping', () => {
  it('purges expired dialogs and forgets delivery ids older than 30 days, keeping recent ones', async () => {
    const { housekeeping } = await import('../core/maintenance/housekeeping.ts');
    const day = 86_400_000;
    await store.deliveries.markSeen('web', 'old-delivery', new Date(T0.getTime() - 40 * day));
    await store.deliveries.markSeen('web', 'recent-delivery', new Date(T0.getTime() - 1 * day));
    await store.dialogs.put('hk:old', { flow: 'note' }, new Date(T0.getTime() - 1000));
    await store.dialogs.put('hk:live', { flow: 'note' }, new Date(T0.getTime() + day));
    const dm = (text: string) => ({ address: { platform: 'web' as const, kind: 'dm' as const, conversationId: 'hk' }, message: { text } });
    await store.outbox.enqueue([dm('vecchio'), dm('recente'), dm('in attesa')], new Date(T0.getTime() - 40 * day));
    const [old] = await store.outbox.lease(new Date(T0.getTime() - 40 * day), 1, 60_000, ['web']);
    await store.outbox.markDelivered(old!.id, old!.attempts, new Date(T0.getTime() - 40 * day), '1');
    const [recent] = await store.outbox.lease(new Date(T0.getTime() - 1 * day), 1, 60_000, ['web']);
    await store.outbox.markDelivered(recent!.id, recent!.attempts, new Date(T0.getTime() - 1 * day), '2');
    const purged = await housekeeping(store, T0);
    expect(purged.outbox).toBe(1);
    const left = await tdb.db
      .selectFrom('outbox')
      .select('message')
      .where('address', '@>', JSON.stringify({ conversationId: 'hk' }) as never)
      .execute();
    expect(left.map((r) => r.message.text).sort()).toEqual(['in attesa', 'recente']);
    expect(purged.deliveries).toBeGreaterThanOrEqual(1);
    expect(purged.dialogs).toBeGreaterThanOrEqual(1);
    expect(await store.deliveries.markSeen('web', 'old-delivery', T0)).toBe(true); // forgotten
    expect(await store.deliveries.markSeen('web', 'recent-delivery', T0)).toBe(false); // still deduped
    expect(await store.dialogs.get('hk:live', T0)).toEqual({ flow: 'note' });
  });

  it('deletes codes, login and export links and sessions expired over a week ago, keeping the rest', async () => {
    const { housekeeping } = await import('../core/maintenance/housekeeping.ts');
    const day = 86_400_000;
    const ago = (days: number) => new Date(T0.getTime() - days * day);
    const personId = (await seedPerson(store)).id;
    const link: OneTimeCodePurpose = { kind: 'link', personId };
    await store.linkCodes.create('HK-OLD', link, ago(8));
    await store.linkCodes.create('HK-WEEK', link, ago(6));
    const oldLink = await store.dashboard.createLink(personId, ago(9), ago(8));
    const recentLink = await store.dashboard.createLink(personId, ago(3), ago(2));
    const oldSession = await store.dashboard.openSession(personId, ago(9), ago(8));
    const liveSession = await store.dashboard.openSession(personId, T0, new Date(T0.getTime() + day));
    const oldExport = await store.privacy.createExportLink(personId, ago(9), ago(8));
    const recentExport = await store.privacy.createExportLink(personId, ago(1), new Date(T0.getTime() + day));

    const purged = await housekeeping(store, T0);
    expect(purged.tokens).toBe(4);
    // What is gone reads as never issued; what stays still says why it is refused, or works.
    expect(await store.dashboard.consumeLink(oldLink, T0)).toEqual({ refused: 'unknown' });
    expect(await store.dashboard.consumeLink(recentLink, T0)).toEqual({ refused: 'expired' });
    expect(await store.dashboard.findSession(oldSession, ago(8.5))).toBeUndefined();
    expect(await store.dashboard.findSession(liveSession, T0)).toMatchObject({ personId });
    expect(await store.privacy.consumeExportLink(oldExport, T0)).toEqual({ refused: 'unknown' });
    expect(await store.privacy.consumeExportLink(recentExport, T0)).toEqual({ personId });
    const codes = await tdb.db.selectFrom('one_time_codes').select('code').where('code', 'like', 'HK-%').execute();
    expect(codes.map((c) => c.code)).toEqual(['HK-WEEK']);
  });
});

describe('LinkCodeRepository', () => {
  const link: OneTimeCodePurpose = { kind: 'link', personId: '7f0c2f5e-0000-4000-8000-000000000001' };

  it('consumes a live code once', async () => {
    await store.linkCodes.create('ABC123', link, at(10));
    expect(await store.linkCodes.consume('ABC123', at(1))).toEqual(link);
    expect(await store.linkCodes.consume('ABC123', at(2))).toBeUndefined();
    expect(await store.linkCodes.consume('NOPE', at(2))).toBeUndefined();
  });

  it('refuses an expired code', async () => {
    await store.linkCodes.create('OLD', link, at(10));
    expect(await store.linkCodes.consume('OLD', at(10))).toBeUndefined();
  });

  it('gives the purpose to exactly one of 10 concurrent consumers', async () => {
    const invite: OneTimeCodePurpose = { kind: 'invite', organisationId: 'o', role: 'ict_lead', createdBy: 'p' };
    await store.linkCodes.create('RACE', invite, at(10));
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.transaction((repos) => repos.linkCodes.consume('RACE', at(1)))),
    );
    expect(results.filter((r) => r !== undefined)).toEqual([invite]);
  });
});

describe('ChannelRepository', () => {
  it('binds, rebinds, finds, lists and unbinds', async () => {
    const org = await seedOrganisation(store);
    const mod = await seedPerson(store, 'Moderatrice');
    await store.channels.bind({
      purpose: 'volunteers',
      platform: 'slack',
      conversationId: 'C1',
      threadId: null,
      organisationId: null,
      boundBy: mod.id,
      boundAt: at(0),
    });
    await store.channels.bind({
      purpose: 'alerts',
      platform: 'slack',
      conversationId: 'C1',
      threadId: '171.5',
      organisationId: null,
      boundBy: null,
      boundAt: at(1),
    });
    await store.channels.bind({
      purpose: 'volunteers',
      platform: 'telegram',
      conversationId: '-100',
      threadId: '7',
      organisationId: org.id,
      boundBy: mod.id,
      boundAt: at(2),
    });
    await store.channels.bind({
      purpose: 'volunteers',
      platform: 'slack',
      conversationId: 'C1',
      threadId: '9',
      organisationId: org.id,
      boundBy: null,
      boundAt: at(3),
    });

    const found = await store.channels.find('slack', 'C1');
    expect(found.map((b) => b.purpose)).toEqual(['alerts', 'volunteers']);
    expect(found[1]).toEqual({
      purpose: 'volunteers',
      platform: 'slack',
      conversationId: 'C1',
      threadId: '9',
      organisationId: org.id,
      boundBy: null,
      boundAt: at(3),
    });
    expect((await store.channels.list('volunteers')).map((b) => b.platform)).toEqual(['telegram', 'slack']);
    expect(await store.channels.list()).toHaveLength(3);

    expect(await store.channels.unbind('slack', 'C1', 'alerts')).toBe(true);
    expect(await store.channels.unbind('slack', 'C1', 'alerts')).toBe(false);
    expect(await store.channels.find('slack', 'C1')).toHaveLength(1);
  });
});
