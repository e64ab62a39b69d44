/**
 * Slack events through the real Bolt app and our signed route into the engine, with the Web API
 * fake answering at once: `message.im` from distinct requesters (each starts an intake), 20
 * conversations in flight, each waiting for the bot's reply before its next event. Measures
 * request → ack (HTTP response) and request → the bot's reply (`chat.postMessage` reaching the fake).
 * Our route is served by the app's own HTTP server (app/http-server.ts), as in production.
 *
 * The floor, in the same run against the same fake and load: a plain Bolt app (its own
 * HTTPReceiver, which checks the signature and acks before the listener) whose message listener
 * calls `chat.postMessage`. `ratio_to_floor` = our events/s ÷ the floor's. The two take turns
 * (ROUNDS slices each), so a change in the machine's load weighs on both alike.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { createHttpServer } from '../app/http-server.ts';
import { startSlackAdapter } from '../bots/slack/slack-adapter.ts';
import { slackSignature } from '../bots/slack/slack-signature.ts';
import { dmChannelOf, dmEvent, eventCallback, SlackFake } from '../test/fakes/slack-fake.ts';
import { createStack } from '../test/stack.ts';
import { LoadClient, ratio } from './platform-load.ts';
import { round, summarize, timedPool } from './stats.ts';

const EVENTS = 1500;
const CONCURRENCY = 20;
const WARMUP = 40;
const ROUNDS = 3;
const BUDGET_MS = 20_000;
const SECRET = 'bench-signing-secret';
const TEXT = 'La stampante non stampa';

interface Measured {
  readonly acks: number[];
  readonly replies: number[];
  readonly lost: number;
  readonly wallMs: number;
}

/**
 * Sends one DM from each of `warmup` users, then from each of `users` (measured, within
 * `budgetMs`) to `url`, `CONCURRENCY` at a time, each waiting for the bot's `chat.postMessage`
 * into its channel.
 */
async function drive(
  url: string,
  warmup: readonly string[],
  users: readonly string[],
  budgetMs: number,
  fake: SlackFake,
  client: LoadClient,
): Promise<Measured> {
  const waiting = new Map<string, (at: number) => void>();
  const unsubscribe = fake.onCall((c) => {
    if (c.ok && c.method === 'chat.postMessage') waiting.get(String(c.args.channel))?.(c.at);
  });
  /** One event; resolves with [ack ms, reply ms] or undefined when the reply never came. */
  const one = async (user: string): Promise<[number, number] | undefined> => {
    const channel = dmChannelOf(user);
    const replied = new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 10_000);
      waiting.set(channel, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
    const body = JSON.stringify(eventCallback(dmEvent(user, TEXT)).json);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(SECRET, timestamp, body),
    };
    const t0 = performance.now();
    const res = await client.post(url, headers, body);
    const at = await replied;
    waiting.delete(channel);
    if (res.status !== 200 || at === undefined) return undefined;
    return [res.ms, at - t0];
  };
  try {
    await timedPool(warmup.length, CONCURRENCY, async (i) => void (await one(warmup[i]!)));
    const acks: number[] = [];
    const replies: number[] = [];
    let lost = 0;
    const deadline = performance.now() + budgetMs;
    const { wallMs } = await timedPool(users.length, CONCURRENCY, async (i) => {
      if (performance.now() > deadline) return;
      const r = await one(users[i]!);
      if (!r) return void lost++;
      acks.push(r[0]);
      replies.push(r[1]);
    });
    return { acks, replies, lost, wallMs };
  } finally {
    unsubscribe();
  }
}

/** The bare SDK handler: Bolt's own receiver, a listener posting the reply; resolves with its events URL. */
async function startFloor(fake: SlackFake): Promise<{ url: string; stop(): Promise<unknown> }> {
  const app = new App({
    token: fake.token,
    signingSecret: SECRET,
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.message(async ({ message, client: web }) => {
    await web.chat.postMessage({ channel: message.channel, text: 'Ciao! Come posso aiutarti?' });
  });
  const server = (await app.start(0)) as Server;
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, stop: () => app.stop() };
}

/** The rounds of one side, as one measurement. */
function merge(parts: readonly Measured[]): Measured {
  return {
    acks: parts.flatMap((p) => p.acks),
    replies: parts.flatMap((p) => p.replies),
    lost: parts.reduce((n, p) => n + p.lost, 0),
    wallMs: parts.reduce((n, p) => n + p.wallMs, 0),
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  const fake = await SlackFake.start();
  const client = new LoadClient();
  let errors = 0;
  const log = { info() {}, warn() {}, error: () => void errors++ };
  const adapter = await startSlackAdapter(
    { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
    { engine: stack.engine, store: stack.store, log },
  );
  stack.setSender('slack', adapter.sender);
  // The app's server, not the fakes' `serveRoutes`: that one's 1 s keep-alive makes Node's client
  // open a new connection for every request (it keeps none announced for under 2 s), which the
  // floor's Bolt server (Node's default 5 s) does not; ~1 ms of this process's CPU per event.
  const server = createHttpServer({
    log: { debug() {}, warn() {}, error: () => void errors++ },
    routes: adapter.routes,
    health: async () => ({ ok: true }),
    metrics: { contentType: 'text/plain', render: async () => '' },
  });
  const ourUrl = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}/slack/events`;
  const bareApp = await startFloor(fake);
  try {
    const org = await stack.org('Associazione Bench ODV', '97999999998');
    const users = Array.from({ length: WARMUP + EVENTS }, (_, i) => `UB${i}`);
    await timedPool(users.length, CONCURRENCY, (i) =>
      stack
        .person({ platform: 'slack', externalId: users[i]!, name: `Persona ${i}`, roles: ['requester'], orgId: org })
        .then(() => undefined),
    );

    const floorUsers = users.map((u) => `UF${u.slice(2)}`);
    const perRound = Math.ceil(EVENTS / ROUNDS);
    const slice = (list: readonly string[], r: number) => list.slice(WARMUP + r * perRound, WARMUP + (r + 1) * perRound);
    const floorParts: Measured[] = [];
    const ourParts: Measured[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const warm = (list: readonly string[]) => (r === 0 ? list.slice(0, WARMUP) : []);
      floorParts.push(await drive(bareApp.url, warm(floorUsers), slice(floorUsers, r), BUDGET_MS / ROUNDS, fake, client));
      ourParts.push(await drive(ourUrl, warm(users), slice(users, r), BUDGET_MS / ROUNDS, fake, client));
    }
    const bare = merge(floorParts);
    const ours = merge(ourParts);
    const perS = (m: Measured) => round((m.acks.length / m.wallMs) * 1000, 1);
    const ack = summarize('ack', ours.acks);
    const reply = summarize('reply', ours.replies);
    const floorAck = summarize('floor_ack', bare.acks);
    const floorReply = summarize('floor_reply', bare.replies);
    return {
      events: ours.acks.length,
      concurrency: CONCURRENCY,
      events_per_s: perS(ours),
      ack_p50_ms: ack.ack_p50_ms!,
      ack_p99_ms: ack.ack_p99_ms!,
      reply_p50_ms: reply.reply_p50_ms!,
      reply_p99_ms: reply.reply_p99_ms!,
      reply_max_ms: reply.reply_max_ms!,
      lost: ours.lost,
      errors,
      floor_events: bare.acks.length,
      floor_events_per_s: perS(bare),
      floor_ack_p50_ms: floorAck.floor_ack_p50_ms!,
      floor_ack_p99_ms: floorAck.floor_ack_p99_ms!,
      floor_reply_p50_ms: floorReply.floor_reply_p50_ms!,
      floor_reply_p99_ms: floorReply.floor_reply_p99_ms!,
      floor_lost: bare.lost,
      ratio_to_floor: ratio(perS(ours), perS(bare)),
    };
  } finally {
    client.close();
    await bareApp.stop();
    await adapter.stop();
    await server.close();
    await fake.close();
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ bench: 'slack', ...(await run()) }));
