import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Address } from '../core/kernel/message.ts';
import type { OutboxEntry } from '../core/kernel/outbox.ts';
import { at } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';
import { LEASE_ANY_PLATFORM } from './outbox.repository.ts';

let tdb: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

// Every test leases from the whole table, so each starts from an empty outbox.
beforeEach(async () => {
  await tdb.db.deleteFrom('outbox').execute();
});

const channel = (conversationId: string): Address => ({ platform: 'slack', kind: 'channel', conversationId });
const entry = (conversationId: string, text: string, extra: Partial<OutboxEntry> = {}): OutboxEntry => ({
  address: channel(conversationId),
  message: { text },
  ...extra,
});
const texts = (records: { message: { text: string } }[]) => records.map((r) => r.message.text);

describe('OutboxRepository', () => {
  it('round-trips entries and leases the oldest of each conversation only', async () => {
    await store.outbox.enqueue(
      [
        entry('C1', 'a1', { ref: 'ticket:INC-000001', ephemeralTo: 'U9' }),
        entry('C1', 'a2'),
        {
          address: { platform: 'telegram', kind: 'dm', conversationId: '77', threadRef: 'x' },
          message: { text: 'b1', title: 'T', buttons: [{ actionId: 'claim', value: '1', label: 'Prendo io' }] },
        },
      ],
      at(0),
    );
    const first = await store.outbox.lease(at(1), 10, 60_000);
    expect(texts(first)).toEqual(['a1', 'b1']);
    expect(first[0]).toMatchObject({ ref: 'ticket:INC-000001', ephemeralTo: 'U9', attempts: 1, createdAt: at(0), address: channel('C1') });
    expect(first[1]).toMatchObject({ address: { platform: 'telegram', kind: 'dm', conversationId: '77', threadRef: 'x' } });
    expect(first[1]?.message.buttons?.[0]?.label).toBe('Prendo io');
    expect(first[1]).not.toHaveProperty('ref');

    // a2 waits behind the leased a1.
    expect(await store.outbox.lease(at(1), 10, 60_000)).toEqual([]);
    await store.outbox.markDelivered(first[0]!.id, first[0]!.attempts, at(2), '1700000000.000100');
    expect(texts(await store.outbox.lease(at(2), 10, 60_000))).toEqual(['a2']);
  });

  it("leases at a cost that does not grow with one conversation's queue: 3,000 cards waiting for one channel", async () => {
    const queued = Array.from({ length: 3_000 }, (_, i) => entry('volontari', `card ${i}`));
    await store.outbox.enqueue(queued, at(0));
    await store.outbox.enqueue(
      ['D1', 'D2', 'D3', 'D4', 'D5'].map((c) => entry(c, `reply ${c}`)),
      at(0),
    );
    const explained = await tdb.db.executeQuery<{ 'QUERY PLAN': { Plan: Record<string, number> }[] }>(
      CompiledQuery.raw(`explain (analyze, buffers, format json) ${LEASE_ANY_PLATFORM}`, [at(1), [], 10, at(60)]),
    );
    const plan = explained.rows[0]!['QUERY PLAN'][0]!.Plan;
    // The heads of the six conversations, each found with one index descent: testing every queued
    // row for an older one in its conversation touched a few thousand buffers.
    expect(plan['Actual Rows']).toBe(6);
    expect((plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0)).toBeLessThan(300);
    const leased = await sql<{ text: string }>`select message->>'text' as text from outbox where attempts = 1 order by seq`.execute(tdb.db);
    expect(leased.rows.map((r) => r.text)).toEqual(['card 0', 'reply D1', 'reply D2', 'reply D3', 'reply D4', 'reply D5']);
  });

  it('keeps FIFO across retries and releases the conversation on permanent failure', async () => {
    await store.outbox.enqueue([entry('C2', 'x1'), entry('C2', 'x2'), entry('C2', 'x3')], at(0));
    const [x1] = await store.outbox.lease(at(0), 10, 60_000);
    await store.outbox.markFailed(x1!.id, x1!.attempts, '429 rate limited', at(10));

    // Not due yet, and it holds back x2.
    expect(await store.outbox.lease(at(5), 10, 60_000)).toEqual([]);
    const retried = await store.outbox.lease(at(10), 10, 60_000);
    expect(retried.map((r) => [r.message.text, r.attempts])).toEqual([['x1', 2]]);

    await store.outbox.markFailed(x1!.id, retried[0]!.attempts, 'channel_not_found', null);
    const row = await tdb.db.selectFrom('outbox').selectAll().where('id', '=', x1!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', last_error: 'channel_not_found', leased_until: null });
    expect(texts(await store.outbox.lease(at(11), 10, 60_000))).toEqual(['x2']);
  });

  it('leases an entry again once its lease expired; the first holder can no longer mark it', async () => {
    await store.outbox.enqueue([entry('C3', 'y')], at(0));
    const [first] = await store.outbox.lease(at(0), 10, 1_000);
    expect(await store.outbox.lease(at(0.01), 10, 1_000)).toEqual([]);
    const again = await store.outbox.lease(at(1), 10, 1_000);
    expect(again.map((r) => r.attempts)).toEqual([2]);
    expect(await store.outbox.markFailed(first!.id, first!.attempts, 'late', at(5))).toBe(false);
    expect(await store.outbox.markDelivered(first!.id, first!.attempts, at(2), 'stale')).toBe(false);
    expect(await store.outbox.markDelivered(again[0]!.id, again[0]!.attempts, at(2), 'fresh')).toBe(true);
    const row = await tdb.db.selectFrom('outbox').selectAll().where('id', '=', first!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'delivered', platform_message_id: 'fresh' });
  });

  it('marks several entries delivered in one statement, each fenced by its own attempt', async () => {
    await store.outbox.enqueue([entry('M3', 'm3')], at(0));
    const [m3] = await store.outbox.lease(at(0), 10, 1_000);
    await store.outbox.enqueue([entry('M1', 'm1'), entry('M2', 'm2'), entry('M1', 'm1b')], at(0));
    // m3's lease ran out and another worker took it (with m1 and m2): its first holder's mark must not count.
    const [m3again, m1, m2] = await store.outbox.lease(at(1), 10, 60 * 60_000);
    expect(m3again?.id).toBe(m3!.id);
    const marked = await store.outbox.markDeliveredAll(
      [
        { id: m1!.id, attempt: m1!.attempts, platformMessageId: 'ts-1', blindResend: false },
        { id: m2!.id, attempt: m2!.attempts, platformMessageId: null, blindResend: true },
        { id: m3!.id, attempt: m3!.attempts, platformMessageId: 'stale', blindResend: false },
      ],
      at(3),
    );
    expect(marked.sort()).toEqual([m1!.id, m2!.id].sort());
    const rows = await tdb.db.selectFrom('outbox').selectAll().where('id', 'in', [m1!.id, m2!.id, m3!.id]).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(m1!.id)).toMatchObject({ status: 'delivered', platform_message_id: 'ts-1', blind_resend: false, leased_until: null });
    expect(byId.get(m2!.id)).toMatchObject({ status: 'delivered', platform_message_id: null, blind_resend: true, delivered_at: at(3) });
    expect(byId.get(m3!.id)).toMatchObject({ status: 'pending', platform_message_id: null });
    // m1 delivered: the next entry of its conversation is due.
    expect(texts(await store.outbox.lease(at(3), 10, 60_000))).toEqual(['m1b']);
  });

  it('renews only the leases still held, so a live holder keeps its row and a lost lease is reported', async () => {
    await store.outbox.enqueue([entry('R1', 'r1'), entry('R2', 'r2')], at(0));
    const [r1, r2] = await store.outbox.lease(at(0), 10, 1_000);
    // The holder's heartbeat: both leases pushed to 3 s.
    expect(
      (
        await store.outbox.renew(
          [
            { id: r1!.id, attempt: 1 },
            { id: r2!.id, attempt: 1 },
          ],
          at(3),
        )
      ).sort(),
    ).toEqual([r1!.id, r2!.id].sort());
    // Past the first lease but within the renewed one: nobody else may take them.
    expect(await store.outbox.lease(at(2), 10, 1_000)).toEqual([]);
    // r2 is delivered: renewing it again does nothing; a stale attempt renews nothing either.
    expect(await store.outbox.markDelivered(r2!.id, 1, at(2), 'm')).toBe(true);
    expect(
      await store.outbox.renew(
        [
          { id: r2!.id, attempt: 1 },
          { id: r1!.id, attempt: 7 },
        ],
        at(9),
      ),
    ).toEqual([]);
    expect(await store.outbox.renew([], at(9))).toEqual([]);
    // The holder stops renewing (it died): the row is taken over once the last renewal ran out.
    const [again] = await store.outbox.lease(at(3.001), 10, 1_000);
    expect(again).toMatchObject({ id: r1!.id, attempts: 2 });
    // The old holder's heartbeat no longer holds it.
    expect(await store.outbox.renew([{ id: r1!.id, attempt: 1 }], at(20))).toEqual([]);
    // A beat arriving after the new holder scheduled a retry does not lease the row again.
    expect(await store.outbox.markFailed(r1!.id, 2, 'slack http 500', at(4))).toBe(true);
    expect(await store.outbox.renew([{ id: r1!.id, attempt: 2 }], at(20))).toEqual([]);
    expect(await store.outbox.lease(at(4), 10, 1_000)).toMatchObject([{ id: r1!.id, attempts: 3, unknownFate: true }]);
  });

  it('tells a re-lease that an abandoned attempt may have arrived, for every later attempt', async () => {
    await store.outbox.enqueue([entry('U1', 'u1'), entry('U2', 'u2')], at(0));
    const leased = await store.outbox.lease(at(0), 10, 1_000);
    expect(leased.map((r) => r.unknownFate)).toEqual([false, false]);
    // u2 failed cleanly: its next attempt knows nothing arrived.
    await store.outbox.markFailed(leased[1]!.id, 1, 'slack http 500', at(1));
    // u1's holder died: its lease runs out with no mark.
    const second = await store.outbox.lease(at(1), 10, 1_000);
    expect(second.map((r) => [r.message.text, r.attempts, r.unknownFate])).toEqual([
      ['u1', 2, true],
      ['u2', 2, false],
    ]);
    // The second attempt of u1 fails cleanly: the first one's fate is still unknown.
    await store.outbox.markFailed(second[0]!.id, 2, 'slack http 500', at(2));
    const [third] = await store.outbox.lease(at(2), 1, 1_000);
    expect(third).toMatchObject({ id: second[0]!.id, attempts: 3, unknownFate: true });
    const row = await tdb.db.selectFrom('outbox').selectAll().where('id', '=', third!.id).executeTakeFirstOrThrow();
    expect(row.unknown_fate_attempts).toBe(1);
  });

  it('counts the rows delivered by a blind resend, per platform, as in flight', async () => {
    await store.outbox.enqueue(
      [
        { address: { platform: 'telegram', kind: 'dm', conversationId: '5' }, message: { text: 't' } },
        { address: { platform: 'discord', kind: 'dm', conversationId: '6' }, message: { text: 'd' } },
        { address: { platform: 'telegram', kind: 'dm', conversationId: '7' }, message: { text: 'ok' } },
      ],
      at(0),
    );
    const [t, d, ok] = await store.outbox.lease(at(0), 10, 60_000);
    expect(await store.outbox.markDelivered(t!.id, t!.attempts, at(1), '1', true)).toBe(true);
    expect(await store.outbox.markDelivered(d!.id, d!.attempts, at(1), '2', false)).toBe(true);
    expect(await store.outbox.markDelivered(ok!.id, ok!.attempts, at(1), '3')).toBe(true);
    expect(await store.outbox.inFlightResends(at(0))).toEqual({ telegram: 1 });
    expect(await store.outbox.inFlightResends(at(2))).toEqual({});
  });

  it('leases only the platforms asked for', async () => {
    await store.outbox.enqueue(
      [
        { address: { platform: 'telegram', kind: 'channel', conversationId: 'T1' }, message: { text: 'tg' } },
        { address: { platform: 'discord', kind: 'channel', conversationId: 'D1' }, message: { text: 'dc' } },
      ],
      at(0),
    );
    expect(await store.outbox.lease(at(0), 10, 60_000, [])).toEqual([]);
    expect(texts(await store.outbox.lease(at(0), 10, 60_000, ['telegram']))).toEqual(['tg']);
    expect(texts(await store.outbox.lease(at(0), 10, 60_000, ['discord']))).toEqual(['dc']);
  });

  it('records delivery', async () => {
    await store.outbox.enqueue([entry('C4', 'z')], at(0));
    const [z] = await store.outbox.lease(at(0), 1, 60_000);
    await store.outbox.markDelivered(z!.id, z!.attempts, at(1), 'm-1');
    const row = await tdb.db.selectFrom('outbox').selectAll().where('id', '=', z!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'delivered', delivered_at: at(1), platform_message_id: 'm-1', leased_until: null, attempts: 1 });
  });

  it('never hands one entry, or two of one conversation, to concurrent leases', async () => {
    const entries: OutboxEntry[] = [];
    for (let c = 0; c < 30; c++) for (let i = 0; i < 3; i++) entries.push(entry(`K${c}`, `${c}:${i}`));
    await store.outbox.enqueue(entries, at(0));

    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const batches = await Promise.all(Array.from({ length: 6 }, () => store.outbox.lease(at(1), 8, 60_000)));
      const leased = batches.flat();
      const conversations = leased.map((r) => r.address.conversationId);
      expect(new Set(conversations).size).toBe(leased.length);
      for (const r of leased) {
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
        expect(r.message.text).toBe(`${r.address.conversationId.slice(1)}:${round}`);
      }
      expect(leased).toHaveLength(30);
      await Promise.all(leased.map((r) => store.outbox.markDelivered(r.id, r.attempts, at(1), null)));
    }
    expect(seen.size).toBe(90);
  });

  it('honours the limit and returns nothing for limit 0', async () => {
    await store.outbox.enqueue([entry('L1', 'l1'), entry('L2', 'l2'), entry('L3', 'l3')], at(0));
    expect(await store.outbox.lease(at(0), 0, 60_000)).toEqual([]);
    expect(texts(await store.outbox.lease(at(0), 2, 60_000))).toEqual(['l1', 'l2']);
    await store.outbox.enqueue([], at(0));
  });

  it('remembers platform message ids by ref and maps them back', async () => {
    await store.outbox.rememberMessage('slack', 'C1', 'ticket:INC-000001', '111.1');
    await store.outbox.rememberMessage('slack', 'C2', 'ticket:INC-000001', '222.2');
    expect(await store.outbox.findMessage('slack', 'C1', 'ticket:INC-000001')).toBe('111.1');
    expect(await store.outbox.findRef('slack', 'C2', '222.2')).toBe('ticket:INC-000001');
    expect(await store.outbox.findRef('slack', 'C1', '222.2')).toBeUndefined();

    await store.outbox.rememberMessage('slack', 'C1', 'ticket:INC-000001', '333.3');
    expect(await store.outbox.findMessage('slack', 'C1', 'ticket:INC-000001')).toBe('333.3');
    expect(await store.outbox.findMessage('discord', 'C1', 'ticket:INC-000001')).toBeUndefined();
  });

  it('indexes only the pending rows beside the primary key: a delivered mark adds its row version to the primary key alone', async () => {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where tablename = 'outbox' and indexname <> 'outbox_pkey' order by indexname`.execute(
      tdb.db,
    );
    expect(rows.map((r) => r.indexname)).toEqual(['outbox_pending_conversation_idx', 'outbox_pending_due_idx']);
    for (const r of rows) expect(r.indexdef).toMatch(/WHERE \(status = 'pending'::text\)$/);
  });
});
