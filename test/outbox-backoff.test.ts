/**
 * A rate limit waits what the platform asked and is not a failure: after a burst of 429s, an
 * ordinary error is retried after the first backoff step (1 s), not minutes later, so one busy
 * minute on a platform does not stall a conversation for five.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatSender, DeliveryError } from '../core/kernel/outbox.ts';
import { OutboxDispatcher } from '../core/kernel/outbox-dispatcher.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

let tdb: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

describe('the outbox backoff', () => {
  it('grows with failures only, not with the rate limits before them', async () => {
    let now = new Date('2026-03-02T09:00:00Z');
    const outcomes: (DeliveryError | 'ok')[] = [
      ...Array.from({ length: 8 }, () => new DeliveryError('429 too many requests', { retryAfterMs: 2_000 })),
      new DeliveryError('500 internal error'),
      new DeliveryError('502 bad gateway'),
      'ok',
    ];
    const sent: string[] = [];
    const sender: ChatSender = {
      async send(d) {
        const next = outcomes.shift();
        if (next !== 'ok') throw next;
        sent.push(d.message.text);
        return { messageId: '1' };
      },
    };
    const dispatcher = new OutboxDispatcher({ store, clock: { now: () => now }, senders: { telegram: sender } });
    await store.outbox.enqueue([{ address: { platform: 'telegram', kind: 'dm', conversationId: '42' }, message: { text: 'ciao' } }], now);

    const row = () => tdb.db.selectFrom('outbox').select(['next_attempt_at', 'failures', 'attempts', 'status']).executeTakeFirstOrThrow();
    const retryDelayMs = async () => (await row()).next_attempt_at.getTime() - now.getTime();

    for (let i = 0; i < 8; i++) {
      expect(await dispatcher.runOnce()).toBe(1);
      expect(await retryDelayMs()).toBe(2_000);
      now = new Date(now.getTime() + 2_000);
    }
    expect(await row()).toMatchObject({ failures: 0, attempts: 8 });

    // The first real failure after eight rate limits: 1 s (it was 2^8 s, capped at 5 minutes).
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await retryDelayMs()).toBe(1_000);
    now = new Date(now.getTime() + 1_000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await retryDelayMs()).toBe(2_000);
    expect(await row()).toMatchObject({ failures: 2, attempts: 10 });

    now = new Date(now.getTime() + 2_000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(sent).toEqual(['ciao']);
    expect(await row()).toMatchObject({ status: 'delivered' });
  });

  it('waits at least 5 s after a send with no answer, so the platform has finished it when the retry looks it up', async () => {
    await tdb.db.deleteFrom('outbox').execute();
    const now = new Date('2026-03-02T11:00:00Z');
    const sender: ChatSender = {
      async send() {
        throw new DeliveryError('timeout', { fateUnknown: true });
      },
    };
    const dispatcher = new OutboxDispatcher({ store, clock: { now: () => now }, senders: { telegram: sender } });
    await store.outbox.enqueue([{ address: { platform: 'telegram', kind: 'dm', conversationId: '43' }, message: { text: 'ciao' } }], now);
    expect(await dispatcher.runOnce()).toBe(1);
    const row = await tdb.db
      .selectFrom('outbox')
      .select(['next_attempt_at', 'failures', 'unknown_fate_attempts'])
      .executeTakeFirstOrThrow();
    // The first backoff step alone would be 1 s.
    expect(row).toEqual({ next_attempt_at: new Date(now.getTime() + 5_000), failures: 1, unknown_fate_attempts: 1 });
  });

  it('never sends again from this process a row it is still sending, even when its lease ran out under a moved clock', async () => {
    await tdb.db.deleteFrom('outbox').execute();
    let now = new Date('2026-03-02T10:00:00Z');
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => (release = r));
    const sender: ChatSender = {
      async send(d) {
        sent.push(d.message.text);
        if (d.message.text === 'lento') await slow;
        return { messageId: String(sent.length) };
      },
    };
    const dispatcher = new OutboxDispatcher({ store, clock: { now: () => now }, senders: { telegram: sender } });
    const dm = (chat: string, text: string) => ({
      address: { platform: 'telegram' as const, kind: 'dm' as const, conversationId: chat },
      message: { text },
    });
    await store.outbox.enqueue([dm('1', 'lento')], now);
    dispatcher.kick();
    await until('the slow send started', () => sent.includes('lento'));
    // The clock moves past the 15 s lease while the send hangs; another row makes the dispatcher lease again.
    now = new Date(now.getTime() + 60_000);
    await store.outbox.enqueue([dm('2', 'veloce')], now);
    dispatcher.kick();
    await until('the other conversation delivered', () => sent.includes('veloce'));
    release();
    await dispatcher.stop();
    expect(sent.filter((t) => t === 'lento')).toHaveLength(1);
    const rows = await tdb.db.selectFrom('outbox').select(['status', 'attempts']).execute();
    expect(rows).toEqual([
      { status: 'delivered', attempts: 1 },
      { status: 'delivered', attempts: 1 },
    ]);
  });

  it('does not turn a failed delivered mark into a retry: the lease runs out and the next attempt is told its fate is unknown', async () => {
    await tdb.db.deleteFrom('outbox').execute();
    let now = new Date('2026-03-02T11:00:00Z');
    const deliveries: { text: string; unknownFate: boolean }[] = [];
    const sender: ChatSender = {
      async send(d) {
        deliveries.push({ text: d.message.text, unknownFate: d.unknownFate !== undefined });
        return { messageId: String(deliveries.length) };
      },
    };
    let failMark = true;
    // The mark statement fails once (a deadlock victim, the database restarting) after the send.
    const outbox = Object.create(store.outbox) as typeof store.outbox;
    outbox.markDeliveredAll = async (marks, at) => {
      if (failMark) {
        failMark = false;
        throw new Error('deadlock detected');
      }
      return store.outbox.markDeliveredAll(marks, at);
    };
    const flaky = Object.assign(Object.create(store) as KyselyStore, { outbox });
    const dispatcher = new OutboxDispatcher({ store: flaky, clock: { now: () => now }, senders: { slack: sender } });
    await store.outbox.enqueue([{ address: { platform: 'slack', kind: 'dm', conversationId: 'D1' }, message: { text: 'arrivato' } }], now);

    expect(await dispatcher.runOnce()).toBe(1);
    const row = () =>
      tdb.db.selectFrom('outbox').select(['status', 'failures', 'leased_until', 'unknown_fate_attempts']).executeTakeFirstOrThrow();
    // Still leased, not scheduled as a failure.
    expect(await row()).toMatchObject({ status: 'pending', failures: 0, unknown_fate_attempts: 0 });
    expect((await row()).leased_until).not.toBeNull();
    expect(await dispatcher.runOnce()).toBe(0);

    now = new Date(now.getTime() + 60_000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(deliveries).toEqual([
      { text: 'arrivato', unknownFate: false },
      { text: 'arrivato', unknownFate: true },
    ]);
    expect(await row()).toMatchObject({ status: 'delivered', unknown_fate_attempts: 1 });
  });
});
