/**
 * Telegram throughput in webhook mode: updates POSTed (with the secret) to the adapter's route,
 * through the real Telegraf pipeline into the engine on PostgreSQL, the reply delivered by the
 * outbox to the fake Bot API, which answers at once. Each of USERS private chats has one update
 * in flight at a time; latency is from the POST to the fake receiving the sendMessage for
 * that chat. Bounded by UPDATES or 20 s.
 *
 * The floor, in the same run against the same fake and load: a plain Telegraf webhook
 * (`webhookCallback` with the secret token) whose handler calls `ctx.reply`, answering the
 * webhook once the reply call returned. `ratio_to_floor` = our updates/s ÷ the floor's. The two
 * take turns (ROUNDS slices each), so a change in the machine's load weighs on both alike.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf } from 'telegraf';
import { startTelegramAdapter, TELEGRAM_WEBHOOK_PATH } from '../bots/telegram/telegram-adapter.ts';
import { TelegramFake } from '../test/fakes/telegram-fake.ts';
import { createStack } from '../test/stack.ts';
import { LoadClient, ratio } from './platform-load.ts';
import { round, summarize } from './stats.ts';

const USERS = 50;
const UPDATES = 2000;
const ROUNDS = 3;
const TIME_LIMIT_MS = 20_000;
const SECRET = 'bench-secret';
const silent = { info() {}, warn() {}, error() {} };

interface Measured {
  readonly latencies: number[];
  readonly acks: number[];
  readonly wallMs: number;
}

let updateId = 1;

/** A warm-up update per chat when asked (first contact), then `updates` updates, each chat waiting for its reply. */
async function drive(
  url: string,
  fake: TelegramFake,
  client: LoadClient,
  opts: { readonly warmup: boolean; readonly updates: number; readonly timeLimitMs: number },
): Promise<Measured> {
  const replyWaiters = new Map<string, (at: number) => void>();
  fake.onCall = (call) => {
    if (call.method === 'sendMessage') replyWaiters.get(String(call.payload.chat_id))?.(call.at);
  };
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
    const res = await client.post(
      url,
      { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      JSON.stringify(update),
    );
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    const at = await replied;
    replyWaiters.delete(String(userId));
    return { total: at - t0, ack: res.ms };
  };
  try {
    const users = Array.from({ length: USERS }, (_, i) => 100_000 + i);
    // Warm-up: first contact creates each person; not measured.
    if (opts.warmup) await Promise.all(users.map((u) => ask(u)));
    const latencies: number[] = [];
    const acks: number[] = [];
    let started = 0;
    const t0 = performance.now();
    await Promise.all(
      users.map(async (u) => {
        while (started < opts.updates && performance.now() - t0 < opts.timeLimitMs) {
          started++;
          const r = await ask(u);
          latencies.push(r.total);
          acks.push(r.ack);
        }
      }),
    );
    return { latencies, acks, wallMs: performance.now() - t0 };
  } finally {
    fake.onCall = undefined;
  }
}

/** Serves `handle` on 127.0.0.1; resolves with the webhook URL and a close. */
async function serve(handle: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${TELEGRAM_WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The bare SDK handler: Telegraf's own webhook callback, `ctx.reply` through the Bot API. */
async function startFloor(fake: TelegramFake): Promise<{ url: string; close(): Promise<void> }> {
  const bot = new Telegraf(fake.token, { telegram: { webhookReply: false, apiRoot: fake.apiRoot } });
  bot.botInfo = await bot.telegram.getMe();
  bot.on('message', (ctx) => ctx.reply('Ciao! Come posso aiutarti?').then(() => undefined));
  return serve(bot.webhookCallback(TELEGRAM_WEBHOOK_PATH, { secretToken: SECRET }));
}

/** The rounds of one side, as one measurement. */
const merge = (parts: readonly Measured[]): Measured => ({
  latencies: parts.flatMap((p) => p.latencies),
  acks: parts.flatMap((p) => p.acks),
  wallMs: parts.reduce((n, p) => n + p.wallMs, 0),
});

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  const fake = await TelegramFake.start();
  const client = new LoadClient();
  const adapter = await startTelegramAdapter(
    { token: fake.token, apiRoot: fake.apiRoot, webhookSecret: SECRET },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('telegram', adapter.sender);
  const server = await serve((req, res) => {
    const route = adapter.routes.find((r) => r.method === req.method && r.path === req.url);
    if (route) void route.handle(req, res, null);
    else res.writeHead(404).end();
  });
  const bareServer = await startFloor(fake);
  try {
    const floorParts: Measured[] = [];
    const ourParts: Measured[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const opts = { warmup: r === 0, updates: Math.ceil(UPDATES / ROUNDS), timeLimitMs: TIME_LIMIT_MS / ROUNDS };
      floorParts.push(await drive(bareServer.url, fake, client, opts));
      ourParts.push(await drive(server.url, fake, client, opts));
    }
    const bare = merge(floorParts);
    const ours = merge(ourParts);
    const perS = (m: Measured) => round((m.latencies.length / m.wallMs) * 1000, 1);
    return {
      updates: ours.latencies.length,
      concurrency: USERS,
      updates_per_s: perS(ours),
      ...summarize('reply', ours.latencies),
      ...summarize('webhook_ack', ours.acks),
      floor_updates: bare.latencies.length,
      floor_updates_per_s: perS(bare),
      ...summarize('floor_reply', bare.latencies),
      ...summarize('floor_webhook_ack', bare.acks),
      ratio_to_floor: ratio(perS(ours), perS(bare)),
    };
  } finally {
    client.close();
    await bareServer.close();
    await adapter.stop();
    await server.close();
    await stack.close();
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ bench: 'telegram', ...(await run()) }));
  process.exit(0);
}
