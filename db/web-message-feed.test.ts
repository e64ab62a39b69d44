/**
 * The web chat's live feed: a message stored by any connection (another process) reaches the
 * listener, in order; a killed listening connection is opened again and the feed goes on.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebMessage } from '../core/kernel/web-chat-store.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { WAIT_MS } from '../test/wait.ts';
import { createDatabase } from './database.ts';
import { WebMessageRepository } from './web-message.repository.ts';
import { PgWebMessageFeed } from './web-message-feed.ts';

let tdb: TestDatabase;
const received: WebMessage[] = [];
const logged: string[] = [];
let feed: { close(): Promise<void> };
let writer: ReturnType<typeof createDatabase>;

async function until(probe: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  // Another "process": its own pool writes, the feed reads through the test database's.
  writer = createDatabase(tdb.url, { max: 2 });
  const log = {
    info: (_o: object, m?: string) => void logged.push(`info ${m}`),
    warn: (_o: object, m?: string) => void logged.push(`warn ${m}`),
  };
  feed = await new PgWebMessageFeed({ url: tdb.url, messages: new WebMessageRepository(tdb.db), log, retryMs: 50 }).listen((m) =>
    received.push(m),
  );
});

afterAll(async () => {
  await feed?.close();
  await writer?.destroy();
  await tdb?.drop();
});

const add = (text: string) =>
  new WebMessageRepository(writer).add({ conversation: 'dm:anna', threadOf: null, author: 'bot', ephemeralTo: null, message: { text } });

describe('PgWebMessageFeed', () => {
  it('hands on every message stored or edited elsewhere, in order', async () => {
    const first = await add('uno');
    const second = await add('due');
    await new WebMessageRepository(writer).edit(first.id, { text: 'uno, corretto' });
    await until(() => received.length >= 3, 'three notifications');
    // Each row is read when its notification comes: the first may already show the edit.
    expect(received.map((m) => m.id)).toEqual([first.id, second.id, first.id]);
    expect(received.map((m) => m.message.text).slice(1)).toEqual(['due', 'uno, corretto']);
  });

  it('listens again after its connection was killed', async () => {
    const killed = await sql<{ n: number }>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
      where datname = current_database() and query = 'LISTEN sportello_web_messages'`.execute(writer);
    expect(killed.rows[0]?.n).toBe(1);
    await until(() => logged.includes('info web chat: live feed listening again'), 'the reconnection');
    const before = received.length;
    await add('tre');
    await until(() => received.length > before, 'a notification after the reconnection');
    expect(received.at(-1)?.message.text).toBe('tre');
  });
});
