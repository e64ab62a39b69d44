/**
 * The faults, in the order they fire as the load progresses (each after the one before ended):
 * platforms answering 429 with Retry-After and 500 for a while, a Discord gateway disconnect and
 * resume, `kill -9` of each app process and of a worker (restarted), PostgreSQL restarted twice
 * (a clean fast shutdown and a crash-like immediate one), Redis FLUSHALL and Redis restarted
 * empty, and the SLA clock jump.
 */
import type { FakeError } from '../../test/fakes/telegram-fake.ts';
import type { DiscordDriver } from './discord-driver.ts';
import { progress, redisCommand, sleep } from './processes.ts';
import type { SlaBatch } from './sla-load.ts';
import type { Topology } from './topology.ts';

/** Failures queued per platform fault on Slack and Discord (each answers one message post). */
const FAILED_POSTS = 3;
/** On Telegram a fault lasts this long, failing one sendMessage in FAIL_EVERY. */
const FAIL_EVERY = 3;

export type Faults = Record<string, number>;

export function faultSchedule(
  t: Topology,
  discord: DiscordDriver,
  sla: SlaBatch,
  faults: Faults,
  failWindowMs: number,
): [string, () => Promise<void>][] {
  const count = (name: string) => {
    faults[name] = (faults[name] ?? 0) + 1;
    progress(`fault: ${name}`);
  };

  // Telegram: while a fault lasts, one sendMessage in FAIL_EVERY is answered with the error.
  let failing: { until: number; error: FakeError; n: number } | undefined;
  t.telegram.onCall = (call) => {
    if (call.method !== 'sendMessage' || !failing) return;
    if (Date.now() > failing.until) {
      failing = undefined;
      return;
    }
    if (failing.n++ % FAIL_EVERY === 0) t.telegram.failNext('sendMessage', failing.error, String(call.payload.chat_id));
  };
  const telegramFails = (error: FakeError) => (failing = { until: Date.now() + failWindowMs, error, n: 0 });

  const slackFails = (status: 429 | 500) =>
    t.slack.failNext(
      'chat.postMessage',
      Array.from({ length: FAILED_POSTS }, () =>
        status === 429
          ? { status, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }
          : { status, body: { ok: false, error: 'internal_error' } },
      ),
    );
  const discordFails = (status: 429 | 500) =>
    t.discord.fail(
      ...Array.from({ length: FAILED_POSTS }, () => ({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status, retryAfter: 1 })),
    );

  const restart = async (c: (typeof t.apps)[number]) => {
    await c.kill();
    await sleep(500);
    await c.start();
  };

  const schedule: [string, () => Promise<void>][] = [
    [
      'telegram_429',
      async () => void telegramFails({ error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }),
    ],
    ['slack_429', async () => slackFails(429)],
    [
      'discord_gateway_resume',
      async () => {
        const resumes = t.discord.resumes;
        t.discord.drop(4000);
        await t.discord.waitFor(() => t.discord.resumes > resumes, 60_000, 'the Discord gateway to resume');
      },
    ],
    ['postgres_restart_fast', () => t.pg.restart('fast')],
    ['discord_429', async () => discordFails(429)],
    ['kill9_app', () => restart(t.apps[1]!)],
    ['telegram_500', async () => void telegramFails({ error_code: 500, description: 'Internal Server Error' })],
    ['slack_500', async () => slackFails(500)],
    ['redis_flushall', async () => void (await redisCommand(t.redisPort, 'FLUSHALL'))],
    ['sla_clock_jump', async () => void (await sla.jump())],
    ['kill9_worker', () => restart(t.workers[0]!)],
    ['discord_500', async () => discordFails(500)],
    [
      'redis_restart',
      async () => {
        await t.redis.kill();
        await sleep(1_000);
        await t.redis.start(20_000);
      },
    ],
    [
      'kill9_app_discord_gateway',
      async () => {
        // Discord does not give a new session what the killed one had received: the Discord load waits.
        await discord.gate.close();
        try {
          await restart(t.apps[0]!);
        } finally {
          discord.gate.open();
        }
      },
    ],
    ['postgres_restart_immediate', () => t.pg.restart('immediate')],
  ];
  return schedule.map(([name, act]) => [
    name,
    async () => {
      count(name);
      await act();
    },
  ]);
}

/** Calls the fakes answered with an injected failure, per platform. */
export function failedCalls(t: Topology): Record<string, number> {
  return {
    telegram: t.telegram.calls.filter((c) => c.status !== 200).length,
    slack: t.slack.calls.filter((c) => !c.ok).length,
    discord: t.discord.calls.filter((c) => c.status === 429 || c.status >= 500).length,
  };
}
