/**
 * The dispatcher's kicked deliveries do not wait for each other: a row written while another
 * conversation's send hangs goes out at once, the hanging conversation keeps its order, and rows
 * sent together are marked delivered together.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatSender, Delivery } from '../core/kernel/outbox.ts';
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

const dm = (conversationId: string, text: string) => ({
  address: { platform: 'telegram' as const, kind: 'dm' as const, conversationId },
  message: { text },
});

describe('the outbox dispatcher, kicked', () => {
  it('delivers a new conversation while another send hangs, in order per conversation', async () => {
    let releaseSlow!: () => void;
    const slowHeld = new Promise<void>((r) => (releaseSlow = r));
    const started: string[] = [];
    const sent: string[] = [];
    const sender: ChatSender = {
      async send(d: Delivery) {
        started.push(d.message.text);
        if (d.message.text === 'slow-1') await slowHeld;
        sent.push(d.message.text);
        return { messageId: String(sent.length) };
      },
    };
    const dispatcher = new OutboxDispatcher({ store, clock: { now: () => new Date() }, senders: { telegram: sender } });
    const status = async (text: string) =>
      (await tdb.db.selectFrom('outbox').select('status').where(sql<string>`message ->> 'text'`, '=', text).executeTakeFirstOrThrow())
        .status;
    try {
      await store.outbox.enqueue([dm('1', 'slow-1'), dm('1', 'slow-2')], new Date());
      dispatcher.kick();
      await until('the slow send to start', () => started.includes('slow-1'));

      await store.outbox.enqueue([dm('2', 'fast-a'), dm('3', 'fast-b')], new Date());
      dispatcher.kick();
      await until('the other conversations delivered', async () =>
        (await status('fast-a')) === 'delivered' && (await status('fast-b')) === 'delivered' ? true : undefined,
      );
      // Still held: nothing of conversation 1 went out, and its second row waits behind the first.
      expect(sent).not.toContain('slow-1');
      expect(started).not.toContain('slow-2');
      expect(await status('slow-1')).toBe('pending');

      releaseSlow();
      await until('conversation 1 delivered', async () => ((await status('slow-2')) === 'delivered' ? true : undefined));
      expect(sent.filter((t) => t.startsWith('slow'))).toEqual(['slow-1', 'slow-2']);
      expect(sent.toSorted()).toEqual(['fast-a', 'fast-b', 'slow-1', 'slow-2']);
    } finally {
      releaseSlow();
      await dispatcher.stop();
    }
  });
});
