/**
 * Slack events through the real Bolt app and our signed route into the engine, with the Web API
 * fake answering at once: `message.im` from distinct requesters (each starts an intake), 20
 * conversations in flight, each waiting for the bot's reply before its next event. Measures
 * request → ack (HTTP response) and request → the bot's reply (`chat.postMessage` reaching the fake).
 */
import { startSlackAdapter } from '../bots/slack/slack-adapter.ts';
import { dmChannelOf, dmEvent, eventCallback, postSigned, SlackFake, serveRoutes } from '../test/fakes/slack-fake.ts';
import { createStack } from '../test/stack.ts';
import { round, summarize, timedPool } from './stats.ts';

const EVENTS = 1500;
const CONCURRENCY = 20;
const WARMUP = 40;
const BUDGET_MS = 20_000;
const SECRET = 'bench-signing-secret';

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  const fake = await SlackFake.start();
  let errors = 0;
  const log = { info() {}, warn() {}, error: () => void errors++ };
  const adapter = await startSlackAdapter(
    { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
    { engine: stack.engine, store: stack.store, log },
  );
  stack.setSender('slack', adapter.sender);
  const server = await serveRoutes(adapter.routes);
  const url = `${server.url}/slack/events`;
  try {
    const org = await stack.org('Associazione Bench ODV', '97999999998');
    const users = Array.from({ length: WARMUP + EVENTS }, (_, i) => `UB${i}`);
    await timedPool(users.length, CONCURRENCY, (i) =>
      stack
        .person({ platform: 'slack', externalId: users[i]!, name: `Persona ${i}`, roles: ['requester'], orgId: org })
        .then(() => undefined),
    );

    const waiting = new Map<string, (at: number) => void>();
    fake.onCall((c) => {
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
      const t0 = performance.now();
      const res = await postSigned(url, SECRET, eventCallback(dmEvent(user, 'La stampante non stampa')));
      const acked = performance.now();
      const at = await replied;
      waiting.delete(channel);
      if (res.status !== 200 || at === undefined) return undefined;
      return [acked - t0, at - t0];
    };

    await timedPool(WARMUP, CONCURRENCY, async (i) => void (await one(users[i]!)));

    const acks: number[] = [];
    const replies: number[] = [];
    let lost = 0;
    const deadline = performance.now() + BUDGET_MS;
    const { wallMs } = await timedPool(EVENTS, CONCURRENCY, async (i) => {
      if (performance.now() > deadline) return;
      const r = await one(users[WARMUP + i]!);
      if (!r) return void lost++;
      acks.push(r[0]);
      replies.push(r[1]);
    });
    const ack = summarize('ack', acks);
    const reply = summarize('reply', replies);
    return {
      events: acks.length,
      concurrency: CONCURRENCY,
      events_per_s: round((acks.length / wallMs) * 1000, 1),
      ack_p50_ms: ack.ack_p50_ms!,
      ack_p99_ms: ack.ack_p99_ms!,
      reply_p50_ms: reply.reply_p50_ms!,
      reply_p99_ms: reply.reply_p99_ms!,
      reply_max_ms: reply.reply_max_ms!,
      lost,
      errors,
    };
  } finally {
    await adapter.stop();
    await server.close();
    await fake.close();
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ bench: 'slack', ...(await run()) }));
