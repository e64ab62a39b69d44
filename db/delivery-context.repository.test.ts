/**
 * What the adapters learn on the inbound side and any delivering process needs: DM channels and
 * Discord interactions on PostgreSQL, seen from two stores on separate pools ("processes"); and
 * the store reporting what a committed transaction wrote (the wake-up seam).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InteractionRegistry } from '../bots/discord/interaction-registry.ts';
import type { Written } from '../core/kernel/ports.ts';
import { at, seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { createDatabase } from './database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
/** Two processes: each its own pool on the same database. */
let a: KyselyStore;
let b: KyselyStore;
let closeB: () => Promise<void>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  a = new KyselyStore(tdb.db);
  const other = createDatabase(tdb.url, { max: 10 });
  b = new KyselyStore(other);
  closeB = () => other.destroy();
});

afterAll(async () => {
  await closeB?.();
  await tdb?.drop();
});

const interaction = (token: string, over: Partial<Parameters<KyselyStore['deliveryContext']['rememberInteraction']>[0]> = {}) => ({
  platform: 'discord' as const,
  id: `id-${token}`,
  applicationId: 'app-1',
  token,
  userId: 'u1',
  channelKey: 'c1',
  kind: 'command' as const,
  expiresAt: at(14),
  ...over,
});

describe('DM channels', () => {
  it('a channel learned by one process is found by another; a newer one replaces it', async () => {
    expect(await b.deliveryContext.findDmChannel('slack', 'U1')).toBeUndefined();
    await a.deliveryContext.rememberDmChannel('slack', 'U1', 'D1', at(0));
    await a.deliveryContext.rememberDmChannel('slack', 'U1', 'D1', at(1));
    expect(await b.deliveryContext.findDmChannel('slack', 'U1')).toBe('D1');
    expect(await b.deliveryContext.findDmChannel('discord', 'U1')).toBeUndefined();
    await b.deliveryContext.rememberDmChannel('slack', 'U1', 'D2', at(2));
    expect(await a.deliveryContext.findDmChannel('slack', 'U1')).toBe('D2');
  });
});

describe('interactions', () => {
  it('a deferred command is answered by replacing its placeholder once, then by follow-ups, until it expires', async () => {
    await a.deliveryContext.rememberInteraction(interaction('t1'));
    expect(await b.deliveryContext.claimInteraction('discord', 'u1', 'c1', at(1))).toEqual({
      applicationId: 'app-1',
      token: 't1',
      via: 'original',
    });
    expect(await a.deliveryContext.claimInteraction('discord', 'u1', 'c1', at(2))).toEqual({
      applicationId: 'app-1',
      token: 't1',
      via: 'followup',
    });
    expect(await a.deliveryContext.claimInteraction('discord', 'u1', 'other', at(2))).toBeUndefined();
    expect(await a.deliveryContext.claimInteraction('slack', 'u1', 'c1', at(2))).toBeUndefined();
    expect(await b.deliveryContext.claimInteraction('discord', 'u1', 'c1', at(14))).toBeUndefined();
    expect(await a.deliveryContext.purgeExpiredInteractions(at(14))).toBe(1);
  });

  it('of many concurrent claims in two processes, exactly one replaces the placeholder', async () => {
    await a.deliveryContext.rememberInteraction(interaction('t-race', { userId: 'u-race' }));
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).deliveryContext.claimInteraction('discord', 'u-race', 'c1', at(1))),
    );
    expect(claims.filter((c) => c?.via === 'original')).toHaveLength(1);
    expect(claims.filter((c) => c?.via === 'followup')).toHaveLength(11);
  });

  it('a button press has no placeholder; DMs only take an unused one; it can be given back, taken for removal, forgotten', async () => {
    await a.deliveryContext.rememberInteraction(interaction('t-press', { userId: 'u2', channelKey: 'dm', kind: 'component' }));
    expect(await b.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(1), { originalOnly: true })).toBeUndefined();
    expect(await b.deliveryContext.claimPlaceholder('discord', 't-press')).toBe(false);

    // A newer interaction of the same user there is the one answers go through.
    await a.deliveryContext.rememberInteraction(interaction('t-slash', { userId: 'u2', channelKey: 'dm', expiresAt: at(15) }));
    expect(await b.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(1), { originalOnly: true })).toMatchObject({
      token: 't-slash',
      via: 'original',
    });
    expect(await a.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(1), { originalOnly: true })).toBeUndefined();
    // The delivery failed (retryable): the placeholder goes back, and the retry replaces it.
    await b.deliveryContext.unclaimOriginal('discord', 't-slash');
    expect(await a.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(2), { originalOnly: true })).toMatchObject({
      via: 'original',
    });
    await a.deliveryContext.unclaimOriginal('discord', 't-slash');
    // Nobody answered in time: the receiving process takes the placeholder to remove it, once.
    expect(await a.deliveryContext.claimPlaceholder('discord', 't-slash')).toBe(true);
    expect(await b.deliveryContext.claimPlaceholder('discord', 't-slash')).toBe(false);
    expect(await b.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(3))).toMatchObject({ token: 't-slash', via: 'followup' });
    // Discord refused the token: answers fall back to the older press, then to nothing.
    await b.deliveryContext.forgetInteraction('discord', 't-slash');
    expect(await a.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(3))).toMatchObject({ token: 't-press', via: 'followup' });
    await b.deliveryContext.forgetInteraction('discord', 't-press');
    expect(await a.deliveryContext.claimInteraction('discord', 'u2', 'dm', at(3))).toBeUndefined();
  });

  it('InteractionRegistry: remembered by the receiving process, routed by the delivering one, 14 minutes long', async () => {
    let now = at(100);
    const receiving = new InteractionRegistry(a.deliveryContext, undefined, () => now);
    const delivering = new InteractionRegistry(b.deliveryContext, undefined, () => now);
    await receiving.remember({ id: 'i9', applicationId: 'app-9', token: 't9', userId: 'u9', channelKey: 'c9', kind: 'command' });
    expect(await delivering.route('u9', 'c9')).toEqual({ applicationId: 'app-9', token: 't9', via: 'original' });
    expect(await delivering.route('u9', 'c9', { originalOnly: true })).toBeUndefined();
    expect(await receiving.claimPlaceholder('t9')).toBe(false);
    now = new Date(at(100).getTime() + 14 * 60_000);
    expect(await delivering.route('u9', 'c9')).toBeUndefined();
  });

  it('InteractionRegistry: a token remembered late still expires 14 minutes after Discord created it', async () => {
    const now = at(200);
    const registry = new InteractionRegistry(a.deliveryContext, undefined, () => now);
    const created = new Date(now.getTime() - 10 * 60_000); // the engine retried for ten minutes
    await registry.remember({
      id: 'i10',
      applicationId: 'app-9',
      token: 't10',
      userId: 'u10',
      channelKey: 'c10',
      kind: 'component',
      createdAt: created,
    });
    const later = new InteractionRegistry(b.deliveryContext, undefined, () => new Date(created.getTime() + 14 * 60_000 + 1));
    expect(await later.route('u10', 'c10')).toBeUndefined();
    const sooner = new InteractionRegistry(b.deliveryContext, undefined, () => new Date(created.getTime() + 13 * 60_000));
    expect(await sooner.route('u10', 'c10')).toMatchObject({ token: 't10', via: 'followup' });
  });
});

describe('what a transaction wrote', () => {
  it('is reported once it committed: outbox rows and planned SLA events; nothing for a rollback', async () => {
    const reports: Written[] = [];
    const onCommit = (w: Written) => reports.push(w);
    const address = { platform: 'web' as const, kind: 'dm' as const, conversationId: 'w1' };

    await a.transaction(
      async (repos) => {
        await repos.outbox.enqueue(
          [
            { address, message: { text: 'uno' } },
            { address, message: { text: 'due' } },
          ],
          at(0),
        );
      },
      { onCommit },
    );
    await a.transaction(
      async (repos) => {
        await repos.dialogs.put('web:w1:w1', { step: 'x' }, at(10));
      },
      { onCommit },
    );
    await expect(
      a.transaction(
        async (repos) => {
          await repos.outbox.enqueue([{ address, message: { text: 'tre' } }], at(0));
          throw new Error('rolled back');
        },
        { onCommit },
      ),
    ).rejects.toThrow('rolled back');
    await a.transaction(
      async (repos) => {
        const org = await seedOrganisation(repos);
        const requester = await seedPerson(repos);
        const ref = await repos.tickets.nextRef('incident');
        const ticket = await repos.tickets.insert({
          ref,
          kind: 'incident',
          title: 'Stampante',
          description: 'Non stampa',
          category: null,
          impact: 3,
          urgency: 2,
          priority: 4,
          tier: 'volunteer',
          organisationId: org.id,
          requesterId: requester.id,
          configurationItemId: null,
          idempotencyKey: null,
          createdAt: at(0),
        });
        await repos.sla.rewrite(
          ticket.id,
          [],
          [
            { target: 'response', kind: 'warn_75', dueAt: at(60) },
            { target: 'response', kind: 'breach', dueAt: at(80) },
          ],
          at(0),
        );
      },
      { onCommit },
    );

    expect(reports).toEqual([
      { outbox: 2, slaEvents: 0 },
      { outbox: 0, slaEvents: 0 },
      { outbox: 0, slaEvents: 2 },
    ]);
  });
});
