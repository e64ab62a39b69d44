/**
 * The Telegram adapter's pure parts, without network or database: HTML rendering and
 * escaping, callback data, reading updates, error mapping and the command menu (the webhook's
 * secret check and per-chat ordering are the kit's: bots/kit/).
 */
import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../core/features.ts';
import type { OutMessage } from '../../core/kernel/message.ts';
import { type Action, CALLBACK_DATA_MAX_BYTES, CallbackCodec, decodeInline, encodeInline } from './callback-data.ts';
import { commandMenus } from './telegram-commands.ts';
import { isNotModified, isUnreachableChat, toDeliveryError } from './telegram-errors.ts';
import { escapeHtml, layoutRows, renderHtml, renderMessage, TELEGRAM_TEXT_MAX } from './telegram-html.ts';
import { chatKeyOf, readUpdate, type TgCallbackQuery, type TgMessage, type UpdateLookups } from './telegram-update.ts';

const memoryTokens = () => {
  const saved = new Map<string, Action>();
  return { saved, store: { save: async (t: string, a: Action) => void saved.set(t, a), load: async (t: string) => saved.get(t) } };
};
const inline = async (a: string, v: string) => encodeInline(a, v)!;

describe('HTML rendering', () => {
  it('escapes &, < and > in every string and keeps line breaks', () => {
    const m: OutMessage = {
      title: 'INC-000001 · <script>&',
      text: 'riga 1 <b>x</b>\nriga 2 & <a href="tg://user?id=1">y</a> @tutti',
      fields: [{ label: 'Org <i>', value: 'A & B > C' }],
    };
    expect(renderHtml(m)).toBe(
      '<b>INC-000001 · &lt;script&gt;&amp;</b>\n' +
        'riga 1 &lt;b&gt;x&lt;/b&gt;\nriga 2 &amp; &lt;a href="tg://user?id=1"&gt;y&lt;/a&gt; @\u200btutti\n\n' +
        '<b>Org &lt;i&gt;</b>: A &amp; B &gt; C',
    );
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('renders fields one per line, and a select placeholder in italics', () => {
    const html = renderHtml({
      text: 'Scegli',
      fields: [
        { label: 'Priorità', value: 'P2' },
        { label: 'Stato', value: 'nuovo' },
      ],
      select: { actionId: 'x.pick', placeholder: 'Un volontario', options: [] },
    });
    expect(html).toBe('Scegli\n<i>Un volontario</i>\n\n<b>Priorità</b>: P2\n<b>Stato</b>: nuovo');
  });

  it("cuts overlong text to Telegram's 4096 visible characters, never inside an entity", () => {
    const html = renderHtml({ title: 'Titolo', text: '&'.repeat(10_000), fields: [{ label: 'P', value: '1' }] });
    const visible = html.replace(/<\/?[bi]>/g, '').replace(/&amp;/g, '&');
    expect(visible.length).toBeLessThanOrEqual(TELEGRAM_TEXT_MAX);
    expect(visible.length).toBeGreaterThan(TELEGRAM_TEXT_MAX - 10);
    expect(html).toMatch(/&amp;…\n\n<b>P<\/b>: 1$/);
  });

  it('turns buttons and select options into an inline keyboard with short rows', async () => {
    const r = await renderMessage(
      {
        text: 'Quanto è urgente?',
        buttons: [
          { actionId: 'intake.urgency', value: '1', label: 'Blocca il lavoro' },
          { actionId: 'intake.urgency', value: '2', label: 'Rallenta' },
          { actionId: 'intake.urgency', value: '3', label: 'Può aspettare' },
        ],
        select: { actionId: 'ticket.handover', placeholder: 'A chi?', options: [{ label: 'Vera', value: 'vera' }] },
      },
      inline,
    );
    expect(r.reply_markup?.inline_keyboard).toEqual([
      [
        { text: 'Blocca il lavoro', callback_data: 'g|1' },
        { text: 'Rallenta', callback_data: 'g|2' },
      ],
      [
        { text: 'Può aspettare', callback_data: 'g|3' },
        { text: 'Vera', callback_data: 'ticket.handover|vera' },
      ],
    ]);
    expect((await renderMessage({ text: 'solo testo' }, inline)).reply_markup).toBeUndefined();
  });

  it('packs at most three buttons a row', () => {
    expect(layoutRows(['1', '2', '3', '4', '5'].map((text) => ({ text }))).map((r) => r.length)).toEqual([3, 2]);
  });
});

describe('callback data', () => {
  it("encodes the core's actions compactly and reads them back", () => {
    for (const [id, value] of [
      ['ticket.claim', 'INC-000001'],
      ['ticket.rate', 'INC-000001:5'],
      ['intake.keep', ''],
      ['intake.confirm', 'tg:7000001:123456789'],
      ['some.new_action', 'a|b'],
    ] as const) {
      const data = encodeInline(id, value)!;
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
      expect(decodeInline(data)).toEqual({ id, value });
    }
    expect(encodeInline('ticket.claim', 'INC-000001')).toBe('c|INC-000001');
  });

  it('stores an action that does not fit under a token any process can read back', async () => {
    const { saved, store } = memoryTokens();
    const codec = new CallbackCodec(store);
    const value = 'è'.repeat(40);
    const data = await codec.encode('intake.confirm', value);
    expect(data).toMatch(/^~[\w-]{22}$/);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(await codec.encode('intake.confirm', value)).toBe(data);
    expect(saved.size).toBe(1);
    expect(await codec.decode(data)).toEqual({ id: 'intake.confirm', value });
    expect(await codec.decode('~unknown-token-000000000')).toBeUndefined();
    // An action id that reads like an alias must not come back as another action.
    expect(await codec.decode(await codec.encode('c', 'x'))).toEqual({ id: 'c', value: 'x' });
  });
});

describe('reading updates', () => {
  const bot = { id: 700, username: 'Sportello_bot' };
  const lookups = (cards: string[] = []): UpdateLookups => ({
    isRefMessage: async (chat, id) => cards.includes(`${chat}:${id}`),
    decodeAction: async (data) => decodeInline(data),
  });
  const anna = { id: 11, is_bot: false, first_name: 'Anna', last_name: 'Bianchi', language_code: 'en' };
  const group = { id: -100, type: 'supergroup' };
  const msg = (text: string, extra: Partial<TgMessage> = {}): TgMessage => ({ message_id: 5, chat: group, from: anna, text, ...extra });

  it('a private message is a DM from the user, with name and language', async () => {
    const e = await readUpdate({ update_id: 9, message: msg('ciao', { chat: { id: 11, type: 'private' } }) }, bot, lookups());
    expect(e).toEqual({
      kind: 'message',
      inbound: {
        platform: 'telegram',
        deliveryId: 'tg:700:9',
        conversation: { id: '11', kind: 'dm' },
        sender: { externalId: '11', displayName: 'Anna Bianchi', locale: 'en' },
        text: 'ciao',
      },
    });
  });

  it('in groups only commands, mentions and replies to the bot count', async () => {
    const read = async (m: TgMessage, cards?: string[]) => readUpdate({ update_id: 1, message: m }, bot, lookups(cards));
    expect((await read(msg('ciao a tutti'))).kind).toBe('ignore');
    expect((await read(msg('/aiuto@altro_bot'))).kind).toBe('ignore');
    expect((await read(msg('parlavo con @qualcuno', { entities: [{ type: 'mention', offset: 12, length: 9 }] }))).kind).toBe('ignore');
    expect(await read(msg('/aiuto'))).toMatchObject({ inbound: { conversation: { id: '-100', kind: 'channel' }, text: '/aiuto' } });
    expect(await read(msg('/canale@sportello_bot volontari'))).toMatchObject({ inbound: { text: '/canale@sportello_bot volontari' } });
    const mention = msg('@sportello_bot canale volontari', { entities: [{ type: 'mention', offset: 0, length: 14 }] });
    expect(await read(mention)).toMatchObject({ inbound: { text: 'canale volontari' } });
    const silentMention = msg('ehi Bot aiuto', {
      entities: [{ type: 'text_mention', offset: 4, length: 3, user: { id: 700, is_bot: true } }],
    });
    expect(await read(silentMention)).toMatchObject({ inbound: { text: 'ehi  aiuto' } });
    expect((await read(msg('/aiuto', { from: { id: 3, is_bot: true } }))).kind).toBe('ignore');
    expect((await readUpdate({ update_id: 1, message: msg('x', { chat: { id: -5, type: 'channel' } }) }, bot, lookups())).kind).toBe(
      'ignore',
    );
  });

  it('a reply to a card is threaded on the card; a topic message on its topic; commands stay in the topic', async () => {
    const card = { message_id: 40, chat: group, from: { id: 700, is_bot: true } };
    const topic = { is_topic_message: true, message_thread_id: 77 };
    const onCard = msg('ci penso io', { ...topic, reply_to_message: card });
    expect(await readUpdate({ update_id: 1, message: onCard }, bot, lookups(['-100:40']))).toMatchObject({
      inbound: { conversation: { threadId: '40' } },
    });
    expect(await readUpdate({ update_id: 1, message: onCard }, bot, lookups([]))).toMatchObject({
      inbound: { conversation: { threadId: '77' } },
    });
    const command = msg('/canale volontari', { ...topic, reply_to_message: card });
    expect(await readUpdate({ update_id: 1, message: command }, bot, lookups(['-100:40']))).toMatchObject({
      inbound: { conversation: { threadId: '77' } },
    });
    const topicRoot = { message_id: 77, chat: group, from: { id: 700, is_bot: true }, forum_topic_created: {} };
    expect(
      (await readUpdate({ update_id: 1, message: msg('chiacchiere', { ...topic, reply_to_message: topicRoot }) }, bot, lookups())).kind,
    ).toBe('ignore');
  });

  it('a button press is an action in its chat; undecodable ones are still to be answered', async () => {
    const q = {
      id: 'q1',
      from: anna,
      data: 'c|INC-000001',
      message: { message_id: 40, chat: group, ...{ is_topic_message: true, message_thread_id: 77 } },
    };
    expect(await readUpdate({ update_id: 3, callback_query: q }, bot, lookups())).toEqual({
      kind: 'callback',
      queryId: 'q1',
      inbound: {
        platform: 'telegram',
        deliveryId: 'tg:700:3',
        conversation: { id: '-100', kind: 'channel', threadId: '77' },
        sender: { externalId: '11', displayName: 'Anna Bianchi', locale: 'en' },
        action: { id: 'ticket.claim', value: 'INC-000001' },
      },
    });
    expect(await readUpdate({ update_id: 4, callback_query: { ...q, data: 'garbage' } }, bot, lookups())).toEqual({
      kind: 'callback',
      queryId: 'q1',
    });
  });

  it('poison updates are read, never thrown: names and text cleaned, a chatless message is a DM, a senderless press only answered', async () => {
    const nul = { ...anna, first_name: 'An\u0000na' };
    const named = await readUpdate(
      { update_id: 6, message: msg('ciao\u0000 \ud83d', { chat: { id: 11, type: 'private' }, from: nul }) },
      bot,
      lookups(),
    );
    expect(named).toMatchObject({ inbound: { sender: { displayName: 'An\ufffdna Bianchi' }, text: 'ciao\ufffd \ufffd' } });
    const chatless = { message_id: 5, from: anna, text: 'aiuto' } as unknown as TgMessage;
    expect(await readUpdate({ update_id: 7, message: chatless }, bot, lookups())).toMatchObject({
      kind: 'message',
      inbound: { conversation: { id: '11', kind: 'dm' }, text: 'aiuto' },
    });
    const nobody = { message_id: 5, text: 'aiuto' } as unknown as TgMessage;
    expect((await readUpdate({ update_id: 8, message: nobody }, bot, lookups())).kind).toBe('ignore');
    const senderless = { id: 'q9', data: 'c|INC-000001', message: { message_id: 40, chat: group } } as unknown as TgCallbackQuery;
    expect(await readUpdate({ update_id: 9, callback_query: senderless }, bot, lookups())).toEqual({ kind: 'callback', queryId: 'q9' });
    expect(chatKeyOf({ update_id: 9, callback_query: senderless })).toBe('-100');
    expect(chatKeyOf({ update_id: 10, message: chatless })).toBe('user:11');
  });
});

describe('Bot API errors', () => {
  const tgError = (error_code: number, description: string, parameters?: object) =>
    new TelegramError({ error_code, description, ...(parameters ? { parameters } : {}) });

  it('429 waits retry_after; 5xx and network retry; other 4xx are permanent', () => {
    expect(toDeliveryError(tgError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), 'sendMessage').options).toEqual({
      retryAfterMs: 7000,
    });
    expect(toDeliveryError(tgError(502, 'Bad Gateway'), 'sendMessage').options).toEqual({ fateUnknown: true });
    expect(toDeliveryError(tgError(500, 'Internal Server Error'), 'sendMessage').options).toEqual({});
    // No answer: it may have arrived, so the next attempt is told its fate is unknown.
    expect(toDeliveryError(new Error('socket hang up'), 'sendMessage').options).toEqual({ fateUnknown: true });
    expect(toDeliveryError(tgError(400, 'Bad Request: chat not found'), 'sendMessage').options).toEqual({ permanent: true });
    expect(toDeliveryError(tgError(403, 'Forbidden: bot was blocked by the user'), 'sendMessage').options).toEqual({ permanent: true });
    expect(
      toDeliveryError(
        tgError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1009 }),
        'sendMessage',
      ).message,
    ).toContain('-1009');
  });

  it('recognises unreachable users and no-op edits', () => {
    expect(isUnreachableChat(tgError(403, "Forbidden: bot can't initiate conversation with a user"))).toBe(true);
    expect(isUnreachableChat(tgError(400, 'Bad Request: chat not found'))).toBe(true);
    expect(isUnreachableChat(tgError(429, 'Too Many Requests'))).toBe(false);
    expect(isNotModified(tgError(400, 'Bad Request: message is not modified: specified new message content'))).toBe(true);
  });
});

describe('command menu', () => {
  it('every Italian and English command is a word the core understands, and a valid Telegram name', () => {
    const [, itMenu, enMenu] = commandMenus();
    for (const { command, description } of [...itMenu!.commands, ...enMenu!.commands]) {
      expect(command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(REGISTRY.parse(`/${command}`), command).toBeDefined();
      expect(description.length).toBeGreaterThan(2);
      expect(description.length).toBeLessThanOrEqual(256);
    }
    // Generated from the registry: a command with a menu line is in both menus.
    expect(itMenu!.commands.map((c) => c.command)).toEqual(expect.arrayContaining(['aiuto', 'prendi', 'stato', 'sla', 'agenti']));
    expect(enMenu!.commands.map((c) => c.command)).toEqual(expect.arrayContaining(['help', 'claim', 'status', 'sla', 'agents']));
    expect(commandMenus().map((x) => x.language_code ?? 'default')).toEqual(['default', 'it', 'en']);
  });
});

describe('the wider mention', () => {
  it("marks the core's re-announcements so they stand out (Telegram has no @here)", () => {
    expect(renderHtml({ text: 'INC-000001 aspetta', mention: 'here' })).toBe('<b>📣</b> INC-000001 aspetta');
    expect(renderHtml({ text: 'INC-000001 aspetta' })).toBe('INC-000001 aspetta');
  });
});
