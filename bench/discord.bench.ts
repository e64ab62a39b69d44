/**
 * Discord throughput: MESSAGE_CREATE dispatches in DMs from many users over the fake gateway,
 * through the real discord.js client into the engine on PostgreSQL, the reply delivered by the
 * outbox over REST to the fake, which answers at once. Each of USERS users has one DM in
 * flight at a time; latency is from the gateway dispatch to the fake receiving the reply's
 * `POST /channels/<dm>/messages`. The gateway has no acknowledgement of a message: what stands
 * for Telegram's webhook ack is `event_to_commit`, from the dispatch to the engine having
 * committed the event (stored, deduplicated, its reply in the outbox), before its delivery.
 *
 * Two runs: the pipeline's own capacity (discord.js's global REST limiter lifted; bounded by
 * EVENTS or 20 s), then the production setting, where discord.js keeps to Discord's global
 * limit of 50 requests/s per bot (bounded by CAPPED_EVENTS).
 *
 * The floor, in the same run against the same fake and load (limiter lifted too): a plain
 * discord.js client on the same gateway whose `messageCreate` listener answers with
 * `channel.send`. `ratio_to_floor` = our events/s ÷ the floor's, both uncapped. The two take
 * turns on the gateway (ROUNDS slices each), so a change in the machine's load weighs on both alike.
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import { type DiscordAdapterConfig, startDiscordAdapter } from '../bots/discord/discord-adapter.ts';
import { DiscordFake, type FakeUser } from '../test/fakes/discord-fake.ts';
import { createStack, type Stack } from '../test/stack.ts';
import { ratio } from './platform-load.ts';
import { round, summarize } from './stats.ts';

const USERS = 50;
const EVENTS = 2000;
const CAPPED_EVENTS = 400;
const ROUNDS = 3;
const TIME_LIMIT_MS = 20_000;
const silent = { info() {}, warn() {}, error() {} };

interface Measured {
  readonly latencies: number[];
  /** Dispatch → the engine's commit (our adapter only). */
  readonly commits: number[];
  readonly wallMs: number;
}

/** DM channel → called when the engine has committed that channel's event. */
const committed = new Map<string, () => void>();

/** Our adapter on the engine, with `config`. */
async function measure(
  stack: Stack,
  fake: DiscordFake,
  users: FakeUser[],
  config: Partial<DiscordAdapterConfig>,
  events: number,
  opts: { readonly warmup: boolean; readonly timeLimitMs: number },
): Promise<Measured> {
  const adapter = await startDiscordAdapter(
    { botToken: 'bench-token', apiUrl: fake.apiUrl, guildId: fake.guildId, ...config },
    {
      engine: {
        handle: async (inbound) => {
          const result = await stack.engine.handle(inbound);
          committed.get(inbound.conversation.id)?.();
          return result;
        },
      },
      store: stack.store,
      log: silent,
    },
  );
  stack.setSender('discord', adapter.sender);
  try {
    return await drive(fake, users, events, opts);
  } finally {
    await adapter.stop();
  }
}

/** The bare SDK handler: a discord.js client answering each DM in its channel. */
async function floor(
  fake: DiscordFake,
  users: FakeUser[],
  events: number,
  opts: { readonly warmup: boolean; readonly timeLimitMs: number },
): Promise<Measured> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Channel],
    rest: { api: fake.apiUrl, globalRequestsPerSecond: 1_000_000 },
  });
  client.on(Events.MessageCreate, (m) => {
    if (!m.author.bot && m.channel.isSendable()) void m.channel.send('Ciao! Come posso aiutarti?');
  });
  const ready = once(client, Events.ClientReady);
  await client.login('bench-token');
  await ready;
  try {
    return await drive(fake, users, events, opts);
  } finally {
    await client.destroy();
  }
}

/** A warm-up DM per user when asked, then `events` DMs (within `timeLimitMs`), each user waiting for the reply to its last. */
async function drive(
  fake: DiscordFake,
  users: FakeUser[],
  events: number,
  opts: { readonly warmup: boolean; readonly timeLimitMs: number },
): Promise<Measured> {
  const waiters = new Map<string, () => void>();
  const unsubscribe = fake.onCall((call) => {
    const m = call.method === 'POST' ? /^\/channels\/(\d+)\/messages$/.exec(call.path) : null;
    if (m) waiters.get(m[1]!)?.();
  });
  const commits: number[] = [];
  /** One DM from `user`; resolves with the ms until the bot's reply reached the fake (and notes the ms to the commit). */
  const ask = (user: FakeUser): Promise<number> => {
    const channel = fake.dmChannelOf(user.id);
    const t0 = performance.now();
    committed.set(channel, () => {
      committed.delete(channel);
      commits.push(performance.now() - t0);
    });
    const replied = new Promise<number>((resolve) => {
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
    if (opts.warmup) await Promise.all(users.map((u) => ask(u)));
    commits.length = 0;
    const latencies: number[] = [];
    const perUser = Math.ceil(events / users.length);
    const start = performance.now();
    const deadline = start + opts.timeLimitMs;
    await Promise.all(
      users.map(async (u) => {
        for (let i = 0; i < perUser && performance.now() < deadline; i++) latencies.push(await ask(u));
      }),
    );
    return { latencies, commits: [...commits], wallMs: performance.now() - start };
  } finally {
    committed.clear();
    unsubscribe();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  const fake = await DiscordFake.start();
  try {
    const users = Array.from({ length: USERS }, (_, i) => fake.user(`Utente ${i}`));
    const floorParts: Measured[] = [];
    const openParts: Measured[] = [];
    const slice = Math.ceil(EVENTS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      // Each round connects a client afresh: its caches (DM channels) warm up again, unmeasured.
      const opts = { warmup: true, timeLimitMs: TIME_LIMIT_MS / ROUNDS };
      floorParts.push(await floor(fake, users, slice, opts));
      openParts.push(await measure(stack, fake, users, { globalRequestsPerSecond: 1_000_000 }, slice, opts));
    }
    const merge = (parts: Measured[]): Measured => ({
      latencies: parts.flatMap((p) => p.latencies),
      commits: parts.flatMap((p) => p.commits),
      wallMs: parts.reduce((n, p) => n + p.wallMs, 0),
    });
    const bare = merge(floorParts);
    const open = merge(openParts);
    const capped = await measure(stack, fake, users, {}, CAPPED_EVENTS, { warmup: true, timeLimitMs: TIME_LIMIT_MS });
    const perS = (m: Measured) => round((m.latencies.length / m.wallMs) * 1000, 1);
    return {
      users: USERS,
      events: open.latencies.length,
      events_per_s: perS(open),
      ...summarize('event_to_reply', open.latencies),
      ...summarize('event_to_commit', open.commits),
      floor_events: bare.latencies.length,
      floor_events_per_s: perS(bare),
      ...summarize('floor_event_to_reply', bare.latencies),
      ratio_to_floor: ratio(perS(open), perS(bare)),
      capped_events: capped.latencies.length,
      capped_events_per_s: perS(capped),
      ...summarize('capped_event_to_reply', capped.latencies),
    };
  } finally {
    await fake.close();
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ bench: 'discord', ...(await run()) }));
