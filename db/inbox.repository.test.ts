/**
 * The inbox of verified platform events on PostgreSQL (core/kernel/inbox.ts), with the two
 * look-ups the Slack adapter batches: DM channels remembered together, known accounts read together.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../core/people/register.ts';
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
  const other = createDatabase(tdb.url, { max: 5 });
  b = new KyselyStore(other);
  closeB = () => other.destroy();
});

afterAll(async () => {
  await closeB?.();
  await tdb?.drop();
});

const t = (s: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, s));
const entry = (id: string, receivedS: number, leasedUntilS: number) => ({
  platform: 'slack' as const,
  deliveryId: id,
  payload: { event_id: id, event: { text: `testo ${id}` } },
  receivedAt: t(receivedS),
  leasedUntil: t(leasedUntilS),
});

describe('InboxRepository', () => {
  it('stores an event once: a redelivery, or the same id twice in one batch, is reported as stored already', async () => {
    expect((await a.inbox.add([entry('Ev1', 0, 30), entry('Ev2', 1, 31), entry('Ev1', 2, 32)])).sort()).toEqual(['Ev1', 'Ev2']);
    expect(await b.inbox.add([entry('Ev1', 3, 33), entry('Ev3', 3, 33)])).toEqual(['Ev3']);
    await a.inbox.remove('slack', ['Ev1', 'Ev2', 'Ev3']);
  });

  it('stores an event whose text jsonb would refuse (a NUL, half an emoji) with U+FFFD, and the others of its batch', async () => {
    const broken = { ...entry('ev-nul', 0, 0), payload: { event_id: 'ev-nul', event: { text: `a\u0000b \ud83d c` } } };
    expect(await a.inbox.add([broken, entry('ev-beside', 0, 0)])).toEqual(['ev-nul', 'ev-beside']);
    const leased = await a.inbox.lease('slack', t(1), 10, t(60));
    const text = (id: string) => (leased.find((e) => e.deliveryId === id)?.payload as { event: { text: string } }).event.text;
    expect(text('ev-nul')).toBe('a\ufffdb \ufffd c');
    expect(text('ev-beside')).toBe('testo ev-beside');
    await a.inbox.remove('slack', ['ev-nul', 'ev-beside']);
  });

  it('leases only events whose lease ran out, oldest first, to one process at a time; removed ones are gone', async () => {
    await a.inbox.add([entry('Ev10', 10, 40), entry('Ev11', 5, 40), entry('Ev12', 12, 100)]);
    expect(await a.inbox.lease('slack', t(39), 10, t(69))).toEqual([]);
    const [first, second] = await Promise.all([a.inbox.lease('slack', t(41), 10, t(71)), b.inbox.lease('slack', t(41), 10, t(71))]);
    const taken = [...first, ...second];
    // Each event to one of them; Ev12 is still held by its receiver.
    expect(taken.map((e) => e.deliveryId).sort()).toEqual(['Ev10', 'Ev11']);
    expect(taken.find((e) => e.deliveryId === 'Ev10')).toMatchObject({
      platform: 'slack',
      payload: { event_id: 'Ev10', event: { text: 'testo Ev10' } },
      receivedAt: t(10),
      attempts: 1,
    });
    // Leased again once that lease ran out, counting a second attempt.
    expect((await a.inbox.lease('slack', t(72), 10, t(102))).map((e) => [e.deliveryId, e.attempts])).toEqual([
      ['Ev11', 2],
      ['Ev10', 2],
    ]);
    await a.inbox.remove('slack', ['Ev10', 'Ev11']);
    expect((await a.inbox.lease('slack', t(200), 10, t(230))).map((e) => e.deliveryId)).toEqual(['Ev12']);
    await a.inbox.remove('slack', ['Ev12']);
    expect(await a.inbox.lease('slack', t(300), 10, t(330))).toEqual([]);
  });
});

describe('batched look-ups of the Slack adapter', () => {
  it('remembers several DM channels in one statement, the last one given for a user', async () => {
    expect(
      await a.deliveryContext.rememberDmChannels(
        'slack',
        [
          { userId: 'U1', channelId: 'D1' },
          { userId: 'U2', channelId: 'D2' },
          { userId: 'U1', channelId: 'D1b' },
        ],
        t(0),
      ),
    ).toEqual([]);
    expect([await b.deliveryContext.findDmChannel('slack', 'U1'), await b.deliveryContext.findDmChannel('slack', 'U2')]).toEqual([
      'D1b',
      'D2',
    ]);
  });

  it('tells which accounts are known, in one statement', async () => {
    await a.transaction(async (repos) => {
      const p = await createPerson(repos, { now: () => t(0) }, { displayName: 'Anna Bianchi', locale: 'it' });
      await repos.people.linkIdentity({ platform: 'slack', externalId: 'U_KNOWN', personId: p.id, lastSeenAt: t(0) });
    });
    expect(await b.people.knownAccounts('slack', ['U_KNOWN', 'U_OTHER', 'U_KNOWN'])).toEqual(['U_KNOWN']);
    expect(await b.people.knownAccounts('telegram', ['U_KNOWN'])).toEqual([]);
    expect(await b.people.knownAccounts('slack', [])).toEqual([]);
    // The DM channel of a DM's sender stored, and whether they are known, in one statement.
    expect(
      await b.deliveryContext.rememberDmChannels('slack', [{ userId: 'U_KNOWN', channelId: 'D_K' }], t(1), ['U_KNOWN', 'U_OTHER']),
    ).toEqual(['U_KNOWN']);
    expect(await a.deliveryContext.findDmChannel('slack', 'U_KNOWN')).toBe('D_K');
  });

  it("stores events, their senders' DM channels (the last given for a user) and tells the known senders, in one statement", async () => {
    await a.transaction(async (repos) => {
      const p = await createPerson(repos, { now: () => t(0) }, { displayName: 'Bice Neri', locale: 'it' });
      await repos.people.linkIdentity({ platform: 'slack', externalId: 'U_SEND1', personId: p.id, lastSeenAt: t(0) });
    });
    const from = (id: string, externalId: string, dmChannel?: string) => ({
      ...entry(id, 0, 30),
      sender: { externalId, ...(dmChannel ? { dmChannel } : {}) },
    });
    const added = await a.inbox.addWithSenders([
      from('EvS1', 'U_SEND1', 'D_S1'),
      from('EvS2', 'U_STRANGER', 'D_ST'),
      from('EvS3', 'U_SEND1', 'D_S1b'),
      entry('EvS4', 0, 30),
      from('EvS1', 'U_SEND1', 'D_S1'),
    ]);
    expect(added.stored.sort()).toEqual(['EvS1', 'EvS2', 'EvS3', 'EvS4']);
    expect(added.known).toEqual(['U_SEND1']);
    expect(await b.deliveryContext.findDmChannel('slack', 'U_SEND1')).toBe('D_S1');
    expect(await b.deliveryContext.findDmChannel('slack', 'U_STRANGER')).toBe('D_ST');
    // A redelivery stores nothing new and still tells who is known; no sender, no look-up.
    expect(await b.inbox.addWithSenders([from('EvS2', 'U_SEND1')])).toEqual({ stored: [], known: ['U_SEND1'] });
    expect(await b.inbox.addWithSenders([entry('EvS5', 0, 30)])).toEqual({ stored: ['EvS5'], known: [] });
    await a.inbox.remove('slack', ['EvS1', 'EvS2', 'EvS3', 'EvS4', 'EvS5']);
  });

  it("never waits for a lock on a sender's DM channel row (an erasure in progress, another process), nor fails on a NUL in an id", async () => {
    const from = (id: string, externalId: string, dmChannel: string) => ({ ...entry(id, 0, 30), sender: { externalId, dmChannel } });
    await a.inbox.addWithSenders([from('EvL0', 'U_ERASED', 'D_E'), from('EvL0b', 'U_HELD', 'D_H')]);
    // One transaction deletes a row and holds it (as an erasure does while it scrubs the rest),
    // another holds the other row locked; storing events of both users must not wait for either.
    const erasing = await tdb.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await sql`delete from platform_dm_channels where user_id = 'U_ERASED'`.execute(conn);
      await sql`select 1 from platform_dm_channels where user_id = 'U_HELD' for update`.execute(conn);
      try {
        const stored = await Promise.race([
          b.inbox.addWithSenders([from('EvL1', 'U_ERASED', 'D_E'), from('EvL2', 'U_HELD', 'D_H2'), from('EvL3', 'U\u0000X', 'D\u0000X')]),
          new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3_000)),
        ]);
        return stored;
      } finally {
        await sql`rollback`.execute(conn);
      }
    });
    expect(erasing).not.toBe('waited');
    expect((erasing as { stored: string[] }).stored.sort()).toEqual(['EvL1', 'EvL2', 'EvL3']);
    expect(await a.deliveryContext.findDmChannel('slack', 'U_ERASED')).toBe('D_E');
    expect(await a.deliveryContext.findDmChannel('slack', 'U\ufffdX')).toBe('D\ufffdX');
    // The moved channel of the row that was held is stored by the next event once it is free.
    await b.inbox.addWithSenders([from('EvL4', 'U_HELD', 'D_H2')]);
    expect(await a.deliveryContext.findDmChannel('slack', 'U_HELD')).toBe('D_H2');
    await a.inbox.remove('slack', ['EvL0', 'EvL0b', 'EvL1', 'EvL2', 'EvL3', 'EvL4']);
  });
});
