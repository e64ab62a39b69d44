/**
 * The community across platforms, end to end: real Bolt, Telegraf and discord.js against their
 * local fakes, one core on a fresh PostgreSQL. A question asked in a Slack DM reaches the
 * community channel of all three platforms; it is answered by replying to it on Telegram and in
 * its thread on Discord; every answer appears under the question everywhere; the asker accepts
 * one and says the other did not work, from Slack; votes come from Telegram; refusals answer
 * clearly and nothing renders as a mention.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordAdapter, startDiscordAdapter } from '../bots/discord/discord-adapter.ts';
import { type SlackAdapter, startSlackAdapter } from '../bots/slack/slack-adapter.ts';
import { decodeInline } from '../bots/telegram/callback-data.ts';
import { startTelegramAdapter, type TelegramAdapter } from '../bots/telegram/telegram-adapter.ts';
import { DiscordFake, type FakeMessage, type FakeUser } from './fakes/discord-fake.ts';
import { buttonPress, dmChannelOf, dmEvent, eventCallback, postSigned, SlackFake, serveRoutes } from './fakes/slack-fake.ts';
import { type FakeCall, TelegramFake } from './fakes/telegram-fake.ts';
import { createStack, type Stack } from './stack.ts';
import { WAIT_MS } from './wait.ts';

const SECRET = 'test-signing-secret';
const SLACK_COMMUNITY = 'C_COMMUNITY';
const TG_COMMUNITY = -1001000000777;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

let stack: Stack;
let slack: SlackFake;
let slackAdapter: SlackAdapter;
let slackServer: { url: string; close(): Promise<void> };
let tg: TelegramFake;
let tgAdapter: TelegramAdapter;
let discord: DiscordFake;
let discordAdapter: DiscordAdapter;
let discordCommunity: string;
let dario: FakeUser;

type Post = Record<string, unknown>;
const tgUser = (id: number, first: string) => ({ id, is_bot: false as const, first_name: first, language_code: 'it' });
const VERA = tgUser(2002, 'Vera');
const BRUNO = tgUser(3003, 'Bruno');
let messageIds = 70_000;
let queryIds = 1;
const now = () => Math.floor(Date.now() / 1000);

const slackSend = (payload: Parameters<typeof postSigned>[2]) => postSigned(`${slackServer.url}/slack/events`, SECRET, payload);

/** A Slack DM from `user`; returns the bot's next message in that DM. */
async function slackDm(user: string, text: string): Promise<Post> {
  const channel = dmChannelOf(user);
  const before = slack.posts(channel).length;
  expect((await slackSend(eventCallback(dmEvent(user, text)))).status).toBe(200);
  return slack.waitFor(() => slack.posts(channel)[before]);
}

/** Presses a button of a Slack message; returns the bot's next message in `answerIn`. */
async function slackPress(user: string, channel: string, post: Post, action: string, answerIn = channel): Promise<Post> {
  const blocks = post.blocks as { elements?: { action_id: string; value?: string }[] }[];
  const b = blocks.flatMap((x) => x.elements ?? []).find((e) => e.action_id.startsWith(`${action}#`));
  if (!b) throw new Error(`no ${action} button in ${JSON.stringify(blocks)}`);
  const before = slack.posts(answerIn).length + slack.ok('chat.postEphemeral', (a) => a.channel === answerIn).length;
  expect(
    (
      await slackSend(
        buttonPress({ user, channel, messageTs: String(post.ts), actionId: b.action_id, ...(b.value ? { value: b.value } : {}) }),
      )
    ).status,
  ).toBe(200);
  return slack.waitFor(() => [...slack.posts(answerIn), ...slack.ok('chat.postEphemeral', (a) => a.channel === answerIn)][before]);
}

const tgInGroup = (from: ReturnType<typeof tgUser>, text: string, extra: Record<string, unknown> = {}) => ({
  message: {
    message_id: messageIds++,
    date: now(),
    chat: { id: TG_COMMUNITY, type: 'supergroup', title: 'Community' },
    from,
    text,
    ...extra,
  },
});
const tgDm = (from: ReturnType<typeof tgUser>, text: string) => ({
  message: { message_id: messageIds++, date: now(), chat: { id: from.id, type: 'private', first_name: from.first_name }, from, text },
});

/** Presses the Telegram button `actionId` of a bot message; returns the next message the bot sends to `replyTo`. */
async function tgPress(who: ReturnType<typeof tgUser>, m: FakeCall, actionId: string, replyTo: number): Promise<FakeCall> {
  const rows = (m.payload.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard;
  const data = rows.flat().find((b) => decodeInline(b.callback_data)?.id === actionId)?.callback_data;
  if (!data) throw new Error(`no ${actionId} in ${JSON.stringify(rows)}`);
  const before = tg.sentTo(replyTo).length;
  tg.push({
    callback_query: { id: `cq${queryIds++}`, from: who, chat_instance: 'ci', data, message: { ...(m.result as object), date: now() } },
  });
  return tg.waitFor(() => tg.sentTo(replyTo)[before], WAIT_MS, `a message to ${replyTo}`);
}

const shownDiscord = (m: FakeMessage) =>
  [m.content, ...m.embeds.flatMap((e) => [e.title, e.description, ...((e.fields ?? []) as { value: string }[]).map((f) => f.value)])].join(
    '\n',
  );

beforeAll(async () => {
  stack = await createStack({ dispatcherBackoffMs: () => 100 });
  slack = await SlackFake.start();
  slackAdapter = await startSlackAdapter(
    { botToken: slack.token, signingSecret: SECRET, apiUrl: slack.apiUrl },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('slack', slackAdapter.sender);
  slackServer = await serveRoutes(slackAdapter.routes);
  tg = await TelegramFake.start();
  tgAdapter = await startTelegramAdapter(
    { token: tg.token, apiRoot: tg.apiRoot },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('telegram', tgAdapter.sender);
  discord = await DiscordFake.start();
  discordCommunity = discord.textChannel('community');
  dario = discord.user('Dario Discord');
  discordAdapter = await startDiscordAdapter(
    { botToken: 'fake-bot-token', apiUrl: discord.apiUrl, guildId: discord.guildId, replyGraceMs: 300, maxRateLimitWaitMs: 1000 },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('discord', discordAdapter.sender);

  const girasole = await stack.org('Associazione Il Girasole ODV', '97000000001');
  const rondine = await stack.org('Cooperativa La Rondine', '97000000002');
  await stack.person({ platform: 'slack', externalId: 'U_ANNA', name: 'Anna Bianchi', roles: ['requester', 'ict_lead'], orgId: girasole });
  await stack.person({ platform: 'telegram', externalId: String(VERA.id), name: 'Vera Volontaria', roles: ['volunteer'] });
  await stack.person({ platform: 'telegram', externalId: String(BRUNO.id), name: 'Bruno Verdi', roles: ['requester'], orgId: rondine });
  await stack.person({ platform: 'discord', externalId: dario.id, name: 'Dario Discord', roles: ['volunteer'] });
  await stack.bind('community', 'slack', SLACK_COMMUNITY);
  await stack.bind('community', 'telegram', String(TG_COMMUNITY));
  await stack.bind('community', 'discord', discordCommunity);
}, 60_000);

afterAll(async () => {
  await discordAdapter?.stop();
  await tgAdapter?.stop();
  await slackAdapter?.stop();
  await slackServer?.close();
  await Promise.all([discord?.close(), tg?.close(), slack?.close()]);
  await stack?.close();
});

describe('a question asked on Slack, answered on Telegram and Discord', () => {
  let slackCard: Post;
  let tgCard: FakeCall;
  let discordCard: FakeMessage;
  let tgAnswer: FakeCall;

  it('reaches the community channel of every platform, with nothing that can ping anyone', async () => {
    const started = performance.now();
    const reply = await slackDm('U_ANNA', 'domanda Come configuro la PEC su Thunderbird? @everyone <!here> @vera');
    expect(String(reply.text)).toContain('La tua domanda Q-000001 è nella community (3 canali)');
    slackCard = await slack.waitFor(() => slack.posts(SLACK_COMMUNITY).find((p) => String(p.text).includes('Q-000001')));
    tgCard = await tg.waitFor(
      () => tg.sentTo(TG_COMMUNITY).find((c) => String(c.payload.text).includes('Q-000001')),
      WAIT_MS,
      'the Telegram card',
    );
    discordCard = await discord.waitFor(
      () => discord.posted(discordCommunity).find((m) => shownDiscord(m).includes('Q-000001')),
      WAIT_MS,
      'the Discord card',
    );
    console.log(`community e2e: question on Slack → card on Telegram and Discord in ${Math.round(performance.now() - started)} ms`);
    await stack.settle(); // the cards' message ids are on record: replies and threads need them
    expect(String(tgCard.payload.text)).not.toMatch(/@everyone|@vera/);
    expect(shownDiscord(discordCard)).not.toMatch(/(^|[^\u200b])@everyone|(^|[^\\])<!here>/);
    expect(JSON.stringify(slackCard.blocks)).not.toMatch(/<!here>|@everyone/);
  });

  it('a reply to the card on Telegram is an answer: posted under the question everywhere, the asker told on Slack', async () => {
    const started = performance.now();
    const annaDm = dmChannelOf('U_ANNA');
    const seen = slack.posts(annaDm).length;
    const replyTo = { reply_to_message: { ...(tgCard.result as object), date: now(), from: tg.bot } };
    tg.push(tgInGroup(VERA, 'Aggiungi un account IMAP: imaps.pec.aruba.it porta 993, SMTP porta 465 con SSL.', replyTo));
    tgAnswer = await tg.waitFor(
      () => tg.sentTo(TG_COMMUNITY).find((c) => String(c.payload.text).includes('A-000001')),
      WAIT_MS,
      'the answer on Telegram',
    );
    expect(tgAnswer.payload.reply_parameters).toMatchObject({ message_id: (tgCard.result as { message_id: number }).message_id });
    const inSlackThread = await slack.waitFor(() => slack.posts(SLACK_COMMUNITY).find((p) => String(p.text).includes('A-000001')));
    expect(inSlackThread.thread_ts).toBe(slackCard.ts);
    // On Discord the bot opens the card's thread (its id is the card's) and posts the answer there.
    await discord.waitFor(
      () => discord.posted(discordCard.id).find((m) => shownDiscord(m).includes('A-000001')),
      WAIT_MS,
      'the answer in the Discord thread',
    );
    const notice = await slack.waitFor(() =>
      slack
        .posts(annaDm)
        .slice(seen)
        .find((p) => String(p.text).includes('Vera Volontaria ha risposto')),
    );
    console.log(`community e2e: answer on Telegram → asker told on Slack in ${Math.round(performance.now() - started)} ms`);
    expect(String(notice.text)).toContain('Q-000001');
  });

  it("writing in the question's Discord thread answers it too", async () => {
    discord.say(discordCard.id, dario, 'Controlla anche che la porta SMTP non sia la 25');
    await slack.waitFor(() =>
      slack.posts(SLACK_COMMUNITY).find((p) => String(p.text).includes('A-000002') && p.thread_ts === slackCard.ts),
    );
    await tg.waitFor(
      () => tg.sentTo(TG_COMMUNITY).find((c) => String(c.payload.text).includes('A-000002')),
      WAIT_MS,
      'the second answer on Telegram',
    );
  });

  it('the asker accepts one answer and says the other did not work, from Slack; every card is edited', async () => {
    const annaDm = dmChannelOf('U_ANNA');
    const notices = slack.posts(annaDm).filter((p) => String(p.text).includes('ha risposto'));
    const [first, second] = [
      notices.find((p) => String(p.text).includes('A-000001'))!,
      notices.find((p) => String(p.text).includes('A-000002'))!,
    ];
    const tgEdits = tg.callsOf('editMessageText').length;
    expect(String((await slackPress('U_ANNA', annaDm, first, 'cq.accept')).text)).toContain('Risposta A-000001 accettata');
    await slack.waitFor(() =>
      slack
        .ok(
          'chat.update',
          (a) => a.channel === SLACK_COMMUNITY && String(a.text).includes('A-000001') && String(a.text).includes('accettata'),
        )
        .at(0),
    );
    await tg.waitFor(
      () =>
        tg
          .callsOf('editMessageText')
          .slice(tgEdits)
          .find((c) => String(c.payload.text).includes('A-000001') && String(c.payload.text).includes('accettata')),
      WAIT_MS,
      'the Telegram edit',
    );

    expect(String((await slackPress('U_ANNA', annaDm, second, 'cq.failed')).text)).toContain('Che cosa è successo provando A-000002?');
    expect(String((await slackDm('U_ANNA', 'La porta era già la 465, il problema era il certificato')).text)).toContain(
      'ho aggiunto il tuo esito',
    );
    const edited = await tg.waitFor(
      () =>
        tg
          .callsOf('editMessageText')
          .find((c) => String(c.payload.text).includes('A-000002') && String(c.payload.text).includes('non ha funzionato')),
      WAIT_MS,
      'the feedback on Telegram',
    );
    expect(String(edited.payload.text)).toContain('il problema era il certificato');
  });

  it("votes from Telegram count once per person, never for one's own answer; others cannot accept", async () => {
    const voted = await tgPress(BRUNO, tgAnswer, 'cq.useful', BRUNO.id);
    expect(String(voted.payload.text)).toBe('Grazie: A-000001 è utile per 1 persone.');
    const again = await tgPress(BRUNO, tgAnswer, 'cq.useful', BRUNO.id);
    expect(String(again.payload.text)).toBe('Hai già segnato come utile la risposta A-000001: ogni persona vota una volta sola.');
    const own = await tgPress(VERA, tgAnswer, 'cq.useful', VERA.id);
    expect(String(own.payload.text)).toBe('Non puoi votare una tua risposta (A-000001).');
    const before = tg.sentTo(BRUNO.id).length;
    tg.push(tgDm(BRUNO, '/accetta A-000002'));
    const refused = await tg.waitFor(() => tg.sentTo(BRUNO.id)[before], WAIT_MS, 'the refusal');
    expect(String(refused.payload.text)).toBe('Solo chi ha fatto la domanda Q-000001 (o un moderatore) può farlo.');
    const votes = await stack.tdb.db
      .selectFrom('community_votes' as never)
      .selectAll()
      .execute();
    expect(votes).toHaveLength(1);
  });

  it('search from Telegram finds the accepted answer, typos and all', async () => {
    const before = tg.sentTo(BRUNO.id).length;
    tg.push(tgDm(BRUNO, 'cerca posta certificata thunderbrd'));
    const results = await tg.waitFor(() => tg.sentTo(BRUNO.id)[before], WAIT_MS, 'the results');
    expect(String(results.payload.text)).toContain('A-000001 (Q-000001, ✅ accettata)');
  });
});
