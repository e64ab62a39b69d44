/**
 * A process killed while delivering. The outbox lease is short and renewed while a row is
 * being sent (the heartbeat): a live sender keeps its row however slow the platform is, and the
 * rows of a dead one are taken over within a lease, not minutes later. The row taken over is
 * known to be of unknown fate, and each platform's sender does what it can: Discord dedupes by
 * the enforced nonce, Slack finds the message by its metadata and adopts it, the web chat stores
 * the row once; Telegram has no way to tell, so the message is sent again (at most one extra)
 * and counted as in flight. The following messages of each chat still go out after it, in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordSender } from '../bots/discord/discord-adapter.ts';
import { nonceOf } from '../bots/discord/discord-sender.ts';
import { createSlackSender } from '../bots/slack/slack-sender.ts';
import { createTelegramSender } from '../bots/telegram/telegram-sender.ts';
import { WebHub, WebSender } from '../bots/web/web-sender.ts';
import type { Address } from '../core/kernel/message.ts';
import { type ChatSender, type Delivery, DeliveryError, type OutboxEntry } from '../core/kernel/outbox.ts';
import { type DeliveryOutcome, OutboxDispatcher } from '../core/kernel/outbox-dispatcher.ts';
import type { Platform } from '../core/kernel/person.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { WebMessageRepository } from '../db/web-message.repository.ts';
import { DiscordFake } from './fakes/discord-fake.ts';
import { SlackFake } from './fakes/slack-fake.ts';
import { TelegramFake } from './fakes/telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { until } from './wait.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clock = { now: () => new Date() };
const quiet = { info() {}, warn() {}, error() {} };

let tdb: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

beforeEach(async () => {
  await tdb.db.deleteFrom('outbox').execute();
});

const rowOf = (id: string) => tdb.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const rowsByText = async () => new Map((await tdb.db.selectFrom('outbox').selectAll().execute()).map((r) => [r.message.text, r] as const));

/** A sender whose sends wait for `open()`; `got` lists the deliveries it was asked for. */
function gatedSender(): ChatSender & { got: Delivery[]; open(): void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const got: Delivery[] = [];
  return {
    got,
    open: () => open(),
    async send(d) {
      got.push(d);
      await gate;
      return { messageId: `m-${got.length}` };
    },
  };
}

function recordingSender(): ChatSender & { got: Delivery[] } {
  const got: Delivery[] = [];
  return {
    got,
    async send(d) {
      got.push(d);
      return { messageId: `r-${got.length}` };
    },
  };
}

const tg = (text: string): OutboxEntry => ({ address: { platform: 'telegram', kind: 'dm', conversationId: '42' }, message: { text } });

describe('the outbox lease while a row is being sent', () => {
  it('is renewed while the send lasts, so no other process takes the row, and let go when it ends', async () => {
    const leaseMs = 300;
    await store.outbox.enqueue([tg('one'), tg('two')], clock.now());
    const slow = gatedSender();
    const other = recordingSender();
    const a = new OutboxDispatcher({ store, clock, senders: { telegram: slow }, leaseMs });
    const b = new OutboxDispatcher({ store, clock, senders: { telegram: other }, leaseMs });

    const round = a.runOnce();
    const [one] = await until('the first send to start', () => slow.got.length === 1 && slow.got);
    const firstLease = (await rowOf(one!.id)).leased_until!.getTime();
    expect(a.inFlight).toBe(1);
    // Three leases later the row is still held, by renewals: the other process finds nothing due.
    await until('three leases to pass while the row stays held', async () => {
      expect(await b.runOnce()).toBe(0);
      const held = (await rowOf(one!.id)).leased_until!.getTime();
      return Date.now() > firstLease + 2 * leaseMs && held > Date.now() && held > firstLease;
    });
    expect(other.got).toEqual([]);

    slow.open();
    await round;
    expect(a.inFlight).toBe(0);
    expect(await rowOf(one!.id)).toMatchObject({ status: 'delivered', leased_until: null, attempts: 1, unknown_fate_attempts: 0 });
    // The next message of the chat goes out after it, from whichever process leases it.
    expect(await b.drain()).toBe(1);
    expect(other.got.map((d) => [d.message.text, d.unknownFate])).toEqual([['two', undefined]]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('is no longer renewed for a send hanging past maxSendMs: another process takes the row, told its fate is unknown', async () => {
    const leaseMs = 200;
    const written = clock.now();
    await store.outbox.enqueue([tg('stuck'), tg('after')], written);
    const hung = gatedSender();
    const other = recordingSender();
    const outcomes: DeliveryOutcome[] = [];
    const warnings: string[] = [];
    const log = { warn: (_: object, m?: string) => void warnings.push(m ?? ''), error() {} };
    const a = new OutboxDispatcher({ store, clock, senders: { telegram: hung }, leaseMs, maxSendMs: 400, log });
    const b = new OutboxDispatcher({
      store,
      clock,
      senders: { telegram: other },
      leaseMs,
      onResult: (_, o) => void outcomes.push(o),
      log,
    });

    const round = a.runOnce();
    await until('the send to hang', () => hung.got.length === 1);
    await until('the other process to take the row over', async () => (await b.runOnce()) > 0);
    const [resent] = other.got;
    expect(resent).toMatchObject({ id: hung.got[0]!.id, unknownFate: { since: written } });
    // Telegram cannot tell whether the hung attempt arrived: counted as a blind resend.
    expect(outcomes).toEqual(['resent_blind', 'delivered']);
    expect(await store.outbox.inFlightResends(written)).toEqual({ telegram: 1 });
    expect(await rowOf(resent!.id)).toMatchObject({ status: 'delivered', attempts: 2, unknown_fate_attempts: 1, blind_resend: true });

    // The hung send finally returns: its mark is fenced off, the row stays delivered once.
    hung.open();
    await round;
    expect(warnings).toContain('outbox lease expired during delivery: another worker took the message over');
    expect(await rowOf(resent!.id)).toMatchObject({ platform_message_id: 'r-1' });
    expect(await b.drain()).toBe(1);
    expect(other.got.map((d) => d.message.text)).toEqual(['stuck', 'after']);
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('a delivering process killed mid-send', () => {
  const LEASE_MS = 2_000;
  let slackFake: SlackFake;
  let telegramFake: TelegramFake;
  let discordFake: DiscordFake;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    [slackFake, telegramFake, discordFake] = await Promise.all([SlackFake.start(), TelegramFake.start(), DiscordFake.start()]);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([slackFake?.close(), telegramFake?.close(), discordFake?.close()]);
  });

  it('has its rows taken over within seconds: once on Discord, Slack and the web chat, at most twice on Telegram, in order', async () => {
    const discordChannel = discordFake.textChannel('generale');
    const addresses: Record<Platform, Address> = {
      slack: { platform: 'slack', kind: 'channel', conversationId: 'C_GENERALE' },
      telegram: { platform: 'telegram', kind: 'dm', conversationId: '1001' },
      discord: { platform: 'discord', kind: 'channel', conversationId: discordChannel },
      web: { platform: 'web', kind: 'channel', conversationId: 'lobby' },
    };
    const platforms = Object.keys(addresses) as Platform[];
    const written = clock.now();
    // Two messages per chat: the first is in flight when the process dies, the second waits behind it.
    await store.outbox.enqueue(
      platforms.flatMap((p) => [
        { address: addresses[p], message: { text: `${p} uno` } },
        { address: addresses[p], message: { text: `${p} due` } },
      ]),
      written,
    );

    let out = '';
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'outbox-sender-process.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: tdb.url,
        LEASE_MS: String(LEASE_MS),
        SLACK_API_URL: slackFake.apiUrl,
        SLACK_BOT_TOKEN: slackFake.token,
        TELEGRAM_API_ROOT: telegramFake.apiRoot,
        TELEGRAM_BOT_TOKEN: telegramFake.token,
        DISCORD_API_URL: discordFake.apiUrl,
      },
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => child!.once('exit', resolve));

    // Every platform has the first message; the process will never mark it.
    await until('the child to send the first message of each chat', () => platforms.every((p) => out.includes(`SENT ${p} `))).catch(
      (err: Error) => {
        throw new Error(`${err.message}; its output:\n${out}`);
      },
    );
    const before = await rowsByText();
    const firstLeases = new Map(platforms.map((p) => [p, before.get(`${p} uno`)!.leased_until!.getTime()]));
    // Its heartbeat renews the leases while it lives; meanwhile nobody else may send them.
    const parentSenders: Record<Platform, ChatSender> = {
      slack: createSlackSender({ botToken: slackFake.token, apiUrl: slackFake.apiUrl }, { store }),
      telegram: createTelegramSender({ token: telegramFake.token, apiRoot: telegramFake.apiRoot }, { store, log: quiet }),
      discord: createDiscordSender({ botToken: 'fake-bot-token', apiUrl: discordFake.apiUrl }, { store, log: quiet }),
      web: new WebSender(new WebMessageRepository(tdb.db), new WebHub()),
    };
    const outcomes: [Platform, DeliveryOutcome][] = [];
    const survivor = new OutboxDispatcher({
      store,
      clock,
      senders: parentSenders,
      leaseMs: LEASE_MS,
      onResult: (p, o) => void outcomes.push([p, o]),
    });
    await until('the dead-to-be process to renew its leases', async () => {
      expect(await survivor.runOnce()).toBe(0);
      const rows = await rowsByText();
      return platforms.every((p) => rows.get(`${p} uno`)!.leased_until!.getTime() > firstLeases.get(p)!);
    });

    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    survivor.start(50);
    const delivered = await until('every message to be delivered', async () => {
      const rows = await rowsByText();
      return [...rows.values()].every((r) => r.status === 'delivered') && rows;
    });
    const tookOver = Date.now() - killedAt;
    await survivor.stop();
    // Within about one lease of the death (it was two minutes before the heartbeat).
    expect(tookOver).toBeLessThan(LEASE_MS + 5_000);
    for (const p of platforms) {
      expect(delivered.get(`${p} uno`)).toMatchObject({ attempts: 2, unknown_fate_attempts: 1, blind_resend: p === 'telegram' });
      expect(delivered.get(`${p} due`)).toMatchObject({ attempts: 1, unknown_fate_attempts: 0, blind_resend: false });
      expect(delivered.get(`${p} due`)!.delivered_at!.getTime()).toBeGreaterThanOrEqual(delivered.get(`${p} uno`)!.delivered_at!.getTime());
    }

    // Discord: the resend carried the same nonce with enforce_nonce, and got the first message back.
    const discordTexts = discordFake.posted(discordChannel).map((m) => m.content);
    expect(discordTexts).toEqual(['discord uno', 'discord due']);
    expect(discordFake.callsTo('POST', /\/channels\/\d+\/messages$/)).toHaveLength(3);
    expect(delivered.get('discord uno')!.platform_message_id).toBe(discordFake.posted(discordChannel)[0]!.id);

    // Slack: the message was found in the history by its metadata and adopted, not posted again.
    expect(slackFake.posts('C_GENERALE').map((a) => a.text)).toEqual(['slack uno', 'slack due']);
    expect(slackFake.ok('conversations.history', (a) => a.channel === 'C_GENERALE')).toHaveLength(1);
    expect(slackFake.posts('C_GENERALE')[0]!.metadata).toEqual({
      event_type: 'sportello_outbox',
      event_payload: { row: delivered.get('slack uno')!.id },
    });
    expect(delivered.get('slack uno')!.platform_message_id).toBe(slackFake.posts('C_GENERALE')[0]!.ts);

    // The web chat: the row is one message in the history.
    const web = await new WebMessageRepository(tdb.db).list('lobby', 10);
    expect(web.map((m) => m.message.text)).toEqual(['web uno', 'web due']);
    expect(delivered.get('web uno')!.platform_message_id).toBe(web[0]!.id);

    // Telegram: no way to ask, so the message went again (one extra at most), counted as in flight.
    const telegramTexts = telegramFake.sentTo('1001').map((c) => c.payload.text);
    expect(telegramTexts).toEqual(['telegram uno', 'telegram uno', 'telegram due']);
    expect(await store.outbox.inFlightResends(written)).toEqual({ telegram: 1 });
    expect(outcomes.filter(([, o]) => o === 'resent_blind')).toEqual([['telegram', 'resent_blind']]);
  });
});

describe('Slack: a row of unknown fate is looked up before it is posted again', () => {
  let fake: SlackFake;
  beforeAll(async () => {
    fake = await SlackFake.start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  const since = new Date(Date.now() - 60_000);
  const delivery = (id: string, extra: Partial<Delivery> = {}): Delivery => ({
    id,
    address: { platform: 'slack', kind: 'channel', conversationId: 'C_THREADS' },
    message: { text: `messaggio ${id}` },
    ...extra,
  });

  it('finds a reply in its thread by the metadata, and posts one that never arrived', async () => {
    const sender = createSlackSender({ botToken: fake.token, apiUrl: fake.apiUrl }, { store });
    const card = await sender.send(delivery('card'));
    const inThread = { threadMessageId: card.messageId! };
    const first = await sender.send(delivery('reply', inThread));
    // The same row again, its fate unknown: found among the thread's replies, not posted twice.
    const again = await sender.send(delivery('reply', { ...inThread, unknownFate: { since } }));
    expect(again).toEqual({ messageId: first.messageId, deduplicated: true });
    expect(fake.ok('conversations.replies', (a) => a.ts === card.messageId)).toMatchObject([
      { oldest: String(since.getTime() / 1000 - 60) },
    ]);
    // A row whose earlier attempt did not arrive is posted after the lookup.
    const lost = await sender.send(delivery('lost', { ...inThread, unknownFate: { since } }));
    expect(lost.deduplicated).toBe(true);
    expect(fake.posts('C_THREADS').map((a) => a.text)).toEqual(['messaggio card', 'messaggio reply', 'messaggio lost']);
  });

  it('looks up a post whose answer never came (the connection cut after Slack took it) instead of posting it twice', async () => {
    const sender = createSlackSender({ botToken: fake.token, apiUrl: fake.apiUrl }, { store });
    await store.outbox.enqueue(
      [{ address: { platform: 'slack', kind: 'channel', conversationId: 'C_CUT' }, message: { text: 'tagliato' } }],
      new Date(),
    );
    const row = (await rowsByText()).get('tagliato');
    const outcomes: DeliveryOutcome[] = [];
    const dispatcher = new OutboxDispatcher({
      store,
      clock,
      senders: { slack: sender },
      backoffMs: () => 0,
      unknownFateRetryMs: 0,
      onResult: (_p, o) => void outcomes.push(o),
    });
    fake.cutAnswerOfNext('chat.postMessage');
    await dispatcher.runOnce();
    expect(await rowOf(row!.id)).toMatchObject({ status: 'pending', unknown_fate_attempts: 1 });
    await until('the retry to be delivered', async () => (await dispatcher.runOnce(), (await rowOf(row!.id)).status === 'delivered'));
    expect(fake.posts('C_CUT').map((a) => a.text)).toEqual(['tagliato']);
    expect(fake.ok('conversations.history', (a) => a.channel === 'C_CUT')).toHaveLength(1);
    expect(await rowOf(row!.id)).toMatchObject({ attempts: 2, blind_resend: false, platform_message_id: fake.posts('C_CUT')[0]!.ts });
    expect(outcomes).toEqual(['retry', 'delivered']);
  });

  it('posts blind, and says so, when the history cannot be read', async () => {
    const sender = createSlackSender({ botToken: fake.token, apiUrl: fake.apiUrl }, { store });
    fake.failNext('conversations.history', [{ status: 200, body: { ok: false, error: 'missing_scope' } }]);
    const sent = await sender.send(delivery('blind', { unknownFate: { since } }));
    expect(sent.messageId).toBeTruthy();
    expect(sent.deduplicated).toBeUndefined();
    // A transient refusal of the lookup is a retry, not a blind post.
    fake.failNext('conversations.history', [{ status: 200, body: { ok: false, error: 'internal_error' } }]);
    const refused = await sender.send(delivery('later', { unknownFate: { since } })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).options.permanent).toBeUndefined();
    expect(fake.posts('C_THREADS').filter((a) => a.text === 'messaggio later')).toEqual([]);
  });
});

describe("Discord: a resend is deduplicated only within the nonce's window", () => {
  let fake: DiscordFake;
  beforeAll(async () => {
    fake = await DiscordFake.start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('vouches for a resend of a recent row or one Discord answers with the earlier message; counts a new post for an older row as blind', async () => {
    const sender = createDiscordSender({ botToken: 'fake-bot-token', apiUrl: fake.apiUrl }, { store, log: quiet });
    const channel = fake.textChannel('nonce');
    const delivery = (id: string, writtenMsAgo: number): Delivery => ({
      id,
      address: { platform: 'discord', kind: 'channel', conversationId: channel },
      message: { text: `messaggio ${id}` },
      unknownFate: { since: new Date(Date.now() - writtenMsAgo) },
    });
    const first = await sender.send({ ...delivery('recent', 0), unknownFate: undefined });
    // The same row again a minute after it was written: Discord returns the first message.
    const again = await sender.send(delivery('recent', 60_000));
    expect(again).toEqual({ messageId: first.messageId, deduplicated: true });
    // Written ten minutes ago and posted now: an earlier attempt may have posted outside the
    // nonce's window, so the post is not vouched for.
    const late = await sender.send(delivery('late', 10 * 60_000));
    expect(late.messageId).toBeTruthy();
    expect(late.deduplicated).toBeUndefined();
    // Written ten minutes ago, its first attempt posted 90 s ago: Discord returns that message.
    const earlier = fake.posted(channel).find((m) => m.content === 'messaggio recent')!;
    const ninetySecondsAgo = new Date(Date.now() - 90_000).toISOString();
    fake.messages.set('1', { ...earlier, id: '1', content: 'messaggio queued', nonce: nonceOf('queued'), timestamp: ninetySecondsAgo });
    const queued = await sender.send(delivery('queued', 10 * 60_000));
    expect(queued).toEqual({ messageId: '1', deduplicated: true });
    expect(fake.posted(channel).map((m) => m.content)).toEqual(['messaggio recent', 'messaggio late', 'messaggio queued']);
  });
});
