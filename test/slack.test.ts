/**
 * The Slack adapter end to end: real Bolt behind our route on a real node:http server, signed
 * requests as Slack sends them, the Web API answered by a local fake, a real core on PostgreSQL.
 */

import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackAdapter, startSlackAdapter } from '../bots/slack/slack-adapter.ts';
import { ConversationEngine } from '../core/conversation/engine.ts';
import { REGISTRY } from '../core/features.ts';
import type { Inbound } from '../core/kernel/message.ts';
import type { Repositories, Store } from '../core/kernel/ports.ts';
import { isTransientDatabaseError } from '../db/database.ts';
import { databaseOutage } from './db-outage.ts';
import { buttonPress, dmChannelOf, dmEvent, eventCallback, postSigned, SlackFake, serveRoutes, slashCommand } from './fakes/slack-fake.ts';
import { createStack, type Stack } from './stack.ts';
import { lockWaiters } from './test-database.ts';
import { until } from './wait.ts';

const SECRET = 'test-signing-secret';
const VOLUNTEERS = 'C_VOL';
const GENERAL = 'C_GEN';

let stack: Stack;
let fake: SlackFake;
let adapter: SlackAdapter;
let server: { url: string; close(): Promise<void> };
let eventsUrl: string;
const errors: unknown[] = [];
const warnings: string[] = [];
/** The main adapter's look-ups of which message a thread reply is under. */
const findRefs: string[] = [];
const log = {
  info() {},
  debug() {},
  warn: (_o: object, m?: string) => void warnings.push(m ?? ''),
  error: (o: object, m?: string) => void errors.push({ ...o, m }),
};

type Post = Record<string, unknown>;
const unescape = (s: unknown) => String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const send = (payload: Parameters<typeof postSigned>[2], opts?: Parameters<typeof postSigned>[3]) =>
  postSigned(eventsUrl, SECRET, payload, opts);

async function count(table: 'people' | 'tickets' | 'inbound_deliveries'): Promise<number> {
  const r = await stack.tdb.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The Slack events still in the inbox (stored, not yet handled), or only `deliveryId`'s. */
async function inInbox(deliveryId?: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from inbound_inbox
    where platform = 'slack' and (${deliveryId ?? null}::text is null or delivery_id = ${deliveryId ?? null})`.execute(stack.tdb.db);
  return r.rows[0]!.n;
}

/** Waits until `deliveryId` left the inbox: its handling settled (engine committed, or ignored). */
const leftInbox = (deliveryId: string) => until(`${deliveryId} out of the inbox`, async () => (await inInbox(deliveryId)) === 0);

/** The button of `post` whose core action is `action` (and value, when given), as Slack renders it. */
function button(post: Post, action: string, value?: string): { action_id: string; value?: string } {
  const blocks = post.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[];
  const found = blocks
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id.startsWith(`${action}#`) && (value === undefined || e.value === value));
  if (!found) throw new Error(`no ${action} button in ${JSON.stringify(blocks)}`);
  return found;
}

/** Sends a DM and returns the bot's next message in that DM. */
async function dm(user: string, text: string): Promise<Post> {
  const channel = dmChannelOf(user);
  const before = fake.posts(channel).length;
  const r = await send(eventCallback(dmEvent(user, text)));
  expect(r.status).toBe(200);
  return fake.waitFor(() => fake.posts(channel)[before]);
}

/** Clicks a button of a DM message and returns the bot's next message in that DM. */
async function pressInDm(user: string, post: Post, action: string, value?: string): Promise<Post> {
  const channel = dmChannelOf(user);
  const before = fake.posts(channel).length;
  const b = button(post, action, value);
  const r = await send(
    buttonPress({ user, channel, messageTs: String(post.ts), actionId: b.action_id, ...(b.value !== undefined ? { value: b.value } : {}) }),
  );
  expect(r.status).toBe(200);
  return fake.waitFor(() => fake.posts(channel)[before]);
}

const hasButton = (post: Post, action: string) =>
  (post.blocks as { elements?: { action_id: string }[] }[]).some((b) =>
    (b.elements ?? []).some((e) => e.action_id.startsWith(`${action}#`)),
  );

/**
 * The intake up to the summary with the Confirm button, answering only what the shorter intake
 * still asks after reading the first message (an incident, one team, work stopped); the title,
 * when the first message gave one, is put right through the summary's "Correggi" menu.
 */
async function intake(user: string, first: string, title = 'Stampante ferma'): Promise<Post> {
  let post = await dm(user, first);
  for (let asked = 0; asked < 8 && !hasButton(post, 'intake.confirm'); asked++) {
    if (hasButton(post, 'intake.kind')) post = await pressInDm(user, post, 'intake.kind', 'incident');
    else if (hasButton(post, 'intake.impact')) post = await pressInDm(user, post, 'intake.impact', '2');
    else if (hasButton(post, 'intake.urgency')) post = await pressInDm(user, post, 'intake.urgency', '1');
    else if (hasButton(post, 'intake.keep')) post = await pressInDm(user, post, 'intake.keep');
    else if (hasButton(post, 'intake.skip')) post = await pressInDm(user, post, 'intake.skip');
    else post = await dm(user, title);
  }
  if (!unescape(post.text).includes(`Titolo: ${title}`)) {
    const channel = dmChannelOf(user);
    const before = fake.posts(channel).length;
    expect((await send(buttonPress({ user, channel, messageTs: String(post.ts), actionId: 'intake.edit#s', value: 'title' }))).status).toBe(
      200,
    );
    await fake.waitFor(() => fake.posts(channel)[before]);
    post = await dm(user, title);
  }
  return post;
}

/** Opens a ticket by DM; returns its ref and the card posted in the volunteers channel. */
async function openTicket(user: string, first: string, title?: string): Promise<{ ref: string; card: Post }> {
  const summary = await intake(user, first, title);
  const created = await pressInDm(user, summary, 'intake.confirm');
  const ref = /INC-\d{6}/.exec(String(created.text))?.[0];
  expect(ref, String(created.text)).toBeDefined();
  const card = await fake.waitFor(() => fake.posts(VOLUNTEERS).find((p) => String(p.text).includes(ref!)));
  // The dispatcher records the card's ts just after Slack answered; clicks and replies need it.
  await stack.settle();
  return { ref: ref!, card };
}

const claim = (user: string, card: Post) =>
  send(
    buttonPress({
      user,
      channel: VOLUNTEERS,
      messageTs: String(card.ts),
      actionId: button(card, 'ticket.claim').action_id,
      value: button(card, 'ticket.claim').value!,
    }),
  );

beforeAll(async () => {
  stack = await createStack({ dispatcherBackoffMs: () => 100 });
  fake = await SlackFake.start({ users: { U_NEW: { realName: 'Nora New', locale: 'en-GB' } } });
  // A short lease and a quick sweep, so the replays below happen within a test's time.
  const outbox = stack.store.outbox;
  const counted = Object.assign(Object.create(stack.store) as Store, {
    outbox: Object.assign(Object.create(outbox) as typeof outbox, {
      findRef: (...args: Parameters<typeof outbox.findRef>) => {
        findRefs.push(args[2]);
        return outbox.findRef(...args);
      },
    }),
  });
  adapter = await startSlackAdapter(
    { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
    { engine: stack.engine, store: counted, log, inbox: { leaseMs: 1000, sweepEveryMs: 100 } },
  );
  stack.setSender('slack', adapter.sender);
  server = await serveRoutes(adapter.routes);
  eventsUrl = `${server.url}/slack/events`;

  const org = await stack.org('Associazione Il Girasole ODV', '97000000001');
  await stack.person({ platform: 'slack', externalId: 'U_ANNA', name: 'Anna Bianchi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'slack', externalId: 'U_BRUNO', name: 'Bruno Verdi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'slack', externalId: 'U_VERA', name: 'Vera Volontaria', roles: ['volunteer'] });
  await stack.person({ platform: 'slack', externalId: 'U_VOL1', name: 'Ugo Volontario', roles: ['volunteer'] });
  await stack.person({ platform: 'slack', externalId: 'U_MARCO', name: 'Marco Moderatore', roles: ['moderator'] });
  await stack.person({ platform: 'slack', externalId: 'U_NUOVO', name: 'Nuovo Tecnico', roles: [], handle: 'nuovo' });

  // The documented setup step: a moderator types /sportello canale volontari in the channel.
  const r = await send(slashCommand('U_MARCO', VOLUNTEERS, 'canale volontari'));
  expect(r.status).toBe(200);
  const bound = await fake.waitFor(() => fake.posts(VOLUNTEERS)[0]);
  expect(unescape(bound.text)).toContain('canale volontari');
}, 30_000);

afterAll(async () => {
  await adapter?.stop();
  await server?.close();
  await fake?.close();
  await stack?.close();
});

afterEach(() => expect(errors).toEqual([]));

describe('Slack adapter', () => {
  it('a requester opens a ticket by DM; the card reaches the channel; a volunteer claims it', async () => {
    const { ref, card } = await openTicket('U_ANNA', 'Il PC della segreteria non si accende');
    expect(card.blocks).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'header' }), expect.objectContaining({ type: 'actions' })]),
    );
    expect(card.link_names).toBe('false');
    expect(card.parse).toBe('none');

    expect((await claim('U_VERA', card)).status).toBe(200);
    const update = await fake.waitFor(() => fake.ok('chat.update', (a) => a.ts === card.ts).at(-1));
    expect(update.channel).toBe(VOLUNTEERS);
    expect(JSON.stringify(update.blocks)).toContain('Vera Volontaria');
    expect(JSON.stringify(update.blocks)).not.toContain('ticket.claim#');
    const told = await fake.waitFor(() =>
      fake.posts(dmChannelOf('U_ANNA')).find((p) => String(p.text).includes(`Vera Volontaria ha preso in carico il tuo ticket ${ref}`)),
    );
    expect(told).toBeDefined();
    const ack = await fake.waitFor(() => fake.ok('chat.postEphemeral', (a) => a.user === 'U_VERA' && String(a.text).includes(ref)).at(0));
    expect(ack.channel).toBe(VOLUNTEERS);
  });

  it('a thread reply under a card becomes a note on the ticket; threads under other messages are ignored', async () => {
    const { ref, card } = await openTicket('U_ANNA', 'Scanner rotto');
    const ts = String(card.ts);
    await send(
      eventCallback({
        type: 'message',
        channel: VOLUNTEERS,
        channel_type: 'channel',
        user: 'U_VERA',
        text: 'Passo io domani &amp; porto il cavo',
        ts: '1800000000.000001',
        thread_ts: ts,
      }),
    );
    const ok = await fake.waitFor(() => fake.ok('chat.postEphemeral', (a) => a.user === 'U_VERA' && a.thread_ts === ts).at(0));
    expect(unescape(ok.text)).toBe(`Commento aggiunto a ${ref}.`);
    const ticket = await stack.store.tickets.findByRef(ref);
    const comments = await stack.tdb.db
      .selectFrom('ticket_comments')
      .select(['body', 'internal'])
      .where('ticket_id', '=', ticket!.id)
      .execute();
    expect(comments).toEqual([{ body: 'Passo io domani & porto il cavo', internal: true }]);

    // A second reply under the same card: the card is known, not looked up again.
    await send(
      eventCallback({
        type: 'message',
        channel: VOLUNTEERS,
        channel_type: 'channel',
        user: 'U_VERA',
        text: 'Ho trovato il cavo',
        ts: '1800000000.000002',
        thread_ts: ts,
      }),
    );
    await fake.waitFor(() => fake.ok('chat.postEphemeral', (a) => a.user === 'U_VERA' && a.thread_ts === ts).at(1));
    expect(findRefs.filter((r) => r === ts)).toHaveLength(1);

    const before = fake.calls.length;
    const chatter = eventCallback({
      type: 'message',
      channel: VOLUNTEERS,
      channel_type: 'channel',
      user: 'U_VERA',
      text: 'chiacchiere',
      ts: '1800000000.000003',
      thread_ts: '1699999999.000001',
    });
    await send(chatter);
    // Ignored, so out of the inbox with nothing done.
    await leftInbox(String(chatter.json.event_id));
    await stack.settle();
    expect(fake.calls.slice(before)).toEqual([]);
    expect(findRefs.filter((r) => r === '1699999999.000001')).toHaveLength(1);

    // A reply under the card that @mentions the bot is its app_mention's to handle (Slack sends
    // both): as a message it is left alone, or it would be noted twice.
    const mentioning = eventCallback({
      type: 'message',
      channel: VOLUNTEERS,
      channel_type: 'channel',
      user: 'U_VERA',
      text: '<@UBOT> stato',
      ts: '1800000000.000004',
      thread_ts: ts,
    });
    await send(mentioning);
    await leftInbox(String(mentioning.json.event_id));
    await stack.settle();
    expect(
      await stack.tdb.db
        .selectFrom('ticket_comments')
        .select('body')
        .where('ticket_id', '=', ticket!.id)
        .where('body', 'like', '%stato%')
        .execute(),
    ).toEqual([]);
  });

  it('the same event delivered twice (Slack retry) has one effect; a first contact gets a name and language', async () => {
    const event = eventCallback(dmEvent('U_NEW', 'buongiorno'));
    const [first, retry] = [await send(event), await send(event, { retryNum: 1 })];
    expect([first.status, retry.status]).toEqual([200, 200]);
    const answer = await fake.waitFor(() => fake.posts(dmChannelOf('U_NEW'))[0]);
    // Both deliveries settled (the retry found the event stored, or met the engine's dedupe).
    await leftInbox(String(event.json.event_id));
    const seen = stack.handled.filter((h) => h.deliveryId === event.json.event_id).map((h) => h.status);
    expect(seen.filter((s) => s === 'handled')).toHaveLength(1);
    expect(seen.filter((s) => s !== 'handled' && s !== 'duplicate')).toEqual([]);
    await stack.settle();
    expect(fake.posts(dmChannelOf('U_NEW'))).toHaveLength(1);
    expect(unescape(answer.text)).toContain('You are not a member of an organisation yet');
    const identity = await stack.store.people.findIdentity('slack', 'U_NEW');
    const person = await stack.store.people.findPerson(identity!.personId);
    expect([person?.displayName, person?.locale]).toEqual(['Nora New', 'en']);
    expect(fake.ok('users.info', (a) => a.user === 'U_NEW')).toHaveLength(1);
  });

  it('the confirm click delivered twice creates one ticket and one card', async () => {
    const summary = await intake('U_BRUNO', 'Il wifi va e viene', 'Wifi instabile');
    const b = button(summary, 'intake.confirm');
    const press = buttonPress({
      user: 'U_BRUNO',
      channel: dmChannelOf('U_BRUNO'),
      messageTs: String(summary.ts),
      actionId: b.action_id,
      value: b.value!,
    });
    const [tickets, cards, handled] = [await count('tickets'), fake.posts(VOLUNTEERS).length, stack.handled.length];
    const results = await Promise.all([send(press), send(press)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    // Clicks are answered before the engine runs: wait for it to have seen both.
    const seen = await until('both clicks handled', () => stack.handled.length >= handled + 2 && stack.handled.slice(handled));
    expect(seen.map((h) => h.status).sort()).toEqual(['duplicate', 'handled']);
    await stack.settle();
    expect(await count('tickets')).toBe(tickets + 1);
    expect(fake.posts(VOLUNTEERS)).toHaveLength(cards + 1);
  });

  it('refuses a wrong signature and a stale timestamp with 401, storing nothing', async () => {
    const before = {
      people: await count('people'),
      tickets: await count('tickets'),
      deliveries: await count('inbound_deliveries'),
      calls: fake.calls.length,
    };
    const event = eventCallback(dmEvent('U_EVE', 'ciao'));
    expect((await send(event, { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await send(event, { timestampS: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await postSigned(eventsUrl, 'another-secret', event)).status).toBe(401);
    await stack.settle();
    expect({
      people: await count('people'),
      tickets: await count('tickets'),
      deliveries: await count('inbound_deliveries'),
      calls: fake.calls.length,
    }).toEqual(before);
    const challenge = await send({ json: { type: 'url_verification', token: 'x', challenge: 'c-123' } });
    expect([challenge.status, JSON.parse(challenge.body)]).toEqual([200, { challenge: 'c-123' }]);
    // Signed, but no Slack payload (neither a type nor a command): refused, not a 500 to retry.
    expect((await send({ json: { name: 0 } })).status).toBe(400);
  });

  it('a reply answered 429 (Retry-After: 1), then 500, then ok is delivered exactly once', async () => {
    const channel = dmChannelOf('U_BRUNO');
    fake.failNext(
      'chat.postMessage',
      [
        { status: 429, headers: { 'retry-after': '1' } },
        { status: 500, body: 'upstream down' },
      ],
      (a) => a.channel === channel,
    );
    await send(eventCallback(dmEvent('U_BRUNO', 'chisono')));
    await fake.waitFor(() => fake.posts(channel).find((p) => unescape(p.text).includes('Bruno Verdi')));
    await stack.settle();
    const attempts = fake.calls.filter(
      (c) => c.method === 'chat.postMessage' && c.args.channel === channel && String(c.args.text).includes('Bruno Verdi'),
    );
    expect(attempts.map((c) => c.ok)).toEqual([false, false, true]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('two volunteers clicking Claim at once: one owner, the other told who has it', async () => {
    const { ref, card } = await openTicket('U_ANNA', 'Server NAS non risponde');
    const results = await Promise.all([claim('U_VERA', card), claim('U_VOL1', card)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const refusal = await fake.waitFor(() =>
      fake.ok('chat.postEphemeral', (a) => String(a.text).includes(`${ref} è già stato preso in carico`)).at(0),
    );
    const ticket = await stack.store.tickets.findByRef(ref);
    const owner = await stack.store.people.findPerson(ticket!.assigneeId!);
    const loser = owner!.displayName === 'Vera Volontaria' ? 'U_VOL1' : 'U_VERA';
    expect(refusal.user).toBe(loser);
    expect(refusal.channel).toBe(VOLUNTEERS);
    expect(unescape(refusal.text)).toBe(`Il ticket ${ref} è già stato preso in carico da ${owner!.displayName}.`);
    const events = await stack.store.tickets.listEvents(ticket!.id);
    expect(events.filter((e) => e.field === 'assignee')).toHaveLength(1);
  });

  it('a slash command needing a role the user lacks gets a clear ephemeral refusal; /sportello alone is help', async () => {
    const r = await send(slashCommand('U_ANNA', GENERAL, 'certifica @nuovo volontario'));
    expect([r.status, r.body]).toEqual([200, '']);
    const refusal = await fake.waitFor(() => fake.ok('chat.postEphemeral', (a) => a.channel === GENERAL && a.user === 'U_ANNA').at(0));
    expect(unescape(refusal.text)).toBe('Non hai i permessi per questa operazione.');
    expect(fake.posts(GENERAL)).toHaveLength(0);

    const before = fake.posts(dmChannelOf('U_ANNA')).length;
    await send(slashCommand('U_ANNA', dmChannelOf('U_ANNA'), ''));
    const help = await fake.waitFor(() => fake.posts(dmChannelOf('U_ANNA'))[before]);
    expect(help.blocks).toEqual(
      expect.arrayContaining([{ type: 'header', text: expect.objectContaining({ text: 'Sportello: come posso aiutarti' }) }]),
    );
  });

  it('an @mention in a channel reaches the engine without the mention', async () => {
    await send(eventCallback({ type: 'app_mention', channel: GENERAL, user: 'U_ANNA', text: '<@UBOT> chisono', ts: '1800000001.000001' }));
    const answer = await fake.waitFor(() =>
      fake.ok('chat.postEphemeral', (a) => a.channel === GENERAL && unescape(a.text).includes('Anna Bianchi')).at(0),
    );
    expect(answer.user).toBe('U_ANNA');
  });

  it('mentions typed into a ticket cannot ping anyone from the card', async () => {
    const { card } = await openTicket(
      'U_ANNA',
      'Stampante bloccata <!channel> @here <@U999> e &lt;!here&gt; &lt;@U998&gt; subito',
      '<!everyone> urgente',
    );
    const shown = JSON.stringify({ text: card.text, blocks: card.blocks });
    for (const bad of ['<!channel>', '<!here>', '<!everyone>', '<@U999>', '<@U998>', '@here', '@channel', '@everyone'])
      expect(shown).not.toContain(bad);
    expect(shown).toContain('&lt;\u200b!here&gt;');
    expect(shown).toContain('@U999');
  });

  it('an address Slack made into a mailto link is stored as typed, and masked on the card', async () => {
    const { ref, card } = await openTicket('U_ANNA', 'Il router non va, scrivete a <mailto:a@b.org|a@b.org> per le chiavi');
    const ticket = await stack.store.tickets.findByRef(ref);
    expect(ticket?.description).toContain('scrivete a a@b.org per le chiavi');
    expect(ticket?.description).not.toContain('mailto');
    const shown = JSON.stringify({ text: card.text, blocks: card.blocks });
    expect(shown).toContain('scrivete a [email] per le chiavi');
    expect(shown).not.toContain('mailto');
  });

  it("the bot's own events are acknowledged and ignored, never stored, as Bolt's ignoreSelf would; the token is verified once, at start", async () => {
    // The fake's auth.test names the bot UBOT / BBOT; the one adapter started so far asked once.
    expect(fake.ok('auth.test')).toHaveLength(1);
    const before = fake.calls.length;
    const own = [
      eventCallback(dmEvent('UBOT', 'un messaggio del bot stesso')),
      eventCallback({ type: 'app_mention', channel: GENERAL, user: 'UBOT', text: '<@UBOT> aiuto', ts: '1800000002.000001' }),
      eventCallback({
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'BBOT',
        channel: dmChannelOf('U_ANNA'),
        channel_type: 'im',
        text: 'eco',
      }),
    ];
    // What reaches the inbox is noted by a trigger: our own events are acknowledged unstored.
    const db = stack.tdb.db;
    await sql`create table inbox_seen (delivery_id text)`.execute(db);
    await sql`create function note_inbox() returns trigger language plpgsql as $$
      begin insert into inbox_seen values (new.delivery_id); return new; end $$`.execute(db);
    await sql`create trigger note_inbox after insert on inbound_inbox for each row execute function note_inbox()`.execute(db);
    try {
      for (const e of own) expect((await send(e)).status).toBe(200);
      const someone = eventCallback(dmEvent('U_ANNA', 'aiuto'));
      expect((await send(someone)).status).toBe(200);
      for (const e of [...own, someone]) await leftInbox(String(e.json.event_id));
      await stack.settle();
      const seen = (await sql<{ delivery_id: string }>`select delivery_id from inbox_seen`.execute(db)).rows.map((r) => r.delivery_id);
      expect(seen).toEqual([String(someone.json.event_id)]);
    } finally {
      await sql`drop trigger note_inbox on inbound_inbox`.execute(db);
      await sql`drop function note_inbox()`.execute(db);
      await sql`drop table inbox_seen`.execute(db);
    }
    const ids = new Set(own.map((e) => e.json.event_id));
    expect(stack.handled.filter((h) => ids.has(h.deliveryId))).toEqual([]);
    expect(fake.calls.slice(before).filter((c) => c.args.channel !== dmChannelOf('U_ANNA'))).toEqual([]);
  });
});

describe('Slack events inbox', () => {
  it('answers an event once it is stored; an engine run that fails (database down) is replayed by the sweep and counts once', async () => {
    await stack.settle();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const results: string[] = [];
    /** The real engine, held until the test releases it. */
    class HeldEngine extends ConversationEngine {
      override async handle(inbound: Inbound) {
        await released;
        const result = await super.handle(inbound);
        results.push(result.status);
        return result;
      }
    }
    const engine = new HeldEngine({
      registry: REGISTRY,
      store: stack.store,
      clock: stack.clock,
      defaultLocale: 'it',
      onWritten: () => stack.dispatcher.kick(),
      isTransient: isTransientDatabaseError,
    });
    const held = await startSlackAdapter(
      { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
      { engine, store: stack.store, log, inbox: { leaseMs: 300, sweepEveryMs: 100 } },
    );
    const route = await serveRoutes(held.routes);
    const outage = databaseOutage(stack.tdb.url);
    const channel = dmChannelOf('U_ANNA');
    const before = fake.posts(channel).length;
    const event = eventCallback(dmEvent('U_ANNA', 'chisono'));
    const id = String(event.json.event_id);
    // Whichever process replays it (this one or the main adapter), what the engines made of it.
    const outcomes = () => [...results, ...stack.handled.filter((h) => h.deliveryId === id).map((h) => h.status)];
    try {
      const r = await postSigned(`${route.url}/slack/events`, SECRET, event);
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(2000);
      // Answered with the engine still held: the event was stored before the answer.
      expect(await inInbox(id)).toBe(1);
      expect(outcomes()).toEqual([]);
      warnings.length = 0;
      await outage.takeDown();
      try {
        release();
        // Before the inbox, an event failing after Slack's answer was lost here.
        await until('the engine run to fail', () => warnings.includes('inbox event not handled, left for the replay sweep'));
      } finally {
        await outage.bringUp();
      }
      await until('the replay', () => outcomes().length > 0);
      await leftInbox(id);
      expect(outcomes()).toEqual(['handled']);
      await stack.settle();
      expect(
        fake
          .posts(channel)
          .slice(before)
          .map((p) => unescape(p.text)),
      ).toEqual([expect.stringContaining('Anna Bianchi')]);
    } finally {
      release();
      await outage.bringUp();
      await held.stop();
      await route.close();
      // The failed run was logged as such.
      expect(errors.length).toBeGreaterThan(0);
      errors.length = 0;
    }
  });

  it('events a process left in the inbox when it died are replayed once their lease ran out, and count once', async () => {
    await stack.settle();
    const channel = dmChannelOf('U_BRUNO');
    const before = fake.posts(channel).length;
    const statuses = (id: string) => stack.handled.filter((h) => h.deliveryId === id).map((h) => h.status);
    // Handled, but its process died before removing it from the inbox.
    const done = eventCallback(dmEvent('U_BRUNO', 'chisono'));
    const doneId = String(done.json.event_id);
    expect((await send(done)).status).toBe(200);
    await leftInbox(doneId);
    expect(statuses(doneId)).toEqual(['handled']);
    // Stored, and Slack answered, but never handled: its process died right after answering.
    const lost = eventCallback(dmEvent('U_BRUNO', 'chisono'));
    const lostId = String(lost.json.event_id);
    const died = new Date(Date.now() - 5000);
    const left = [done, lost].map((e) => ({
      platform: 'slack' as const,
      deliveryId: String(e.json.event_id),
      payload: e.json,
      receivedAt: died,
      leasedUntil: died,
    }));
    expect((await stack.store.inbox.add(left)).sort()).toEqual([doneId, lostId].sort());
    await leftInbox(lostId);
    await leftInbox(doneId);
    expect(statuses(lostId)).toEqual(['handled']);
    expect(statuses(doneId)).toEqual(['handled', 'duplicate']);
    await stack.settle();
    expect(
      fake
        .posts(channel)
        .slice(before)
        .map((p) => unescape(p.text)),
    ).toEqual([expect.stringContaining('Bruno Verdi'), expect.stringContaining('Bruno Verdi')]);
  });
});

describe('Slack adapter in Socket Mode', () => {
  it('connects with the app token, acks envelopes and hands events and commands to the engine', async () => {
    const socket = await startSlackAdapter(
      { botToken: fake.token, appToken: 'xapp-test', apiUrl: fake.apiUrl },
      { engine: stack.engine, store: stack.store, log },
    );
    try {
      expect(socket.routes).toEqual([]);
      expect(fake.socketConnected).toBe(true);
      const channel = dmChannelOf('U_ANNA');
      const before = fake.posts(channel).length;
      const ack = await fake.socketSend('events_api', eventCallback(dmEvent('U_ANNA', 'chisono')).json, 'env-1');
      expect(ack).toEqual({});
      const answer = await fake.waitFor(() =>
        fake
          .posts(channel)
          .slice(before)
          .find((p) => unescape(p.text).includes('Anna Bianchi')),
      );
      expect(answer).toBeDefined();

      const cmdAck = await fake.socketSend('slash_commands', slashCommand('U_ANNA', GENERAL, 'certifica @nuovo volontario').form, 'env-2');
      expect(cmdAck).toEqual({});
      const refusals = fake.ok('chat.postEphemeral', (a) => a.channel === GENERAL && a.user === 'U_ANNA').length;
      await fake.waitFor(() => fake.ok('chat.postEphemeral', (a) => a.channel === GENERAL && a.user === 'U_ANNA').length > refusals);
    } finally {
      await socket.stop();
    }
  });

  it("a DM's sender is looked up, and its DM channel stored, by the statement storing the event: handling it asks neither again", async () => {
    await stack.settle();
    const lookups: string[] = [];
    const { deliveryContext: context, people } = stack.store;
    const watched = Object.assign(Object.create(stack.store) as Store, {
      deliveryContext: Object.assign(Object.create(context) as typeof context, {
        rememberDmChannels: (...args: Parameters<typeof context.rememberDmChannels>) => {
          lookups.push('rememberDmChannels');
          return context.rememberDmChannels(...args);
        },
      }),
      people: Object.assign(Object.create(people) as typeof people, {
        knownAccounts: (...args: Parameters<typeof people.knownAccounts>) => {
          lookups.push('knownAccounts');
          return people.knownAccounts(...args);
        },
      }),
    });
    const fresh = await startSlackAdapter(
      { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
      { engine: stack.engine, store: watched, log },
    );
    const route = await serveRoutes(fresh.routes);
    try {
      const event = eventCallback(dmEvent('U_BRUNO', 'chisono'));
      expect((await postSigned(`${route.url}/slack/events`, SECRET, event)).status).toBe(200);
      await until('the DM handled', () => stack.handled.some((h) => h.deliveryId === event.json.event_id));
      expect(lookups).toEqual([]);
      expect(await stack.store.deliveryContext.findDmChannel('slack', 'U_BRUNO')).toBe(dmChannelOf('U_BRUNO'));
    } finally {
      await fresh.stop();
      await route.close();
    }
  });

  it('stores an event in the inbox before acknowledging its envelope, and removes it once handled', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const handled: string[] = [];
    class HeldEngine extends ConversationEngine {
      override async handle(inbound: Inbound) {
        await released;
        const result = await super.handle(inbound);
        handled.push(result.status);
        return result;
      }
    }
    const engine = new HeldEngine({ registry: REGISTRY, store: stack.store, clock: stack.clock, defaultLocale: 'it' });
    const socket = await startSlackAdapter(
      { botToken: fake.token, appToken: 'xapp-test', apiUrl: fake.apiUrl },
      { engine, store: stack.store, log },
    );
    try {
      const event = eventCallback(dmEvent('U_ANNA', 'chisono'));
      const id = String(event.json.event_id);
      expect(await fake.socketSend('events_api', event.json, 'env-stored')).toEqual({});
      // Acknowledged while the engine is held: stored first.
      expect(await inInbox(id)).toBe(1);
      expect(handled).toEqual([]);
      release();
      await leftInbox(id);
      expect(handled).toEqual(['handled']);
    } finally {
      release();
      await socket.stop();
    }
  });

  it('acknowledges a slash command within 3 s even when the engine is held, and handles it once released', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const handled: string[] = [];
    class HeldEngine extends ConversationEngine {
      override async handle(inbound: Inbound) {
        await released;
        const result = await super.handle(inbound);
        handled.push(inbound.deliveryId);
        return result;
      }
    }
    const engine = new HeldEngine({ registry: REGISTRY, store: stack.store, clock: stack.clock, defaultLocale: 'it' });
    const socket = await startSlackAdapter(
      { botToken: fake.token, appToken: 'xapp-test', apiUrl: fake.apiUrl },
      { engine, store: stack.store, log },
    );
    try {
      const t0 = performance.now();
      const ack = await fake.socketSend('slash_commands', slashCommand('U_ANNA', GENERAL, 'chisono').form, 'env-held');
      const ms = performance.now() - t0;
      expect(ack).toEqual({});
      expect(ms).toBeGreaterThanOrEqual(2400);
      expect(ms).toBeLessThan(3000);
      expect(handled).toEqual([]);
      release();
      await fake.waitFor(() => handled.length === 1);
    } finally {
      release();
      await socket.stop();
    }
  });
});

describe('Slack adapter acknowledgement and shutdown', () => {
  it('refuses to start with a token Slack rejects, or without a signing secret or app token', async () => {
    const deps = { engine: stack.engine, store: stack.store, log };
    await expect(startSlackAdapter({ botToken: 'xoxb-wrong', signingSecret: SECRET, apiUrl: fake.apiUrl }, deps)).rejects.toThrow(
      /invalid_auth/,
    );
    await expect(startSlackAdapter({ botToken: fake.token, apiUrl: fake.apiUrl }, deps)).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('answers a click and an event within 3 s even when the engine is slow, a click not before it is handled; stop() waits for the work in flight', async () => {
    const finished: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    /** The real engine, held until the test releases it: slower than Slack's 3 seconds. */
    class SlowEngine extends ConversationEngine {
      override async handle(inbound: Inbound) {
        await released;
        const result = await super.handle(inbound);
        finished.push(inbound.deliveryId);
        return result;
      }
    }
    const engine = new SlowEngine({
      registry: REGISTRY,
      store: stack.store,
      clock: stack.clock,
      defaultLocale: 'it',
      onWritten: () => stack.dispatcher.kick(),
    });
    const slow = await startSlackAdapter(
      { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
      { engine, store: stack.store, log },
    );
    const route = await serveRoutes(slow.routes);
    try {
      const event = eventCallback(dmEvent('U_ANNA', 'chisono'));
      const [click, r] = await Promise.all([
        postSigned(
          `${route.url}/slack/events`,
          SECRET,
          buttonPress({ user: 'U_ANNA', channel: dmChannelOf('U_ANNA'), messageTs: '1.1', actionId: 'intake.cancel#0' }),
        ),
        postSigned(`${route.url}/slack/events`, SECRET, event),
      ]);
      // Slack never delivers a click again: it is answered once handled, or at the 2.5 s cap
      // (a process killed before then leaves it unanswered, and Slack shows the person it failed).
      expect(click.status).toBe(200);
      expect(click.ms).toBeGreaterThanOrEqual(2400);
      expect(click.ms).toBeLessThan(3000);
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(3000);
      expect(finished).toEqual([]); // both answered while the engine was still held
      let stopped = false;
      const stopping = slow.stop().then(() => (stopped = true));
      await new Promise((r) => setImmediate(r));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(finished).toEqual([expect.stringMatching(/^action:/), event.json.event_id]);
      expect((await postSigned(`${route.url}/slack/events`, SECRET, eventCallback(dmEvent('U_ANNA', 'ciao')))).status).toBe(503);
    } finally {
      release();
      await slow.stop();
      await route.close();
    }
  });

  it('a replay reaching another process while the first delivery is still in its transaction counts once; a redelivery meanwhile is left to them', async () => {
    await stack.settle();
    // Process A stores the event and answers Slack at once, then is held before committing,
    // past its (short) lease: process B (the main adapter) replays the event from the inbox.
    let inTransaction!: () => void;
    const reached = new Promise<void>((r) => (inTransaction = r));
    let commit!: () => void;
    const committing = new Promise<void>((r) => (commit = r));
    const holding: Store = Object.assign(Object.create(stack.store) as Store, {
      transaction: <T>(work: (repos: Repositories) => Promise<T>, opts?: Parameters<Store['transaction']>[1]) =>
        stack.store.transaction((repos) => {
          const turns = Object.create(repos.turns) as Repositories['turns'];
          turns.open = async (...args: Parameters<Repositories['turns']['open']>) => {
            const first = await repos.turns.open(...args);
            if (first) {
              inTransaction();
              await committing;
            }
            return first;
          };
          return work(Object.create(repos, { turns: { value: turns } }) as Repositories);
        }, opts),
    });
    const handledByA: string[] = [];
    const engineA = new ConversationEngine({
      registry: REGISTRY,
      store: holding,
      clock: stack.clock,
      defaultLocale: 'it',
      onWritten: () => stack.dispatcher.kick(),
      onHandled: (_inbound, result) => void handledByA.push(result.status),
    });
    const a = await startSlackAdapter(
      { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
      { engine: engineA, store: stack.store, log, inbox: { leaseMs: 300, sweepEveryMs: 60_000 } },
    );
    const routeA = await serveRoutes(a.routes);
    const channel = dmChannelOf('U_BRUNO');
    const before = fake.posts(channel).length;
    const event = eventCallback(dmEvent('U_BRUNO', 'chisono'));
    const id = String(event.json.event_id);
    try {
      expect((await postSigned(`${routeA.url}/slack/events`, SECRET, event)).status).toBe(200);
      await reached;
      expect(handledByA).toEqual([]);
      // Slack's own redelivery finds the event stored: answered, and left to whoever holds it.
      expect((await send(event, { retryNum: 1 })).status).toBe(200);
      // B's replay waits on A's uncommitted delivery row (or B finished: the checks below tell).
      await lockWaiters(stack.tdb.db, 1, () => stack.handled.some((h) => h.deliveryId === id));
      commit();
      await until('process A to finish', () => handledByA.length > 0);
      await until('the replay to finish', () => stack.handled.some((h) => h.deliveryId === id));
      expect(handledByA).toEqual(['handled']);
      expect(stack.handled.filter((h) => h.deliveryId === id).map((h) => h.status)).toEqual(['duplicate']);
      await leftInbox(id);
      await stack.settle();
      expect(
        fake
          .posts(channel)
          .slice(before)
          .map((p) => unescape(p.text)),
      ).toEqual([expect.stringContaining('Bruno Verdi')]);
    } finally {
      commit();
      await a.stop();
      await routeA.close();
    }
  });

  it('never answers 200 to an event before it is stored: a store slower than 2.5 s that then fails answers 500', async () => {
    let failStore!: () => void;
    const storeFails = new Promise<void>((r) => (failStore = r));
    let storing!: () => void;
    const storeStarted = new Promise<void>((r) => (storing = r));
    // The inbox's insert waits for a connection (a busy pool) until the test makes it fail.
    const stuck: Store = Object.assign(Object.create(stack.store) as Store, {
      inbox: Object.assign(Object.create(stack.store.inbox) as Store['inbox'], {
        addWithSenders: async () => {
          storing();
          await storeFails;
          throw new Error('timeout exceeded when trying to connect');
        },
      }),
    });
    const a = await startSlackAdapter(
      { botToken: fake.token, signingSecret: SECRET, apiUrl: fake.apiUrl },
      { engine: stack.engine, store: stuck, log: { ...log, error() {} } },
    );
    const route = await serveRoutes(a.routes);
    try {
      const event = eventCallback(dmEvent('U_ANNA', 'chisono'));
      const answered = postSigned(`${route.url}/slack/events`, SECRET, event);
      await storeStarted;
      // Past the 2.5 s a click is answered at: still no answer for the event.
      const early = await Promise.race([answered.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 2800))]);
      expect(early).toBe('waiting');
      failStore();
      expect((await answered).status).toBe(500);
      expect(stack.handled.filter((h) => h.deliveryId === event.json.event_id)).toHaveLength(0);
    } finally {
      failStore();
      await a.stop();
      await route.close();
    }
  });

  it('answers 500 to an event the engine could not handle (database down), and the redelivery counts once', async () => {
    // Earlier tests' messages go out first: one still in the outbox when the database goes down
    // would be delivered after the baseline below and pass for a second answer to this event.
    await stack.settle();
    const outage = databaseOutage(stack.tdb.url);
    const event = eventCallback(dmEvent('U_ANNA', 'chisono'));
    await outage.takeDown();
    try {
      expect((await send(event)).status).toBe(500);
    } finally {
      await outage.bringUp();
    }
    // The failure was logged (and only that): the engine could not reach the database.
    expect(errors.length).toBeGreaterThan(0);
    errors.length = 0;
    // Nothing was stored: the redelivery is the event's first handling.
    expect(await inInbox(String(event.json.event_id))).toBe(0);
    const before = fake.posts(dmChannelOf('U_ANNA')).length;
    expect((await send(event, { retryNum: 1 })).status).toBe(200);
    expect((await send(event, { retryNum: 2 })).status).toBe(200);
    await leftInbox(String(event.json.event_id));
    expect(stack.handled.filter((h) => h.deliveryId === event.json.event_id && h.status === 'handled')).toHaveLength(1);
    await stack.settle();
    expect(fake.posts(dmChannelOf('U_ANNA')).length).toBe(before + 1);
  });

  it('a slash command (or click) acknowledged while the database is down is handled once it is back: Slack never redelivers those', async () => {
    await stack.settle();
    const outage = databaseOutage(stack.tdb.url);
    const command = slashCommand('U_ANNA', dmChannelOf('U_ANNA'), 'chisono');
    const deliveryId = `command:${command.form.trigger_id}`;
    const answers = () => fake.calls.filter((c) => c.ok && ['chat.postMessage', 'chat.postEphemeral'].includes(c.method)).length;
    const before = answers();
    warnings.length = 0;
    await outage.takeDown();
    try {
      expect((await send(command)).status).toBe(200);
      // The adapter met the outage and is retrying, not giving up.
      await until('a retry after the failure', () => warnings.includes('slack event not handled, retrying'));
    } finally {
      await outage.bringUp();
    }
    await until('the command handled', () => stack.handled.some((h) => h.deliveryId === deliveryId));
    expect(stack.handled.filter((h) => h.deliveryId === deliveryId).map((h) => h.status)).toEqual(['handled']);
    await stack.settle();
    expect(answers()).toBe(before + 1);
    errors.length = 0;
  });
});
