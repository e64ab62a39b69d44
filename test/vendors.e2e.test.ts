/**
 * A complete engagement end to end through Telegram: real Telegraf (long polling) against the
 * fake Bot API, a real core on a fresh PostgreSQL database, the outbox delivering through the
 * adapter. A company applies in chat, the committee certifies it from its group, a nonprofit asks
 * for a vendor, a moderator confirms the automatic match, the nonprofit picks, the vendor quotes,
 * the ICT lead approves, the vendor's first-response warning fires on the same SLA clock, the
 * vendor claims and resolves, the requester confirms and reviews. Every message typed and every
 * button pressed is counted per party (the figures in the README).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInline } from '../bots/telegram/callback-data.ts';
import { startTelegramAdapter, type TelegramAdapter } from '../bots/telegram/telegram-adapter.ts';
import { fireSlaEvent } from '../core/escalation/fire-sla-event.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { type FakeCall, TelegramFake } from './fakes/telegram-fake.ts';
import { createStack, type Stack } from './stack.ts';
import { WAIT_MS } from './wait.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const VOLUNTEERS = -1001000000001;
const COMMITTEE = -1001000000003;
const user = (id: number, first: string, last: string) => ({
  id,
  is_bot: false as const,
  first_name: first,
  last_name: last,
  language_code: 'it',
});
const ANNA = user(1001, 'Anna', 'Bianchi'); // requester
const LUCA = user(1002, 'Luca', 'Referente'); // the nonprofit's ICT lead
const MARCO = user(3003, 'Marco', 'Moderatore');
const CARLA = user(5005, 'Carla', 'Comitato');
const PAOLO = user(6006, 'Paolo', 'Fornitore'); // not known to Sportello yet: applies for his company
type TgUser = ReturnType<typeof user>;
const PARTIES = { vendor: PAOLO, committee: CARLA, requester: ANNA, ictLead: LUCA, moderator: MARCO } as const;

let stack: Stack;
let fake: TelegramFake;
let adapter: TelegramAdapter;
let now = new Date('2026-03-02T09:00:00Z').getTime(); // Monday, 10:00 in Rome
const clock = { now: () => new Date(now) };
let messageIds = 70_000;
let queries = 1;
/** What each person did: messages typed, buttons pressed. */
const typed = new Map<number, number>();
const clicks = new Map<number, number>();
const bump = (m: Map<number, number>, who: TgUser) => m.set(who.id, (m.get(who.id) ?? 0) + 1);

const textOf = (c: FakeCall | undefined) => String(c?.payload.text ?? '');

/** Runs `act`, then waits for the next message the bot sends to `chatId`. */
async function next(chatId: number, act: () => unknown): Promise<FakeCall> {
  const before = fake.sentTo(chatId).length;
  await act();
  return fake.waitFor(() => fake.sentTo(chatId)[before], WAIT_MS, `a message to ${chatId}`);
}

function say(who: TgUser, text: string, opts: { chat?: number; replyTo?: FakeCall } = {}): Promise<FakeCall> {
  bump(typed, who);
  const chat = opts.chat
    ? { id: opts.chat, type: 'supergroup', title: 'Comitato' }
    : { id: who.id, type: 'private', first_name: who.first_name };
  const replied = opts.replyTo ? { reply_to_message: { ...(opts.replyTo.result as object), date: Math.floor(now / 1000) } } : {};
  return next(who.id, () =>
    fake.push({ message: { message_id: messageIds++, date: Math.floor(now / 1000), chat, from: who, text, ...replied } }),
  );
}

/** Presses the button `actionId` (with `value`, if given) on `m`; returns the next message to `waitIn`. */
function press(who: TgUser, m: FakeCall, actionId: string, value?: string, waitIn = who.id): Promise<FakeCall> {
  const rows = (m.payload.reply_markup as { inline_keyboard: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? [];
  const hit = rows.flat().find((b) => {
    const a = decodeInline(b.callback_data);
    return a?.id === actionId && (value === undefined || a.value === value);
  });
  if (!hit) throw new Error(`no ${actionId} button in ${JSON.stringify(m.payload)}`);
  bump(clicks, who);
  const sent = m.result as object;
  return next(waitIn, () =>
    fake.push({
      callback_query: {
        id: `q${queries++}`,
        from: who,
        chat_instance: 'ci',
        data: hit.callback_data,
        message: { ...sent, date: Math.floor(now / 1000) },
      },
    }),
  );
}

beforeAll(async () => {
  stack = await createStack({ clock });
  const org = await stack.org('Associazione Il Girasole ODV', '97000000001');
  await stack.person({ platform: 'telegram', externalId: String(ANNA.id), name: 'Anna Bianchi', roles: ['requester'], orgId: org });
  await stack.person({ platform: 'telegram', externalId: String(LUCA.id), name: 'Luca Referente', roles: ['ict_lead'], orgId: org });
  await stack.person({ platform: 'telegram', externalId: String(MARCO.id), name: 'Marco Moderatore', roles: ['moderator'] });
  await stack.person({ platform: 'telegram', externalId: String(CARLA.id), name: 'Carla Comitato', roles: ['committee'] });
  await stack.bind('volunteers', 'telegram', String(VOLUNTEERS));
  await stack.bind('committee', 'telegram', String(COMMITTEE));
  fake = await TelegramFake.start();
  adapter = await startTelegramAdapter(
    { token: fake.token, apiRoot: fake.apiRoot },
    { engine: stack.engine, store: stack.store, log: silent },
  );
  stack.setSender('telegram', adapter.sender);
});
afterAll(async () => {
  await adapter?.stop();
  await fake?.close();
  await stack?.close();
});

describe('a complete engagement through Telegram', () => {
  let ref = '';
  const received = new Map<number, number>();

  it('runs from the application to the review', { timeout: 120_000 }, async () => {
    // The ticket exists before the vendor flow (opened by Anna, a P2 incident; not counted).
    ref = await stack.store.transaction(async (repos) => {
      const anna = (await repos.people.findIdentity('telegram', String(ANNA.id)))!;
      const actor = await actorForPerson(repos, (await repos.people.findPerson(anna.personId))!);
      const ctx = { repos, clock, actor, notifier: new Notifier(repos, 'it'), defaultLocale: 'it' as const };
      const { ticket } = await createTicket(ctx, {
        kind: 'incident',
        title: 'Switch guasto',
        description: 'Lo switch della sede è guasto, niente rete',
        impact: 2,
        urgency: 1,
      });
      await ctx.notifier.flush(clock.now());
      return ticket.ref;
    });
    await stack.settle();
    for (const who of Object.values(PARTIES)) received.set(who.id, fake.sentTo(who.id).length);
    received.set(COMMITTEE, fake.sentTo(COMMITTEE).length);

    // 1. The company applies in a private chat with the bot: five questions, then Send.
    let m = await say(PAOLO, '/fornitore candidatura');
    expect(textOf(m)).toContain("Come si chiama l'azienda?");
    for (const answer of ['Rete Sicura srl', '12345678903', 'Lombardia, Piemonte', 'rete, sicurezza']) m = await say(PAOLO, answer);
    m = await say(PAOLO, 'info@retesicura.example, 02 1234567');
    expect(textOf(m)).toContain('Riepilogo: Rete Sicura srl, partita IVA 12345678903');
    m = await press(PAOLO, m, 'vendor.apply', 'send');
    expect(textOf(m)).toContain('Candidatura FOR-000001 di Rete Sicura srl inviata al comitato etico');

    // 2. The committee approves from its group: Approve, then the reason as a reply to the card.
    const application = await fake.waitFor(
      () => fake.sentTo(COMMITTEE).find((c) => textOf(c).includes("Candidatura all'albo: FOR-000001")),
      WAIT_MS,
      'the application card',
    );
    const ask = await press(CARLA, application, 'vendor.decide', 'approve:FOR-000001');
    expect(textOf(ask)).toContain('Scrivi il motivo per «approvare» FOR-000001');
    const toPaolo = await next(PAOLO.id, () =>
      say(CARLA, 'visura camerale e referenze verificate', { chat: COMMITTEE, replyTo: application }),
    );
    expect(textOf(toPaolo)).toContain("siete nell'albo fino al 2 marzo 2027");
    await fake.waitFor(
      () =>
        fake.sentTo(COMMITTEE).some((c) => textOf(c).startsWith('Albo: Rete Sicura srl (FOR-000001) è certificato fino al 2 marzo 2027')),
      WAIT_MS,
      'the announcement',
    );

    // 3. The requester asks for a vendor; the moderator confirms the automatic match.
    const toMarco = await next(MARCO.id, () => say(ANNA, `fornitore ${ref} rete lombardia`));
    expect(textOf(toMarco)).toContain('Proposta automatica: FOR-000001 Rete Sicura srl.');
    const proposal = await next(ANNA.id, () => press(MARCO, toMarco, 'vendor.propose'));
    expect(textOf(proposal)).toContain(`Fornitori proposti per ${ref}`);

    // 4. The nonprofit picks; the vendor, asked for a quote, now sees the ticket.
    const quoteRequest = await next(PAOLO.id, () => press(ANNA, proposal, 'vendor.pick', `${ref}:FOR-000001`));
    expect(textOf(quoteRequest)).toContain(`vi ha scelto per ${ref}`);
    const toLuca = await next(LUCA.id, () => say(PAOLO, `preventivo ${ref} 350 5 sostituzione dello switch e configurazione VLAN`));
    expect(textOf(toLuca)).toContain('Rete Sicura srl propone');

    // 5. The ICT lead approves: the ticket moves to the vendor tier, the vendor SLA starts.
    const started = await next(PAOLO.id, () => press(LUCA, toLuca, 'vendor.approve'));
    expect(textOf(started)).toContain(`Preventivo approvato: ${ref} è vostro`);
    expect((await stack.store.tickets.findByRef(ref))?.tier).toBe('vendor');

    // 6. 95 minutes later nobody took it: the re-announcement at half the vendor's 2-hour first
    // response, then its 75 % warning, both to the vendor's members (not the volunteers' group).
    now += 95 * 60_000;
    const before = fake.sentTo(PAOLO.id).length;
    for (const e of await stack.store.sla.listDue(clock.now(), 50))
      await fireSlaEvent({ store: stack.store, clock, defaultLocale: 'it' }, e.id);
    stack.dispatcher.kick();
    const warned = await fake.waitFor(
      () =>
        fake
          .sentTo(PAOLO.id)
          .slice(before)
          .find((c) => textOf(c).startsWith(`⏰ ${ref}`)),
      WAIT_MS,
      'the warning',
    );
    expect(
      fake
        .sentTo(PAOLO.id)
        .slice(before)
        .map((c) => [...textOf(c)][0]),
    ).toEqual(['📣', '⏰']);
    expect(fake.sentTo(VOLUNTEERS).some((c) => textOf(c).startsWith('📣'))).toBe(false);

    // 7. The vendor claims (from the warning) and resolves with the existing commands.
    const claimed = await next(ANNA.id, () => press(PAOLO, warned, 'ticket.claim', ref));
    expect(textOf(claimed)).toContain(`Paolo Fornitore ha preso in carico il tuo ticket ${ref}`);
    const resolved = await next(ANNA.id, () => say(PAOLO, `risolvi ${ref} switch sostituito, VLAN configurate`));

    // 8. The requester confirms and reviews: stars, then a comment.
    const stars = await press(ANNA, resolved, 'ticket.confirm');
    expect(textOf(stars)).toContain(`Com'è andato il lavoro del fornitore su ${ref}?`);
    const askComment = await press(ANNA, stars, 'vendor.review', `${ref}:5`);
    expect(textOf(askComment)).toContain('Aggiungi un commento');
    const thanks = await say(ANNA, 'Veloci, chiari e puntuali');
    expect(textOf(thanks)).toBe(`Grazie: la recensione di ${ref} è nell'albo.`);
    await fake.waitFor(
      () => fake.sentTo(COMMITTEE).some((c) => textOf(c).includes('★★★★★ «Veloci, chiari e puntuali»')),
      WAIT_MS,
      'the review in the committee group',
    );
    await stack.settle();

    const ticket = (await stack.store.tickets.findByRef(ref))!;
    expect(ticket).toMatchObject({ status: 'closed', tier: 'vendor' });
    const engagement = (await stack.store.vendors.findEngagementForTicket(ticket.id))!;
    expect(engagement.status).toBe('active');
    expect(await stack.store.vendors.findReview(engagement.id)).toMatchObject({ rating: 5, comment: 'Veloci, chiari e puntuali' });
  });

  it('took, per party, these messages typed and buttons pressed (and received these messages)', () => {
    const figures = Object.fromEntries(
      Object.entries(PARTIES).map(([party, who]) => [
        party,
        {
          typed: typed.get(who.id) ?? 0,
          clicks: clicks.get(who.id) ?? 0,
          received: fake.sentTo(who.id).length - (received.get(who.id) ?? 0),
        },
      ]),
    );
    const committeeGroup = fake.sentTo(COMMITTEE).length - (received.get(COMMITTEE) ?? 0);
    console.log(`vendor flow figures: ${JSON.stringify({ ...figures, committeeGroup })}`);
    // Received: private messages from the bot (questions, confirmations, notices); the committee's
    // group also gets the application card, the approval, the engagement started and the review.
    expect(figures).toEqual({
      vendor: { typed: 8, clicks: 2, received: 18 },
      committee: { typed: 1, clicks: 1, received: 2 },
      requester: { typed: 2, clicks: 3, received: 10 },
      ictLead: { typed: 0, clicks: 1, received: 4 },
      moderator: { typed: 0, clicks: 1, received: 2 },
    });
    expect(committeeGroup).toBe(4);
  });
});
