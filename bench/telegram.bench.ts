/**
 * Telegram throughput in webhook mode: updates POSTed (with the secret) to the adapter's route,
 * through the real Telegraf pipeline into the engine on PostgreSQL, the reply delivered by the
 * outbox to the fake Bot API, which answers at once. Each of USERS private chats has one update
 * in flight at a time; latency is from the POST to the fake receiving the sendMessage for
 * that chat. Bounded by UPDATES or 20 s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTelegramAdapter, TELEGRAM_WEBHOOK_PATH } from '../bots/telegram/telegram-adapter.ts';
import { TelegramFake } from '../test/fakes/telegram-fake.ts';
import { createStack } from '../test/stack.ts';
import { round, summarize } from './stats.ts';

const USERS = 50;
const UPDATES = 2000;
const TIME_LIMIT_MS = 20_000;
const SECRET = 'bench-secret';
const silent = { info() {}, warn() {}, error() {} };

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  const fake = await TelegramFake.start();
  const adapter = await startTelegramAdapter(
    { token: fake.token, apiRoot: fake.apiRoot, webhookSecret: SECRET },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('telegram', adapter.sender);
  const server = http.createServer((req, res) => {
    const route = adapter.routes.find((r) => r.method === req.method && r.path === req.url);
    if (route) void route.handle(req, res, null);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TELEGRAM_WEBHOOK_PATH}`;

  const replyWaiters = new Map<string, (at: number) => void>();
  fake.onCall = (call) => {
    if (call.method === 'sendMessage') replyWaiters.get(String(call.payload.chat_id))?.(call.at);
  };
  let updateId = 1;
  const ask = async (userId: number): Promise<{ total: number; ack: number }> => {
    const update = {
      update_id: updateId++,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: userId, type: 'private' },
        from: { id: userId, is_bot: false, first_name: `Utente ${userId}`, language_code: 'it' },
        text: '/aiuto',
      },
    };
    const replied = new Promise<number>((resolve) => replyWaiters.set(String(userId), resolve));
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    const ack = performance.now() - t0;
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    const at = await replied;
    replyWaiters.delete(String(userId));
    return { total: at - t0, ack };
  };

  try {
    const users = Array.from({ length: USERS }, (_, i) => 100_000 + i);
    // Warm-up: first contact creates each person; not measured.
    await Promise.all(users.map((u) => ask(u)));

    const latencies: number[] = [];
    const acks: number[] = [];
    let started = 0;
    const t0 = performance.now();
    await Promise.all(
      users.map(async (u) => {
        while (started < UPDATES && performance.now() - t0 < TIME_LIMIT_MS) {
          started++;
          const r = await ask(u);
          latencies.push(r.total);
          acks.push(r.ack);
        }
      }),
    );
    const wallMs = performance.now() - t0;
    return {
      updates: latencies.length,
      concurrency: USERS,
      updates_per_s: round((latencies.length / wallMs) * 1000, 1),
      ...summarize('reply', latencies),
      ...summarize('webhook_ack', acks),
    };
  } finally {
    await adapter.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stack.close();
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ bench: 'telegram', ...(await run()) }));
  process.exit(0);
}
