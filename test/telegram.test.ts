/**
 * The Telegram adapter end to end: real Telegraf against the fake Bot API on 127.0.0.1, a real
 * core on a fresh PostgreSQL database (test/stack.ts), the outbox delivering through the
 * adapter's sender.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInline, encodeInline } from '../bots/telegram/callback-data.ts';
import { startTelegramAdapter, TELEGRAM_WEBHOOK_PATH, type TelegramAdapter } from '../bots/telegram/telegram-adapter.ts';
import type { Inbound } from '../core/kernel/message.ts';
import { type FakeCall, TelegramFake } from './fakes/telegram-fake.ts';
import { createStack, type Stack } from './stack.ts';
import { WAIT_MS } from './wait.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const SECRET = 'webhook-secret-0123456789';
const VOLUNTEERS = -1001000000001;
const FORUM = -1001000000002;
const TOPIC = 77;

interface TgUser {
  id: number;
  is_bot: false;
  first_name: string;
  last_name?: string;
  language_code: string;
}
const user = (id: number, first: string, last?: string): TgUser => ({
  id,
  is_bot: false,
  first_name: first,
  ...(last ? { last_name: last } : {}),
  language_code: 'it',
});
const ANNA = user(1001, 'Anna', 'Bianchi');
const VERA = user(2002, 'Vera', 'Volontaria');
const MARCO = user(3003, 'Marco', 'Moderatore');
const LUCA = user(4004, 'Luca', 'Lontano');

let stack: Stack;
let messageIds = 50_000;
const now = () => Math.floor(Date.now() / 1000);

function commandEntities(text: string) {
  return text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] } : {};
}
const dm = (from: TgUser, text: string) => ({
  message: {
    message_id: messageIds++,
    date: now(),
    chat: { id: from.id, type: 'private', first_name: from.first_name },
    from,
    text,
    ...commandEntities(text),
  },
});
const inGroup = (chatId: number, from: TgUser, text: string, extra: Record<string, unknown> = {}) => ({
  message: {
    message_id: messageIds++,
    date: now(),
    chat: { id: chatId, type: 'supergroup', title: 'Volontari' },
    from,
    text,
    ...commandEntities(text),
    ...extra,
  },
});
let queryIds = 1;
const click = (from: TgUser, message: FakeCall, data: string) => {
  const sent = message.result as { message_id: number; chat: object; text: string; message_thread_id?: number };
  return { callback_query: { id: `cq${queryIds++}`, from, chat_instance: 'ci', data, message: { ...sent, date: now() } } };
};

/** The callback_data of the message's button for `actionId` (and `value`, if given). */
function buttonData(m: FakeCall, actionId: string, value?: string): string {
  const rows = (m.payload.reply_markup as { inline_keyboard: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? [];
  const hit = rows.flat().find((b) => {
    const a = decodeInline(b.callback_data);
    return a?.id === actionId && (value === undefined || a.value === value);
  });
  if (!hit) throw new Error(`no ${actionId} button in ${JSON.stringify(m.payload)}`);
  return hit.callback_data;
}

/** Whether the message has a button (or select option) for `actionId`. */
function hasButton(m: FakeCall, actionId: string): boolean {
  const rows = (m.payload.reply_markup as { inline_keyboard: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat().some((b) => decodeInline(b.callback_data)?.id === actionId);
}

type Deliver = (update: Record<string, unknown>) => Promise<number>;

interface Bench {
  fake: TelegramFake;
  adapter: TelegramAdapter;
  deliver: Deliver;
  /** Runs `act` and returns the next message the bot sends to `chatId`. */
  reply(chatId: number, act: () => Promise<unknown>): Promise<FakeCall>;
  press(who: TgUser, m: FakeCall, actionId: string, value?: string, replyTo?: number): Promise<FakeCall>;
  openTicket(who: TgUser, first: string, title: string): Promise<{ ref: string; card: FakeCall }>;
}

function driver(fake: TelegramFake, adapter: TelegramAdapter, deliver: Deliver): Bench {
  const b: Bench = {
    fake,
    adapter,
    deliver,
    async reply(chatId, act) {
      const before = fake.sentTo(chatId).length;
      await act();
      return fake.waitFor(() => fake.sentTo(chatId)[before], WAIT_MS, `a message to ${chatId}`);
    },
    press: (who, m, actionId, value, replyTo = who.id) => b.reply(replyTo, () => deliver(click(who, m, buttonData(m, actionId, value)))),
    async openTicket(who, first, title) {
      // Answers only what the shorter intake still asks after reading the first message; a
      // title the first message already gave is put right through the summary's "Correggi".
      let m = await b.reply(who.id, () => deliver(dm(who, first)));
      for (let asked = 0; asked < 8 && !hasButton(m, 'intake.confirm'); asked++) {
        if (hasButton(m, 'intake.kind')) m = await b.press(who, m, 'intake.kind', 'incident');
        else if (hasButton(m, 'intake.impact')) m = await b.press(who, m, 'intake.impact', '2');
        else if (hasButton(m, 'intake.urgency')) m = await b.press(who, m, 'intake.urgency', '1');
        else if (hasButton(m, 'intake.keep')) m = await b.press(who, m, 'intake.keep');
        else if (hasButton(m, 'intake.skip')) m = await b.press(who, m, 'intake.skip');
        else m = await b.reply(who.id, () => deliver(dm(who, title)));
      }
      if (!String(m.payload.text).includes(`Titolo</b>: ${title}`)) {
        await b.press(who, m, 'intake.edit', 'title');
        m = await b.reply(who.id, () => deliver(dm(who, title)));
      }
      const cards = fake.sentTo(VOLUNTEERS).length;
      m = await b.press(who, m, 'intake.confirm');
      const ref = /INC-\d{6}/.exec(String(m.payload.text))?.[0];
      if (!ref) throw new Error(`no ticket created: ${String(m.payload.text)}`);
      const card = await fake.waitFor(
        () =>
          fake
            .sentTo(VOLUNTEERS)
            .slice(cards)
            .find((c) => String(c.payload.text).includes(ref)),
        WAIT_MS,
        'the card',
      );
      return { ref, card };
    },
  };
  return b;
}

async function pollingBench(engine?: Pick<typeof stack.engine, 'handle'>, fake?: TelegramFake): Promise<Bench> {
  const f = fake ?? (await TelegramFake.start());
  const adapter = await startTelegramAdapter(
    { token: f.token, apiRoot: f.apiRoot },
    { engine: engine ?? stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('telegram', adapter.sender);
  return driver(f, adapter, async (u) => f.push(u));
}

/** The adapter in webhook mode, its route mounted on a node:http server like the app's. */
async function webhookBench(engine?: Pick<typeof stack.engine, 'handle'>): Promise<
  Bench & {
    post(update: object, secret?: string): Promise<number>;
    answer(update: object, secret: string): Promise<{ status: number; body: unknown }>;
    close(): Promise<void>;
  }
> {
  const fake = await TelegramFake.start();
  const adapter = await startTelegramAdapter(
    { token: fake.token, apiRoot: fake.apiRoot, webhookSecret: SECRET, publicUrl: 'https://sportello.example.org/' },
    { engine: engine ?? stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('telegram', adapter.sender);
  const server = http.createServer((req, res) => {
    const route = adapter.routes.find((r) => r.method === req.method && r.path === req.url);
    if (route) void route.handle(req, res, null);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TELEGRAM_WEBHOOK_PATH}`;
  let updateIds = 9000;
  const answer = async (update: object, secret?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const post = async (update: object, secret?: string) => (await answer(update, secret)).status;
  const deliver: Deliver = async (u) => {
    const update_id = updateIds++;
    const status = await post({ update_id, ...u }, SECRET);
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    return update_id;
  };
  return {
    ...driver(fake, adapter, deliver),
    post,
    answer,
    async close() {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    },
  };
}

const count = async (table: 'inbound_deliveries' | 'people' | 'tickets'): Promise<number> =>
  Number(
    (
      await stack.tdb.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  stack = await createStack();
  const org = await stack.org('Associazione Il Girasole ODV', '97000000001');
  await stack.person({ platform: 'telegram', externalId: String(ANNA.id), name: 'Anna Bianchi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'telegram', externalId: String(VERA.id), name: 'Vera Volontaria', roles: ['volunteer'] });
  await stack.person({ platform: 'telegram', externalId: String(MARCO.id), name: 'Marco Moderatore', roles: ['moderator'] });
  await stack.person({ platform: 'telegram', externalId: String(LUCA.id), name: 'Luca Lontano', roles: ['requester'], orgId: org });
  await stack.bind('volunteers', 'telegram', String(VOLUNTEERS));
});
afterAll(() => stack?.close());

describe('long polling', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await pollingBench();
  });
  afterAll(async () => {
    await b.adapter.stop();
    await b.fake.close();
  });

  it('registers the command menus in Italian (default and it) and English, and drops any webhook', async () => {
    const menus = b.fake.callsOf('setMyCommands').map((c) => c.payload as { language_code?: string; commands: { command: string }[] });
    expect(menus.map((m) => m.language_code ?? 'default')).toEqual(['default', 'it', 'en']);
    expect(menus[0]!.commands.map((c) => c.command)).toContain('aiuto');
    expect(menus[1]!.commands.map((c) => c.command)).toEqual(menus[0]!.commands.map((c) => c.command));
    expect(menus[2]!.commands.map((c) => c.command)).toEqual(expect.arrayContaining(['help', 'claim', 'status']));
    await b.fake.waitFor(() => b.fake.callsOf('deleteWebhook').length === 1, WAIT_MS, 'deleteWebhook');
  });

  it('intake in a private chat opens a ticket; Claim on the group card edits it in place and tells the requester', async () => {
    const answeredBefore = b.fake.callsOf('answerCallbackQuery').length;
    const { ref, card } = await b.openTicket(ANNA, 'La stampante non stampa più', 'Stampante ferma');
    expect(String(card.payload.text)).toContain(`<b>${ref} · Stampante ferma</b>`);
    expect(String(card.payload.text)).toContain('<b>Priorità</b>: P2');
    const cardId = (card.result as { message_id: number }).message_id;

    const edits = b.fake.callsOf('editMessageText').length;
    const told = await b.press(VERA, card, 'ticket.claim', ref, ANNA.id);
    expect(String(told.payload.text)).toBe(`Vera Volontaria ha preso in carico il tuo ticket ${ref}.`);
    const edit = await b.fake.waitFor(
      () =>
        b.fake
          .callsOf('editMessageText')
          .slice(edits)
          .find((c) => c.status === 200),
      WAIT_MS,
      'the card edit',
    );
    expect(edit.payload).toMatchObject({ chat_id: String(VOLUNTEERS), message_id: cardId, parse_mode: 'HTML' });
    expect(String(edit.payload.text)).toContain('Vera Volontaria');
    const keyboard = JSON.stringify(edit.payload.reply_markup);
    expect(keyboard).not.toContain(`c|${ref}`);
    expect(keyboard).toContain(`d|${ref}`);
    // Five button presses (the shorter intake asks only impact and urgency; then Correggi the
    // title, Conferma, Prendo io), five answers.
    await b.fake.waitFor(() => b.fake.callsOf('answerCallbackQuery').length - answeredBefore === 5, WAIT_MS, 'every callback answered');
    expect((await stack.store.tickets.findByRef(ref))?.status).toBe('assigned');
  });
});

/** An engine that fails (as if the database were down) the first time it sees each of `ids`. */
function flaky(failOnce: Set<string>) {
  const calls: { deliveryId: string; at: number; ok: boolean }[] = [];
  return {
    calls,
    async handle(inbound: Inbound) {
      if (failOnce.delete(inbound.deliveryId)) {
        calls.push({ deliveryId: inbound.deliveryId, at: performance.now(), ok: false });
        throw new Error('connection terminated');
      }
      const r = await stack.engine.handle(inbound);
      calls.push({ deliveryId: inbound.deliveryId, at: performance.now(), ok: true });
      return r;
    },
  };
}

describe('failures while handling', () => {
  it('polling: a failed update is retried, and its offset acknowledged only after it was handled', async () => {
    const fake = await TelegramFake.start();
    const who = user(6116, 'Rita');
    const failing = new Set<string>();
    const engine = flaky(failing);
    const b = await pollingBench(engine, fake);
    const id = fake.push(dm(who, '/aiuto'));
    failing.add(`tg:${fake.bot.id}:${id}`);
    await fake.waitFor(() => fake.sentTo(who.id).length === 1, WAIT_MS, 'the help after the retry');
    expect(engine.calls.map((c) => c.ok)).toEqual([false, true]);
    const handledAt = engine.calls[1]!.at;
    const acked = await fake.waitFor(
      () => fake.callsOf('getUpdates').find((c) => Number(c.payload.offset) > id),
      WAIT_MS,
      'the acknowledgement',
    );
    expect(acked.at).toBeGreaterThan(handledAt);
    await b.adapter.stop();
    await fake.close();
  });

  it('webhook: a failed update is answered 500, so Telegram redelivers it, and handled once', async () => {
    const failing = new Set<string>();
    const engine = flaky(failing);
    const w = await webhookBench(engine);
    try {
      const who = user(6226, 'Ugo');
      const update = { update_id: 7777, ...dm(who, '/aiuto') };
      failing.add(`tg:${w.fake.bot.id}:7777`);
      expect(await w.post(update, SECRET)).toBe(500);
      expect(await w.post(update, SECRET)).toBe(200);
      expect(await w.post(update, SECRET)).toBe(200);
      await stack.settle();
      expect(w.fake.sentTo(who.id)).toHaveLength(1);
    } finally {
      await w.close();
    }
  });
});

describe('button presses in webhook mode', () => {
  it('a handled press is answered in the webhook answer, without a Bot API call; a failed one by the Bot API, then 500', async () => {
    const failing = new Set<string>();
    const engine = flaky(failing);
    const w = await webhookBench(engine);
    try {
      const who = user(6336, 'Pia');
      const data = encodeInline('intake.kind', 'incident')!;
      const press = {
        id: 'q-press',
        from: who,
        chat_instance: 'ci',
        data,
        message: { message_id: 1, date: now(), chat: { id: who.id, type: 'private' } },
      };
      const update = { update_id: 7788, callback_query: press };
      const answered = () => w.fake.callsOf('answerCallbackQuery').filter((c) => c.payload.callback_query_id === press.id).length;
      failing.add(`tg:${w.fake.bot.id}:7788`);
      expect((await w.answer(update, SECRET)).status).toBe(500);
      expect(answered()).toBe(1);
      // Telegram delivers it again: handled (the 200 comes after the engine), answered in the 200 only.
      expect(await w.answer(update, SECRET)).toEqual({ status: 200, body: { method: 'answerCallbackQuery', callback_query_id: press.id } });
      expect(engine.calls.map((c) => c.ok)).toEqual([false, true]);
      expect(answered()).toBe(1);
    } finally {
      await w.close();
    }
  });
});

describe('restarts in polling mode', () => {
  it('a crash mid-update replays it to the next process, the dedupe absorbs it; a clean stop acknowledges', async () => {
    const fake = await TelegramFake.start();
    const newcomer = user(6006, 'Nina');
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    let crashAfter: string | undefined;
    // Process A commits the update, then "crashes" before Telegraf can acknowledge it.
    const crashing = {
      async handle(inbound: Inbound) {
        const r = await stack.engine.handle(inbound);
        if (inbound.deliveryId === crashAfter) await hung;
        return r;
      },
    };
    const a = await pollingBench(crashing, fake);
    const first = fake.push(dm(newcomer, '/aiuto'));
    crashAfter = `tg:${fake.bot.id}:${first}`;
    await fake.waitFor(() => fake.sentTo(newcomer.id).length === 1, WAIT_MS, 'the first help');
    const stoppingA = a.adapter.stop();

    const b = await pollingBench(undefined, fake);
    const servedFirst = () =>
      fake.callsOf('getUpdates').filter((c) => (c.result as { update_id: number }[] | undefined)?.some((u) => u.update_id === first));
    await fake.waitFor(() => servedFirst().length === 2, WAIT_MS, 'the update served again');
    fake.push(dm(newcomer, '/aiuto'));
    await fake.waitFor(() => fake.sentTo(newcomer.id).length === 2, WAIT_MS, 'the second help');
    release();
    await stoppingA;
    await b.adapter.stop();
    await stack.settle();
    expect(fake.sentTo(newcomer.id)).toHaveLength(2);

    // B stopped cleanly: its offset was confirmed, so C is not handed anything old.
    const polls = fake.callsOf('getUpdates').length;
    const c = await pollingBench(undefined, fake);
    await fake.waitFor(
      () =>
        fake
          .callsOf('getUpdates')
          .slice(polls)
          .some((x) => x.result !== undefined),
      WAIT_MS,
      "C's first poll",
    );
    expect(
      fake
        .callsOf('getUpdates')
        .slice(polls)
        .flatMap((x) => (x.result as unknown[] | undefined) ?? []),
    ).toEqual([]);
    const third = fake.push(dm(newcomer, '/aiuto'));
    await fake.waitFor(() => fake.sentTo(newcomer.id).length === 3, WAIT_MS, 'the third help');
    await c.adapter.stop();
    expect(third).toBe(first + 2);
    await fake.close();
  });
});

describe('webhook mode', () => {
  let w: Awaited<ReturnType<typeof webhookBench>>;
  beforeAll(async () => {
    w = await webhookBench();
  });
  afterAll(() => w.close());

  it('registers the webhook with its secret at the public URL', () => {
    expect(w.fake.callsOf('setWebhook').map((c) => c.payload)).toEqual([
      {
        url: `https://sportello.example.org${TELEGRAM_WEBHOOK_PATH}`,
        secret_token: SECRET,
        allowed_updates: ['message', 'callback_query'],
      },
    ]);
    expect(w.fake.callsOf('deleteWebhook')).toHaveLength(0);
  });

  it('refuses a missing or wrong secret and stores nothing; accepts the right one', async () => {
    const stranger = user(7007, 'Ospite');
    const [deliveries, people] = [await count('inbound_deliveries'), await count('people')];
    expect(await w.post({ update_id: 1, ...dm(stranger, '/aiuto') })).toBe(401);
    expect(await w.post({ update_id: 2, ...dm(stranger, '/aiuto') }, 'not-the-secret')).toBe(403);
    expect(await w.post({ update_id: 3, ...dm(stranger, '/aiuto') }, `${SECRET}x`)).toBe(403);
    expect([await count('inbound_deliveries'), await count('people')]).toEqual([deliveries, people]);
    await stack.settle();
    expect(w.fake.sentTo(stranger.id)).toHaveLength(0);

    const help = await w.reply(stranger.id, () => w.post({ update_id: 4, ...dm(stranger, '/aiuto') }, SECRET));
    expect(String(help.payload.text)).toContain('/');
    expect(await count('inbound_deliveries')).toBe(deliveries + 1);
  });

  it('the same update delivered twice has one effect', async () => {
    const twice = user(8008, 'Doppio');
    const update = { update_id: 4242, ...dm(twice, '/aiuto') };
    expect(await w.post(update, SECRET)).toBe(200);
    expect(await w.post(update, SECRET)).toBe(200);
    await Promise.all([w.post(update, SECRET), w.post(update, SECRET)]);
    await stack.settle();
    expect(w.fake.sentTo(twice.id)).toHaveLength(1);
  });

  it('poison updates are acknowledged, never 500 for ever: a NUL name and text cleaned, a chatless message answered, a senderless press dropped', async () => {
    const odd = user(9119, 'Ni\u0000ko');
    const cleaned = await w.reply(odd.id, () => w.post({ update_id: 9119, ...dm(odd, '/aiuto\u0000') }, SECRET));
    expect(String(cleaned.payload.text)).toContain('/');
    const person = await stack.tdb.db.selectFrom('people').select('display_name').where('display_name', 'like', 'Ni%ko').executeTakeFirst();
    expect(person?.display_name).toBe('Ni\ufffdko');

    const lost = user(9229, 'Senza', 'Chat');
    const { chat: _chat, ...chatless } = dm(lost, '/aiuto').message;
    const answered = await w.reply(lost.id, () => w.post({ update_id: 9229, message: chatless }, SECRET));
    expect(String(answered.payload.text)).toContain('/');

    expect(
      await w.answer(
        { update_id: 9339, callback_query: { id: 'q-poison', data: 'x', message: { message_id: 1, chat: { id: 1, type: 'private' } } } },
        SECRET,
      ),
    ).toEqual({ status: 200, body: { method: 'answerCallbackQuery', callback_query_id: 'q-poison' } });
  });

  it('a 429 with retry_after is delivered once, after the wait', async () => {
    const patient = user(9009, 'Paziente');
    w.fake.failNext(
      'sendMessage',
      { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
      String(patient.id),
    );
    await w.deliver(dm(patient, '/aiuto'));
    const ok = await w.fake.waitFor(() => w.fake.sentTo(patient.id)[0], WAIT_MS, 'the retried message');
    const attempts = w.fake.callsOf('sendMessage').filter((c) => String(c.payload.chat_id) === String(patient.id));
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(ok.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    await stack.settle();
    expect(w.fake.sentTo(patient.id)).toHaveLength(1);
  });

  it('user text with HTML, ampersands and mentions reaches Telegram escaped, shown literally', async () => {
    const nasty = '<b>x</b> & <a href="tg://user?id=2002">Vera</a> @vera_v 1 < 2 > 0';
    const { card } = await w.openTicket(ANNA, nasty, 'Titolo <i>corsivo</i> & co');
    const html = String(card.payload.text);
    expect(card.payload.parse_mode).toBe('HTML');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href="tg://user?id=2002"&gt;Vera&lt;/a&gt; @\u200bvera_v 1 &lt; 2 &gt; 0');
    expect(html).toContain('Titolo &lt;i&gt;corsivo&lt;/i&gt; &amp; co</b>');
    // The only markup left is ours: bold title and labels.
    expect(html.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
  });

  it('groups: chatter and other bots are ignored; a topic is bound by command; replies to a card are notes on its ticket', async () => {
    const deliveries = await count('inbound_deliveries');
    await w.deliver(inGroup(FORUM, VERA, 'ciao a tutti, qualcuno ha visto la stampante?'));
    await w.deliver(inGroup(FORUM, VERA, '/aiuto@altro_bot'));
    expect(await count('inbound_deliveries')).toBe(deliveries);

    const topicRoot = {
      message_id: TOPIC,
      date: now(),
      chat: { id: FORUM, type: 'supergroup' },
      from: MARCO,
      forum_topic_created: { name: 'Coda', icon_color: 0 },
    };
    const inTopic = { is_topic_message: true, message_thread_id: TOPIC, reply_to_message: topicRoot };
    const bound = await w.reply(FORUM, () => w.deliver(inGroup(FORUM, MARCO, '/canale@sportello_bot volontari', inTopic)));
    expect(bound.payload).toMatchObject({ message_thread_id: TOPIC, text: 'Questo canale è ora il canale volontari di Sportello.' });
    expect((await stack.store.channels.list('volunteers')).find((c) => c.conversationId === String(FORUM))?.threadId).toBe(String(TOPIC));

    const before = w.fake.sentTo(FORUM).length;
    const { ref } = await w.openTicket(ANNA, 'Il NAS non risponde', 'NAS giù');
    const card = await w.fake.waitFor(
      () =>
        w.fake
          .sentTo(FORUM)
          .slice(before)
          .find((c) => String(c.payload.text).includes(ref)),
      WAIT_MS,
      'the topic card',
    );
    expect(card.payload.message_thread_id).toBe(TOPIC);
    const cardMessage = card.result as { message_id: number };

    await stack.settle(); // the card's message id is on record
    // Vera answers the card in the topic: an internal note, confirmed to her privately.
    const replyToCard = {
      is_topic_message: true,
      message_thread_id: TOPIC,
      reply_to_message: { ...cardMessage, date: now(), from: w.fake.bot },
    };
    const ok = await w.reply(VERA.id, () => w.deliver(inGroup(FORUM, VERA, 'Passo io domani mattina', replyToCard)));
    expect(String(ok.payload.text)).toBe(`Commento aggiunto a ${ref}.`);
    const ticket = await stack.store.tickets.findByRef(ref);
    expect((await stack.store.tickets.listComments(ticket!.id)).map((c) => [c.body, c.internal])).toEqual([
      ['Passo io domani mattina', true],
    ]);

    // The requester's comment goes under the card, inside the topic.
    const under = await w.reply(FORUM, () => w.deliver(dm(ANNA, `/commenta ${ref} Si è spento anche il router`)));
    expect(under.payload).toMatchObject({
      message_thread_id: TOPIC,
      reply_parameters: { message_id: cardMessage.message_id, allow_sending_without_reply: true },
    });
    expect(String(under.payload.text)).toContain('Si è spento anche il router');
  });

  it('an "ephemeral" answer goes privately, or into the group when the user never started the bot', async () => {
    const { card, ref } = await w.openTicket(ANNA, 'Il proiettore non si accende', 'Proiettore');
    const refusal = 'Solo i volontari certificati possono prendere in carico i ticket.';
    const privately = await w.press(MARCO, card, 'ticket.claim', ref, MARCO.id);
    expect(privately.payload.text).toBe(refusal);

    w.fake.unreachable.add(String(LUCA.id));
    const groupBefore = w.fake.sentTo(VOLUNTEERS).length;
    await w.deliver(click(LUCA, card, buttonData(card, 'ticket.claim')));
    const inGroupReply = await w.fake.waitFor(
      () =>
        w.fake
          .sentTo(VOLUNTEERS)
          .slice(groupBefore)
          .find((c) => c.payload.text === refusal),
      WAIT_MS,
      'the group fallback',
    );
    expect(JSON.stringify(inGroupReply.payload)).not.toContain('tg://user');
    expect(
      w.fake
        .callsOf('sendMessage')
        .filter((c) => String(c.payload.chat_id) === String(LUCA.id))
        .map((c) => c.status),
    ).toEqual([403]);
    expect((await stack.store.tickets.findByRef(ref))?.assigneeId).toBeNull();
  });
});
