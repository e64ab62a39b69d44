/**
 * Discord throughput: MESSAGE_CREATE dispatches in DMs from many users over the fake gateway,
 * through the real discord.js client into the engine on PostgreSQL, the reply delivered by the
 * outbox over REST to the fake, which answers at once. Each of USERS users has one DM in
 * flight at a time; latency is from the gateway dispatch to the fake receiving the reply's
 * `POST /channels/<dm>/messages`.
 *
 * Two runs: the pipeline's own capacity (discord.js's global REST limiter lifted; bounded by
 * EVENTS or 20 s), then the production setting, where discord.js keeps to Discord's global
 * limit of 50 requests/s per bot (bounded by CAPPED_EVENTS).
 */
import { type DiscordAdapterConfig, startDiscordAdapter } from '../bots/discord/discord-adapter.ts';
import { DiscordFake, type FakeUser } from '../test/fakes/discord-fake.ts';
import { createStack, type Stack } from '../test/stack.ts';
import { round, summarize } from './stats.ts';

const USERS = 50;
const EVENTS = 2000;
const CAPPED_EVENTS = 400;
const TIME_LIMIT_MS = 20_000;
const silent = { info() {}, warn() {}, error() {} };

async function measure(
  stack: Stack,
  fake: DiscordFake,
  users: FakeUser[],
  config: Partial<DiscordAdapterConfig>,
  events: number,
): Promise<{ latencies: number[]; wallMs: number }> {
  const adapter = await startDiscordAdapter(
    { botToken: 'bench-token', apiUrl: fake.apiUrl, guildId: fake.guildId, ...config },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('discord', adapter.sender);
  const waiters = new Map<string, () => void>();
  const unsubscribe = fake.onCall((call) => {
    const m = call.method === 'POST' ? /^\/channels\/(\d+)\/messages$/.exec(call.path) : null;
    if (m) waiters.get(m[1]!)?.();
  });
  /** One DM from `user`; resolves with the ms until the bot's reply reached the fake. */
  const ask = (user: FakeUser): Promise<number> => {
    const channel = fake.dmChannelOf(user.id);
    const replied = new Promise<number>((resolve) => {
      const t0 = performance.now();
      waiters.set(channel, () => {
        waiters.delete(channel);
        resolve(performance.now() - t0);
      });
    });
    fake.dm(user, 'aiuto');
    return replied;
  };
  try {
    // Warm-up (and, on the first run, each person's first contact): not measured.
    await Promise.all(users.map((u) => ask(u)));
    const latencies: number[] = [];
    const perUser = Math.ceil(events / users.length);
    const start = performance.now();
    const deadline = start + TIME_LIMIT_MS;
    await Promise.all(
      users.map(async (u) => {
        for (let i = 0; i < perUser && performance.now() < deadline; i++) latencies.push(await ask(u));
      }),
    );
    return { latencies, wallMs: performance.now() - start };
  } finally {
    unsubscribe();
    await adapter.stop();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  const fake = await DiscordFake.start();
  try {
    const users = Array.from({ length: USERS }, (_, i) => fake.user(`Utente ${i}`));
    const open = await measure(stack, fake, users, { globalRequestsPerSecond: 1_000_000 }, EVENTS);
    const capped = await measure(stack, fake, users, {}, CAPPED_EVENTS);
    return {
      users: USERS,
      events: open.latencies.length,
      events_per_s: round((open.latencies.length / open.wallMs) * 1000, 1),
      ...summarize('event_to_reply', open.latencies),
      capped_events: capped.latencies.length,
      capped_events_per_s: round((capped.latencies.length / capped.wallMs) * 1000, 1),
      ...summarize('capped_event_to_reply', capped.latencies),
    };
  } finally {
    await fake.close();
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ bench: 'discord', ...(await run()) }));
