/**
 * Delivery from any process. Process A (this one) receives: the real Slack, Telegram, Discord
 * and web chat adapters against the local platform fakes, the engine writing the outbox, and
 * nothing that delivers. Process B is a real `sportello worker` child process on the same
 * database that never saw any inbound event: it must deliver every row as A would have — a
 * Slack DM into the DM channel A learned (no `conversations.open`), the Telegram answer, a
 * Discord DM into the learned channel, the ephemeral answers to Discord interactions through
 * their tokens (the deferred placeholder replaced first, a button press followed up), and the
 * web chat's answer, shown live on the browser stream A holds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../app/config.ts';
import { type DiscordAdapter, startDiscordAdapter } from '../bots/discord/discord-adapter.ts';
import { type SlackAdapter, startSlackAdapter } from '../bots/slack/slack-adapter.ts';
import { startTelegramAdapter, type TelegramAdapter } from '../bots/telegram/telegram-adapter.ts';
import { createWebChat } from '../bots/web/web-chat.ts';
import type { WebMessage } from '../core/kernel/web-chat-store.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import { PgWebMessageFeed } from '../db/web-message-feed.ts';
import { DiscordFake, type FakeMessage, type FakeUser } from './fakes/discord-fake.ts';
import { dmChannelOf, dmEvent, eventCallback, postSigned, SlackFake, serveRoutes } from './fakes/slack-fake.ts';
import { TelegramFake } from './fakes/telegram-fake.ts';
import { createStack, type Stack } from './stack.ts';
import { WAIT_MS } from './wait.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SLACK_SECRET = 'test-signing-secret';
/** How long process A waits before removing an unanswered "thinking…" placeholder: longer than any wait here. */
const REPLY_GRACE_MS = 60_000;
const STEP_MS = WAIT_MS;

const silent = { info() {}, debug() {}, warn() {}, error() {} };
const problems: string[] = [];
const log = {
  ...silent,
  warn: (o: object, m?: string) => void problems.push(`${m} ${JSON.stringify(o)}`),
  error: (o: object, m?: string) => void problems.push(`${m} ${JSON.stringify(o)}`),
};

let stack: Stack;
let slackFake: SlackFake;
let telegramFake: TelegramFake;
let discordFake: DiscordFake;
let slack: SlackAdapter;
let telegram: TelegramAdapter;
let discord: DiscordAdapter;
let http: { url: string; close(): Promise<void> };
let closeFeed: () => Promise<void>;
let worker: ChildProcess;
let workerOut = '';
let general: string;
let anna: FakeUser;
let bruno: FakeUser;
/** Interactions whose placeholder process B replaced. */
const placeholders: string[] = [];

const TG_ANNA = { id: 1001, is_bot: false, first_name: 'Anna', last_name: 'Bianchi', language_code: 'it' };

/** `sportello worker` as a child process; resolves once it says it runs. */
async function startWorker(): Promise<ChildProcess> {
  // The child sees only the variables given here, not whatever configures this machine.
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !(CONFIG_VARIABLES as readonly string[]).includes(e[0]),
    ),
  );
  Object.assign(env, {
    DATABASE_URL: stack.tdb.url,
    LOG_LEVEL: 'info',
    WEB_CHAT: 'on',
    SLACK_BOT_TOKEN: slackFake.token,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slackFake.apiUrl,
    TELEGRAM_BOT_TOKEN: telegramFake.token,
    TELEGRAM_API_ROOT: telegramFake.apiRoot,
    DISCORD_BOT_TOKEN: 'fake-bot-token',
    DISCORD_API_URL: discordFake.apiUrl,
    // No DISCORD_APPLICATION_ID: the interactions stored by process A carry their application.
  });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app', 'cli.ts'), 'worker'], { cwd: ROOT, env });
  child.stdout?.on('data', (d: Buffer) => (workerOut += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (workerOut += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sportello worker did not start:\n${workerOut}`)), 60_000);
    const check = () => {
      if (workerOut.includes('sportello worker running')) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sportello worker exited with ${code}:\n${workerOut}`));
    });
  });
  return child;
}

/** The worker's log lines at `level` or above (pino: 40 warn, 50 error). */
function workerLogs(level: number): string[] {
  return workerOut
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .filter((l) => (JSON.parse(l) as { level: number }).level >= level);
}

/** An SSE stream of the web chat for `handle`: the messages pushed to it so far. */
async function webStream(handle: string): Promise<{ messages: WebMessage[]; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${http.url}/web/events?as=${handle}`, { signal: abort.signal });
  expect(res.status).toBe(200);
  const messages: WebMessage[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  let connected!: () => void;
  const ready = new Promise<void>((r) => (connected = r));
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += new TextDecoder().decode(chunk.value);
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.startsWith(': connected')) connected();
        if (frame.startsWith('data: ')) messages.push(JSON.parse(frame.slice(6)) as WebMessage);
      }
    }
  })();
  await ready;
  return { messages, close: () => abort.abort() };
}

async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = STEP_MS,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; worker log:\n${workerOut.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  stack = await createStack();
  [slackFake, telegramFake, discordFake] = await Promise.all([SlackFake.start(), TelegramFake.start(), DiscordFake.start()]);
  general = discordFake.textChannel('generale');
  anna = discordFake.user('Anna Bianchi');
  bruno = discordFake.user('Bruno Verdi');
  const org = await stack.org('Associazione Il Girasole ODV', '97000000001');
  for (const [platform, externalId] of [
    ['slack', 'U_ANNA'],
    ['telegram', String(TG_ANNA.id)],
    ['discord', anna.id],
    ['web', 'anna'],
  ] as const)
    await stack.person({ platform, externalId, name: 'Anna Bianchi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'discord', externalId: bruno.id, name: 'Bruno Verdi', roles: ['requester'], orgId: org });

  // Process A: receives on every platform; its stack has no sender, so it delivers nothing.
  slack = await startSlackAdapter(
    { botToken: slackFake.token, signingSecret: SLACK_SECRET, apiUrl: slackFake.apiUrl },
    { engine: stack.engine, store: stack.store, log },
  );
  telegram = await startTelegramAdapter(
    { token: telegramFake.token, apiRoot: telegramFake.apiRoot },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  discord = await startDiscordAdapter(
    { botToken: 'fake-bot-token', apiUrl: discordFake.apiUrl, guildId: discordFake.guildId, replyGraceMs: REPLY_GRACE_MS },
    { engine: stack.engine, store: stack.store, log },
  );
  const messages = new WebMessageRepository(stack.tdb.db);
  const web = createWebChat({ engine: stack.engine, messages, channels: stack.store.channels, log });
  const feed = await new PgWebMessageFeed({ url: stack.tdb.url, messages, log }).listen((m) => web.hub.publish(m));
  closeFeed = () => feed.close();
  http = await serveRoutes([...slack.routes, ...web.routes]);

  // Process B.
  worker = await startWorker();
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
  await discord?.stop();
  await telegram?.stop();
  await slack?.stop();
  await http?.close();
  await closeFeed?.();
  await Promise.all([slackFake?.close(), telegramFake?.close(), discordFake?.close()]);
  await stack?.close();
}, 60_000);

describe('an outbox row written by one process is delivered by another', () => {
  it('Slack: the answer to a DM goes into the DM channel process A learned, without conversations.open', async () => {
    const r = await postSigned(`${http.url}/slack/events`, SLACK_SECRET, eventCallback(dmEvent('U_ANNA', 'chisono')));
    expect(r.status).toBe(200);
    const reply = await slackFake.waitFor(() => slackFake.posts(dmChannelOf('U_ANNA'))[0], STEP_MS);
    expect(String(reply.text)).toContain('Sei Anna Bianchi');
    await stack.settle();
    expect(slackFake.posts(dmChannelOf('U_ANNA'))).toHaveLength(1);
    expect(slackFake.calls.filter((c) => c.method === 'conversations.open')).toEqual([]);
  });

  it('Telegram: the answer to a private message', async () => {
    telegramFake.push({
      message: {
        message_id: 10,
        date: Math.floor(Date.now() / 1000),
        chat: { id: TG_ANNA.id, type: 'private', first_name: 'Anna' },
        from: TG_ANNA,
        text: 'chisono',
      },
    });
    const reply = await telegramFake.waitFor(() => telegramFake.sentTo(TG_ANNA.id)[0], STEP_MS, 'the Telegram answer');
    expect(String(reply.payload.text)).toContain('Sei Anna Bianchi');
    await stack.settle();
    expect(telegramFake.sentTo(TG_ANNA.id)).toHaveLength(1);
  });

  it('Discord: a DM answer goes into the learned DM channel', async () => {
    discordFake.dm(anna, 'chisono');
    const reply = await discordFake.waitFor(() => discordFake.posted(discordFake.dmChannelOf(anna.id))[0], STEP_MS, 'the DM answer');
    expect(reply.content).toContain('Sei Anna Bianchi');
    await stack.settle();
    expect(discordFake.callsTo('POST', /^\/users\/@me\/channels$/)).toEqual([]);
  });

  it('Discord: a refused slash command is answered ephemerally by replacing its "thinking…" placeholder', async () => {
    const before = discordFake.posted(general).length;
    const i = discordFake.slash(bruno, general, 'sportello', { testo: 'certifica @anna volontario' });
    const reply = await discordFake.waitFor(() => discordFake.answers(i.token).find((m) => m.content), STEP_MS, 'the ephemeral refusal');
    placeholders.push(i.token);
    expect(reply.content).toBe('Non hai i permessi per questa operazione.');
    expect(reply.flags).toBe(64);
    expect(discordFake.callsTo('PATCH', new RegExp(`^/webhooks/${discordFake.applicationId}/${i.token}/messages/@original$`))).toHaveLength(
      1,
    );
    await stack.settle();
    expect(discordFake.posted(general)).toHaveLength(before);
    expect(discordFake.posted(discordFake.dmChannelOf(bruno.id))).toEqual([]);
  });

  it('Discord: a slash command in the DM gets its answer in place of the placeholder', async () => {
    const seen = discordFake.posted(discordFake.dmChannelOf(anna.id)).length;
    const i = discordFake.slash(anna, undefined, 'aiuto');
    const reply = await discordFake.waitFor(
      () => discordFake.answers(i.token).find((m) => m.embeds.length > 0 || m.content),
      STEP_MS,
      'the help',
    );
    placeholders.push(i.token);
    expect(reply.flags).toBe(0);
    expect(discordFake.callsTo('PATCH', new RegExp(`/${i.token}/messages/@original$`))).toHaveLength(1);
    await stack.settle();
    expect(discordFake.posted(discordFake.dmChannelOf(anna.id))).toHaveLength(seen);
  });

  it('Discord: a button press is answered with an ephemeral follow-up through its token', async () => {
    const res = await fetch(`${discordFake.apiUrl}/v10/channels/${general}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bot fake-bot-token' },
      body: JSON.stringify({
        content: 'INC-999999',
        components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Prendo io', custom_id: 'ticket.claim|INC-999999' }] }],
      }),
    });
    const card = (await res.json()) as FakeMessage;
    const press = discordFake.click(bruno, discordFake.messages.get(card.id)!, 'ticket.claim|INC-999999');
    const followUp = await discordFake.waitFor(() => discordFake.answers(press.token).at(0), STEP_MS, 'the ephemeral follow-up');
    expect(followUp.flags).toBe(64);
    expect(followUp.content).toContain('INC-999999');
    expect(discordFake.callsTo('POST', new RegExp(`^/webhooks/${discordFake.applicationId}/${press.token}$`))).toHaveLength(1);
    await stack.settle();
    expect(discordFake.posted(discordFake.dmChannelOf(bruno.id))).toEqual([]);
  });

  it('web chat: the answer stored by process B reaches the browser stream held by process A', async () => {
    const stream = await webStream('anna');
    try {
      const sent = await fetch(`${http.url}/web/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: 'anna', conversation: 'dm:anna', text: 'chisono', clientId: randomUUID() }),
      });
      expect(sent.status).toBe(202);
      const answer = await waitFor(() => stream.messages.find((m) => m.author === 'bot'), 'the answer on the live stream');
      expect(answer.conversation).toBe('dm:anna');
      expect(answer.message.text).toContain('Sei Anna Bianchi');
      await stack.settle();
      expect(stream.messages.map((m) => m.author)).toEqual(['anna', 'bot']);
    } finally {
      stream.close();
    }
  });

  it('every row was delivered once, by process B; the placeholders it replaced are taken for process A too', async () => {
    const rows = await stack.tdb.db.selectFrom('outbox').select(['platform', 'status', 'attempts']).execute();
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(rows.filter((r) => r.status !== 'delivered' || r.attempts !== 1)).toEqual([]);
    // Process A removes a placeholder after its grace only if it can still take it: it cannot.
    for (const token of placeholders) expect(await stack.store.deliveryContext.claimPlaceholder('discord', token), token).toBe(false);
    expect(workerLogs(40)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
