/**
 * The Discord adapter end to end: real discord.js against the local Discord fake (REST and
 * gateway on 127.0.0.1), real core and PostgreSQL through the test stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordSender, type DiscordAdapter, startDiscordAdapter } from '../bots/discord/discord-adapter.ts';
import { DeliveryError } from '../core/kernel/outbox.ts';
import { databaseOutage } from './db-outage.ts';
import { DiscordFake, type FakeMessage, type FakeUser } from './fakes/discord-fake.ts';
import { createStack, type Stack } from './stack.ts';
import { until, WAIT_MS } from './wait.ts';

let stack: Stack;
let fake: DiscordFake;
let adapter: DiscordAdapter;
let volunteers: string;
let general: string;
let anna: FakeUser;
let vera: FakeUser;
let vito: FakeUser;
let marco: FakeUser;
let bruno: FakeUser;
const problems: string[] = [];
const log = {
  info() {},
  warn(o: object, m?: string) {
    problems.push(`${m} ${JSON.stringify(o)}`);
  },
  error(o: object, m?: string) {
    problems.push(`${m} ${JSON.stringify(o)}`);
  },
};

beforeAll(async () => {
  stack = await createStack({ dispatcherBackoffMs: () => 50 });
  fake = await DiscordFake.start();
  volunteers = fake.textChannel('volontari');
  general = fake.textChannel('generale');
  [anna, vera, vito, marco, bruno] = ['Anna Bianchi', 'Vera Volontaria', 'Vito Volontario', 'Marco Moderatore', 'Bruno Verdi'].map((n) =>
    fake.user(n),
  ) as [FakeUser, FakeUser, FakeUser, FakeUser, FakeUser];
  const org = await stack.org('Associazione Il Girasole ODV', '97000000001');
  await stack.person({ platform: 'discord', externalId: anna.id, name: 'Anna Bianchi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'discord', externalId: bruno.id, name: 'Bruno Verdi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'discord', externalId: vera.id, name: 'Vera Volontaria', roles: ['volunteer'] });
  await stack.person({ platform: 'discord', externalId: vito.id, name: 'Vito Volontario', roles: ['volunteer'] });
  await stack.person({ platform: 'discord', externalId: marco.id, name: 'Marco Moderatore', roles: ['moderator'] });
  adapter = await startDiscordAdapter(
    { botToken: 'fake-bot-token', apiUrl: fake.apiUrl, guildId: fake.guildId, replyGraceMs: 300, maxRateLimitWaitMs: 1000 },
    { engine: stack.engine, store: stack.store, log },
  );
  stack.setSender('discord', adapter.sender);
});

afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
  await stack?.close();
});

const dm = (u: FakeUser) => fake.dmChannelOf(u.id);
const customIds = (m: FakeMessage): string[] =>
  m.components.flatMap((row) => (row.components as { custom_id: string }[]).map((c) => c.custom_id));
/** Everything a person would read in a message. */
const shown = (m: FakeMessage): string =>
  [
    m.content,
    ...m.embeds.flatMap((e) => [
      e.title,
      e.description,
      ...((e.fields ?? []) as { name: string; value: string }[]).flatMap((f) => [f.name, f.value]),
    ]),
  ].join('\n');
const unescaped = (s: string) => s.replace(/\\(.)/g, '$1').replace(/\u200b/g, '');

/** Waits until `channelId` holds more than `count` bot messages; returns the newest. */
async function botMessage(channelId: string, count: number, what = 'a bot message'): Promise<FakeMessage> {
  return fake.waitFor(() => fake.posted(channelId).length > count && fake.posted(channelId).at(-1), WAIT_MS, what);
}

/** Presses the newest button `actionId` (with `value`, if given) in `channelId`. */
function press(user: FakeUser, channelId: string, actionId: string, value?: string) {
  const matches = (id: string) => (value === undefined ? id.startsWith(`${actionId}|`) : id === `${actionId}|${value}`);
  const message = fake.posted(channelId).findLast((m) => customIds(m).some(matches));
  expect(message, `a message with ${actionId}`).toBeDefined();
  return fake.click(user, message!, customIds(message!).find(matches)!);
}

/**
 * Drives the whole intake in the requester's DM, answering only what the shorter intake still
 * asks after reading the first message; a title the first message gave is put right through the
 * summary's "Correggi" menu. Returns the ticket ref.
 */
async function openTicket(user: FakeUser, first: string, title: string): Promise<string> {
  const channel = dm(user);
  let n = fake.posted(channel).length;
  fake.dm(user, first);
  let m = await botMessage(channel, n++, 'first question');
  const has = (action: string) => customIds(m).some((id) => id.startsWith(`${action}|`));
  const answers: readonly (readonly [string, string?])[] = [
    ['intake.kind', 'incident'],
    ['intake.impact', '2'],
    ['intake.urgency', '1'],
    ['intake.keep'],
    ['intake.skip'],
  ];
  for (let asked = 0; asked < 8 && !has('intake.confirm'); asked++) {
    const next = answers.find(([action]) => has(action));
    if (next) press(user, channel, next[0], next[1]);
    else fake.dm(user, title);
    m = await botMessage(channel, n++, `the answer to ${next?.[0] ?? 'the title'}`);
  }
  if (!shown(m).includes(title)) {
    fake.choose(user, m, customIds(m).find((id) => id.startsWith('intake.edit|'))!, 'title');
    await botMessage(channel, n++, 'the title question');
    fake.dm(user, title);
    await botMessage(channel, n++, 'the corrected summary');
  }
  press(user, channel, 'intake.confirm');
  const created = await botMessage(channel, n++, 'ticket created');
  const ref = /INC-\d{6}/.exec(shown(created))?.[0];
  expect(ref, shown(created)).toBeDefined();
  return ref!;
}

const callbackFor = (interactionId: string) => fake.callsTo('POST', new RegExp(`^/interactions/${interactionId}/`));

describe('discord adapter', () => {
  it('registers the slash commands in the guild, Italian first with English localizations', () => {
    const put = fake.callsTo('PUT', /commands$/);
    expect(put.map((c) => c.path)).toEqual([`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`]);
    const main = fake.commands.find((c) => c.name === 'sportello')!;
    expect(main.options[0].name).toBe('testo');
    expect(main.options[0].name_localizations).toMatchObject({ 'en-US': 'text', 'en-GB': 'text' });
    expect(main.description_localizations).toHaveProperty('it');
    expect(fake.commands.find((c) => c.name === 'stato')?.name_localizations).toMatchObject({ 'en-US': 'status' });
  });

  it('a moderator binds the volunteers channel with /sportello; the "thinking" placeholder is removed', async () => {
    const before = fake.posted(volunteers).length;
    const i = fake.slash(marco, volunteers, 'sportello', { testo: 'canale volontari' });
    const bound = await botMessage(volunteers, before, 'bind confirmation');
    expect(bound.content).toBe('Questo canale è ora il canale volontari di Sportello.');
    expect(callbackFor(i.id)[0]?.body).toEqual({ type: 5, data: { flags: 64 } });
    await fake.waitFor(
      () => fake.callsTo('DELETE', new RegExp(`/webhooks/${fake.applicationId}/${i.token}/messages/@original$`)).length === 1,
      WAIT_MS,
      'placeholder removal',
    );
    expect((await stack.store.channels.list('volunteers')).map((b) => b.conversationId)).toEqual([volunteers]);
  });

  it('intake in a DM creates a ticket; the card reaches the channel; Claim edits the card and tells the requester', async () => {
    const cardsBefore = fake.posted(volunteers).length;
    const interactionsBefore = fake.callsTo('POST', /^\/interactions\//).length;
    const ref = await openTicket(anna, 'La stampante della segreteria non stampa', 'Stampante ferma');
    const card = await botMessage(volunteers, cardsBefore, 'card');
    expect(card.embeds[0]?.title).toContain(ref);
    expect(customIds(card)).toEqual([`ticket.claim|${ref}`, `ticket.details|${ref}`]);
    // Every press (the shorter intake asks impact and urgency; then Correggi the title, Conferma)
    // was acknowledged at once with a deferred update (type 6).
    const presses = fake.callsTo('POST', /^\/interactions\//).slice(interactionsBefore);
    expect(presses.map((c) => [c.status, c.body?.type])).toEqual(Array(4).fill([204, 6]));

    const annaSeen = fake.posted(dm(anna)).length;
    const click = press(vera, volunteers, 'ticket.claim', ref);
    await fake.waitFor(() => customIds(fake.messages.get(card.id)!).length === 1, WAIT_MS, 'card edit');
    expect(fake.callsTo('PATCH', new RegExp(`^/channels/${volunteers}/messages/${card.id}$`))).toHaveLength(1);
    expect(customIds(fake.messages.get(card.id)!)).toEqual([`ticket.details|${ref}`]);
    expect(shown(fake.messages.get(card.id)!)).toContain('Vera Volontaria');
    expect(callbackFor(click.id).map((c) => c.body?.type)).toEqual([6]);
    const notice = await botMessage(dm(anna), annaSeen, 'claim notice');
    expect(shown(notice)).toContain(`Vera Volontaria ha preso in carico il tuo ticket ${ref}`);

    // A second volunteer pressing the stale button gets an ephemeral follow-up, not a DM.
    const stale = fake.click(vito, fake.messages.get(card.id)!, `ticket.claim|${ref}`);
    const followUp = await fake.waitFor(() => fake.answers(stale.token).at(0), WAIT_MS, 'ephemeral follow-up');
    expect(followUp.flags).toBe(64);
    expect(followUp.content).toBe(`Il ticket ${ref} è già stato preso in carico da Vera Volontaria.`);
    await stack.settle();
    expect(fake.posted(dm(vito)).filter((m) => m.content.includes('già stato preso'))).toHaveLength(0);
  });

  it('a DM is answered without asking the database for an interaction of that user; a slash command in a DM still replaces its placeholder', async () => {
    const user = fake.user('Utente Senza Comandi');
    const context = stack.store.deliveryContext;
    const claim = context.claimInteraction.bind(context);
    const claimedFor: string[] = [];
    context.claimInteraction = (platform, userId, ...rest) => {
      claimedFor.push(userId);
      return claim(platform, userId, ...rest);
    };
    try {
      fake.dm(user, 'aiuto');
      await botMessage(dm(user), 0, 'help');
      expect(claimedFor.filter((u) => u === user.id)).toEqual([]);
      const slash = fake.slash(user, undefined, 'aiuto');
      await fake.waitFor(() => fake.answers(slash.token).find((m) => m.embeds.length > 0), WAIT_MS, 'slash answer');
      expect(claimedFor.filter((u) => u === user.id)).toEqual([user.id]);
      expect(fake.callsTo('PATCH', new RegExp(`/${slash.token}/messages/@original$`))).toHaveLength(1);
    } finally {
      context.claimInteraction = claim;
    }
  });

  it('a slash command from someone without the role is refused with an ephemeral reply', async () => {
    const before = fake.posted(general).length;
    const i = fake.slash(bruno, general, 'sportello', { testo: 'certifica @vera volontario' });
    const reply = await fake.waitFor(() => fake.answers(i.token).find((m) => m.content), WAIT_MS, 'refusal');
    expect(reply.content).toBe('Non hai i permessi per questa operazione.');
    // The deferred placeholder was ephemeral (flags 64) and the refusal replaced it.
    expect(callbackFor(i.id)[0]?.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(reply.flags).toBe(64);
    expect(fake.callsTo('PATCH', new RegExp(`/webhooks/${fake.applicationId}/${i.token}/messages/@original$`))).toHaveLength(1);
    await stack.settle();
    expect(fake.posted(general)).toHaveLength(before);
    expect(fake.posted(dm(bruno)).filter((m) => m.content.includes('permessi'))).toHaveLength(0);
  });

  it('the gateway drops and resumes: events sent meanwhile are replayed, a duplicate has no second effect', async () => {
    const people = ['Uno', 'Due', 'Tre'].map((n) => fake.user(`Utente ${n}`));
    const slashUser = fake.user('Utente Quattro');
    const resumes = fake.resumes;
    const replayed = fake.replayed;
    const identifies = fake.identifies;
    fake.drop(4000);
    const dms = people.map((p) => fake.dm(p, 'aiuto'));
    const firstSeq = fake.lastSeq - people.length + 1;
    const slash = fake.slash(slashUser, undefined, 'aiuto');
    const slashSeq = fake.lastSeq;
    await fake.waitFor(() => fake.resumes === resumes + 1, WAIT_MS, 'RESUME');
    fake.redeliver(firstSeq);
    fake.redeliver(slashSeq);

    for (const p of people) await botMessage(dm(p), 0, `help for ${p.global_name}`);
    await fake.waitFor(() => fake.answers(slash.token).find((m) => m.embeds.length > 0), WAIT_MS, 'slash answer');
    await fake.waitFor(() => callbackFor(slash.id).length === 2, WAIT_MS, 'duplicate acknowledgement attempt');
    // Nothing is counted before every event and replay went through: a marker DM from the first
    // person, sent after the replays, is handled behind any replay of that person's DM.
    const marker = fake.dm(people[0]!, 'annulla');
    const seen = (id: string) => stack.handled.filter((h) => h.deliveryId === id).map((h) => h.status);
    await until(
      'every event, replay and the marker handled',
      () => seen(marker).length > 0 && seen(slash.id).length === 2 && dms.every((id) => seen(id).length > 0),
    );
    expect(seen(slash.id)).toEqual(['handled', 'duplicate']);
    for (const id of dms) expect(seen(id).filter((status) => status !== 'duplicate')).toEqual(['handled']);
    await stack.settle();

    expect(fake.identifies).toBe(identifies);
    expect(fake.replayed - replayed).toBeGreaterThanOrEqual(people.length + 1);
    const helps = (p: FakeUser) => fake.posted(dm(p)).filter((m) => m.embeds.length > 0);
    for (const p of people) expect(helps(p), p.global_name).toHaveLength(1);
    expect(fake.posted(dm(people[0]!)).map((m) => m.embeds.length > 0)).toEqual([true, false]); // the help, then the marker's answer
    expect(fake.answers(slash.token)).toHaveLength(1);
    expect(fake.posted(dm(slashUser))).toHaveLength(0);
    // The replayed interaction could not be acknowledged twice; the engine ignored it.
    expect(callbackFor(slash.id).map((c) => c.status)).toEqual([204, 400]);
    expect(fake.callsTo('PATCH', new RegExp(`/${slash.token}/messages/@original$`))).toHaveLength(1);
  });

  it('user text with @everyone, role, user and channel mentions is echoed without pinging anyone', async () => {
    const cardsBefore = fake.posted(volunteers).length;
    const ref = await openTicket(
      anna,
      'Server bloccato @everyone <@&555000000000000001> <@555000000000000002> **subito** ||segreto||',
      '@here server giù',
    );
    const card = await botMessage(volunteers, cardsBefore, 'card');
    const comment = `commenta ${ref} @everyone @here <@&555000000000000001> <@!555000000000000002> <#555000000000000003>\n# titolo\n> citazione [link](https://example.org)`;
    fake.dm(anna, comment);
    // The comment goes under the card: the bot opens the card's thread (same id as the card).
    const inThread = await botMessage(card.id, 0, 'comment in the card thread');
    expect(fake.callsTo('POST', new RegExp(`^/channels/${volunteers}/messages/${card.id}/threads$`))[0]?.body?.name).toContain(ref);

    for (const m of [card, inThread]) {
      const text = shown(m);
      expect(text).not.toMatch(/@everyone|@here/);
      expect(text).not.toMatch(/(^|[^\\])<[@#]/);
      expect(text).not.toMatch(/(^|[^\\])\*\*|(^|[^\\])\|\||^#|^>/m);
    }
    // What the core handed over comes through literally; mention ids are no phone numbers, never masked.
    for (const part of [
      '@everyone @here <@&555000000000000001>',
      '<@!555000000000000002>',
      '<#555000000000000003>',
      '# titolo > citazione [link](https://example.org)',
    ])
      expect(unescaped(inThread.content)).toContain(part);
    for (const m of [card, inThread]) expect(shown(m)).not.toContain('[tel]');
    expect(shown(card)).toContain('555000000000000002');
    // Every message and edit the bot sent asked Discord to parse no mentions at all.
    const writes = fake.calls.filter(
      (c) => (c.method === 'POST' || c.method === 'PATCH') && /messages|webhooks/.test(c.path) && c.body?.allowed_mentions,
    );
    const allWrites = fake.calls.filter(
      (c) =>
        (c.method === 'POST' || c.method === 'PATCH') &&
        (/\/messages(\/\d+|\/@original)?$/.test(c.path) || /^\/webhooks\/\d+\/[^/]+$/.test(c.path)),
    );
    expect(writes.length).toBe(allWrites.length);
    for (const c of writes) expect(c.body?.allowed_mentions).toEqual({ parse: [] });

    // Volunteers write in the card's thread without any prefix: an internal note on the ticket.
    const veraSeen = fake.posted(dm(vera)).length;
    fake.say(card.id, vera, 'Provo a riavviare il server');
    const ack = await botMessage(dm(vera), veraSeen, 'note acknowledgement by DM');
    expect(ack.content).toBe(`Commento aggiunto a ${ref}.`);
    // Chat in a plain channel that is not addressed to the bot is left alone; `!aiuto` is not
    // (answered by DM: Vito has no recent interaction in this channel to answer through).
    const generalSeen = fake.posted(general).length;
    const help = () => fake.posted(dm(vito)).filter((m) => m.embeds[0]?.title?.includes('Sportello'));
    fake.say(general, vito, 'buongiorno a tutti');
    fake.say(general, vito, '!aiuto');
    await fake.waitFor(() => help().length > 0, WAIT_MS, 'help by DM');
    await stack.settle();
    expect(help()).toHaveLength(1);
    expect(fake.posted(general)).toHaveLength(generalSeen);
  });

  it('a 429 with Retry-After, then a 500, on message creation: delivered exactly once', async () => {
    const path = new RegExp(`^/channels/${dm(anna)}/messages$`);
    const attemptsBefore = fake.callsTo('POST', path).length;
    const seen = fake.posted(dm(anna)).length;
    fake.fail({ method: 'POST', path, status: 429, retryAfter: 1.5 }, { method: 'POST', path, status: 500 });
    fake.dm(anna, 'chisono');
    const reply = await botMessage(dm(anna), seen, 'reply after the failures');
    await stack.settle(); // delivered and marked: no further attempt can follow
    const attempts = fake.callsTo('POST', path).slice(attemptsBefore);
    expect(attempts.map((c) => c.status)).toEqual([429, 500, 200]);
    // discord.js handed the long rate limit back to the outbox, which waited the Retry-After.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1500);
    expect(fake.posted(dm(anna)).slice(seen)).toEqual([reply]);
  });

  it('a short 429 is waited out inside discord.js, without involving the outbox', async () => {
    const path = new RegExp(`^/channels/${dm(anna)}/messages$`);
    const attemptsBefore = fake.callsTo('POST', path).length;
    const seen = fake.posted(dm(anna)).length;
    const retried = () =>
      stack.tdb.db.selectFrom('outbox').select('id').where('platform', '=', 'discord').where('last_error', 'is not', null).execute();
    const retriedBefore = (await retried()).length;
    fake.fail({ method: 'POST', path, status: 429, retryAfter: 0.2 });
    fake.dm(anna, 'chisono');
    await botMessage(dm(anna), seen, 'reply after a short rate limit');
    await stack.settle();
    expect(
      fake
        .callsTo('POST', path)
        .slice(attemptsBefore)
        .map((c) => c.status),
    ).toEqual([429, 200]);
    expect((await retried()).length).toBe(retriedBefore);
    expect(fake.posted(dm(anna))).toHaveLength(seen + 1);
  });

  it('with the outbox row id as nonce, a retry after a lost response does not post twice', async () => {
    const path = new RegExp(`^/channels/${general}/messages$`);
    fake.fail({ method: 'POST', path, status: 502, afterEffect: true });
    const delivery = {
      id: 'outbox-row-42',
      address: { platform: 'discord' as const, kind: 'channel' as const, conversationId: general },
      message: { text: 'Avviso di manutenzione' },
    };
    const first = await adapter.sender.send(delivery).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DeliveryError);
    expect((first as DeliveryError).options).toEqual({ fateUnknown: true });
    const second = await adapter.sender.send(delivery);
    const posted = fake.posted(general).filter((m) => m.content === 'Avviso di manutenzione');
    expect(posted.map((m) => m.id)).toEqual([second.messageId]);
  });

  it('maps refusals: cannot DM the user is permanent; an unknown channel too', async () => {
    const stranger = fake.user('Utente Chiuso');
    fake.fail({ method: 'POST', path: new RegExp(`^/channels/${dm(stranger)}/messages$`), status: 403, code: 50007 });
    const blocked = await adapter.sender
      .send({ id: 'direct-1', address: { platform: 'discord', kind: 'dm', conversationId: stranger.id }, message: { text: 'ciao' } })
      .catch((e: unknown) => e);
    expect((blocked as DeliveryError).options).toEqual({ permanent: true });
    const unknown = await adapter.sender
      .send({ id: 'direct-2', address: { platform: 'discord', kind: 'channel', conversationId: '123' }, message: { text: 'ciao' } })
      .catch((e: unknown) => e);
    expect((unknown as DeliveryError).options).toEqual({ permanent: true });
    expect((unknown as DeliveryError).message).toContain('10003');
  });

  it('a REST-only sender (worker process) delivers too, answering privately by DM', async () => {
    const sender = createDiscordSender({ botToken: 'fake-bot-token', apiUrl: fake.apiUrl }, { store: stack.store, log });
    const seen = fake.posted(dm(marco)).length;
    await sender.send({
      id: 'direct-3',
      address: { platform: 'discord', kind: 'channel', conversationId: general },
      message: { text: 'Solo per te' },
      ephemeralTo: marco.id,
    });
    expect(
      fake
        .posted(dm(marco))
        .slice(seen)
        .map((m) => m.content),
    ).toEqual(['Solo per te']);
  });

  it('a DM that arrives while the database is down is handled once it is back', async () => {
    const outage = databaseOutage(stack.tdb.url);
    const n = fake.posted(dm(bruno)).length;
    await outage.takeDown();
    try {
      fake.dm(bruno, 'chisono');
      await until('the DM to fail against the database', () => problems.some((p) => p.startsWith('discord event not handled, retrying')));
    } finally {
      await outage.bringUp();
    }
    const reply = await botMessage(dm(bruno), n, 'the answer after the outage');
    expect(shown(reply)).toContain('Bruno Verdi');
    expect(problems.some((p) => p.startsWith('discord event not handled, retrying'))).toBe(true);
    problems.splice(0, problems.length, ...problems.filter((p) => !p.startsWith('discord event not handled, retrying')));
  });

  it('logged no unexpected problems', () => {
    // The replayed interaction's failed acknowledgement is the only expected warning.
    expect(problems.filter((p) => !p.startsWith('discord interaction not acknowledged'))).toEqual([]);
  });
});
