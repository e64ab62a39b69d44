/**
 * Privacy rights through the engine on a real database: Anna's data is made across features in
 * chat (a ticket with comments, a community question and vote, a deflection, web chat messages,
 * a dashboard session, an open dialog); her export holds all of it and nothing of anyone else;
 * `i miei dati` / `my data` delivers it privately as a one-time link; her erasure leaves her name,
 * contacts, account and texts nowhere in the database while every history keeps its rows; the
 * retention clears only tickets closed before the cutoff, once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyRoutes } from '../bots/privacy/privacy-routes.ts';
import { Actor } from '../core/kernel/actor.ts';
import type { UseCaseContext } from '../core/kernel/context.ts';
import { DomainError } from '../core/kernel/errors.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { applyRetention, downloadExport, erasePersonData, exportPersonData, REMOVED_TEXT } from '../core/privacy/privacy.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let annaId: string;
let brunoId: string;
const COMMUNITY = { id: 'community', kind: 'channel' as const };
const VOLUNTEERS = { id: 'volontari', kind: 'channel' as const };
const lastText = (who: string) => h.sender.texts(who).at(-1) ?? '';

// What only Anna wrote or is: each must be gone after the erasure.
const ANNA = {
  name: 'Anna Bianchi',
  email: 'anna.bianchi@girasole.example',
  phone: '+39 347 5550199',
  description: 'Il portatile della segreteria Zanzibar non si accende più da stamattina',
  title: 'Portatile Zanzibar spento',
  comment: 'Ho provato anche con il caricatore Quokka ma niente da fare',
  question: 'Come si imposta la PEC Ornitorinco su Thunderbird?',
  web: 'Messaggio web Capibara: la stampante perde colpi',
};
// What others wrote: never in Anna's export.
const OTHERS = {
  veraComment: 'Passo domani in sede con un alimentatore Pangolino',
  veraAnswer: 'Usa le impostazioni IMAP del gestore Fenicottero',
  brunoDescription: 'Il router Lemure della cooperativa si riavvia da solo',
};

/** Drives an intake as `who` to the end; returns the ticket's ref. */
async function openTicket(who: string, first: string, title: string): Promise<string> {
  await h.send({ from: who, text: first });
  for (let i = 0; i < 10; i++) {
    const m = h.sender.last(who)!.message;
    const ids = (m.buttons ?? []).map((b) => b.actionId);
    if (ids.includes('intake.confirm')) break;
    if (ids.includes('intake.open')) await h.press(who, 'intake.open', m.buttons![1]!.value);
    else if (ids.includes('intake.kind')) await h.press(who, 'intake.kind', 'incident');
    else if (ids.includes('intake.impact')) await h.press(who, 'intake.impact', '3');
    else if (ids.includes('intake.urgency')) await h.press(who, 'intake.urgency', '2');
    else if (ids.includes('intake.keep')) await h.press(who, 'intake.keep', '');
    else if (ids.includes('intake.skip')) await h.press(who, 'intake.skip', '');
    else await h.send({ from: who, text: title });
  }
  const confirm = h.sender.last(who)!.message.buttons!.find((b) => b.actionId === 'intake.confirm')!;
  await h.press(who, 'intake.confirm', confirm.value);
  return /INC-\d{6}/.exec(lastText(who))![0];
}

/** Runs `work` in one transaction as the system (the CLI operator) or as the person `asId`. */
function as<T>(asId: string | undefined, work: (ctx: UseCaseContext) => Promise<T>): Promise<T> {
  return h.store.transaction(async (repos) => {
    const actor = asId ? await actorForPerson(repos, (await repos.people.findPerson(asId))!) : Actor.system();
    const notifier = new Notifier(repos, 'it');
    const out = await work({ repos, clock: h.clock, actor, notifier, defaultLocale: 'it' });
    await notifier.flush(h.clock.now());
    return out;
  });
}
const personOf = async (id: string) => (await h.store.people.findPerson(id))!;

const HISTORY_TABLES = [
  'tickets',
  'ticket_events',
  'ticket_comments',
  'community_questions',
  'community_answers',
  'community_votes',
  'deflection_offers',
  'web_messages',
  'outbox',
  'role_grants',
] as const;
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of HISTORY_TABLES)
    out[t] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(t)}`.execute(h.tdb.db)).rows[0]!.n);
  return out;
}

/** Every text and jsonb column of the database, with the rows where `needle` (a regex, any case) appears. */
async function occurrences(pattern: string, skipTables: readonly string[] = []): Promise<string[]> {
  const columns = (
    await sql<{ table_name: string; column_name: string }>`
      select c.table_name, c.column_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'jsonb', 'ARRAY')`.execute(h.tdb.db)
  ).rows.filter((c) => !skipTables.includes(c.table_name));
  const found: string[] = [];
  for (const c of columns) {
    const r = await sql<{ v: string }>`select ${sql.ref(c.column_name)}::text as v from ${sql.table(c.table_name)}
      where ${sql.ref(c.column_name)}::text ~* ${pattern}`.execute(h.tdb.db);
    for (const row of r.rows) found.push(`${c.table_name}.${c.column_name}: ${row.v.slice(0, 120)}`);
  }
  return found;
}
const word = (s: string) => `(?<![[:alnum:]_])${s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(?![[:alnum:]_])`;

let annaTicket: string;

beforeAll(async () => {
  h = await createHarness();
  const girasole = await h.org('Associazione Il Girasole ODV', '97000000001');
  const rondine = await h.org('Cooperativa La Rondine', '97000000002');
  annaId = await h.person('anna', ANNA.name, ['requester'], girasole);
  brunoId = await h.person('bruno', 'Bruno Verdi', ['requester'], rondine);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.tdb.db.updateTable('people').set({ email: ANNA.email, phone: ANNA.phone }).where('id', '=', annaId).execute();
  await h.tdb.db.updateTable('people').set({ phone: '+39 320 0000001' }).where('id', '=', brunoId).execute();
  await h.store.people.setLocale(brunoId, 'en');
  await h.bindVolunteers('volontari');
  await h.store.channels.bind({
    purpose: 'community',
    platform: 'web',
    conversationId: 'community',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: h.clock.now(),
  });

  // Anna's ticket, claimed by Vera, with a comment of each; Vera's card quotes Anna's text.
  annaTicket = await openTicket('anna', ANNA.description, ANNA.title);
  await h.press('vera', 'ticket.claim', annaTicket, VOLUNTEERS);
  await h.send({ from: 'anna', text: `commenta ${annaTicket} ${ANNA.comment}` });
  await h.send({ from: 'vera', text: `commenta ${annaTicket} ${OTHERS.veraComment}` });
  // Bruno's ticket: someone else's data.
  await openTicket('bruno', OTHERS.brunoDescription, 'Router Lemure');
  // The community: Anna asks, Vera answers, Anna finds it useful.
  await h.send({ from: 'anna', text: `domanda ${ANNA.question}`, conversation: COMMUNITY });
  const q = /Q-\d{6}/.exec(JSON.stringify(h.sender.sent.slice(-3)))![0];
  await h.send({ from: 'vera', text: `rispondi ${q} ${OTHERS.veraAnswer}`, conversation: COMMUNITY });
  const a = /A-\d{6}/.exec(JSON.stringify(h.sender.sent.slice(-3)))![0];
  await h.send({ from: 'anna', text: `utile ${a}`, conversation: COMMUNITY });
  // Her web chat history (the web adapter stores it), a dashboard session, an intake left open.
  await h.tdb.db
    .insertInto('web_messages' as never)
    .values([
      { conversation: 'dm:anna', author: 'anna', message: JSON.stringify({ text: ANNA.web }) },
      { conversation: 'dm:anna', author: 'bot', message: JSON.stringify({ text: `Hai scritto: ${ANNA.web}` }) },
      { conversation: 'dm:bruno', author: 'bruno', message: JSON.stringify({ text: OTHERS.brunoDescription }) },
    ] as never)
    .execute();
  // A deflection offered at intake (the knowledge base had matches), hers and Bruno's.
  await sql`insert into deflection_offers (source, person_id, platform, query, offered, created_at) values
    ('intake', ${annaId}, 'web', 'Schermo Zanzibar nero all avvio', '{}', ${h.clock.now()}),
    ('intake', ${brunoId}, 'web', ${OTHERS.brunoDescription}, '{}', ${h.clock.now()})`.execute(h.tdb.db);
  await h.store.dashboard.openSession(annaId, h.clock.now(), new Date(h.clock.now().getTime() + 3_600_000));
  await h.send({ from: 'anna', text: 'Il mouse Zanzibar non funziona' });
  expect(
    Number((await sql<{ n: string }>`select count(*) as n from dialogs where key like 'web:%:anna'`.execute(h.tdb.db)).rows[0]!.n),
  ).toBe(1);
}, 120_000);
afterAll(() => h.close());

describe('the export', () => {
  it("holds what Anna wrote and did across features, and nothing of anyone else's", async () => {
    const data = (await as(undefined, async (ctx) =>
      exportPersonData(ctx, await personOf(annaId), { channel: 'cli', reason: 'richiesta via PEC' }),
    )) as Record<string, any>;
    expect(data.person).toMatchObject({ handle: 'anna', display_name: ANNA.name, email: ANNA.email, phone: ANNA.phone });
    expect(data.identities).toEqual([expect.objectContaining({ platform: 'web', external_id: 'anna' })]);
    expect(data.roleGrants).toEqual([expect.objectContaining({ role: 'requester', organisation: 'Associazione Il Girasole ODV' })]);
    const ticket = data.ticketsRequested.find((t: any) => t.ref === annaTicket);
    expect(ticket.description).toContain(ANNA.description);
    expect(ticket.comments.map((c: any) => c.body)).toEqual([ANNA.comment]);
    expect(data.communityQuestions.map((x: any) => x.body)).toEqual([expect.stringContaining('Ornitorinco')]);
    expect(data.communityVotes).toHaveLength(1);
    expect(data.deflectionOffers.map((d: any) => d.query)).toEqual(['Schermo Zanzibar nero all avvio']);
    expect(data.webChatMessages.map((w: any) => w.message.text)).toEqual([ANNA.web]);
    expect(data.dashboardSessions).toHaveLength(1);
    expect(data.dialogs).toHaveLength(1);
    expect(data.ticketActions.length).toBeGreaterThan(0);
    const text = JSON.stringify(data);
    for (const other of [...Object.values(OTHERS), 'Vera', 'vera', 'Bruno', 'bruno', '+39 320 0000001', 'Rondine'])
      expect(text).not.toContain(other);
    const veraId = (await h.store.people.findPersonByHandle('vera'))!.id;
    expect(text).not.toContain(veraId);
    expect(text).not.toContain(brunoId);
    // Recorded: who (the system), when, why.
    const recorded = await h.store.privacy.requests(annaId);
    expect(recorded).toEqual([expect.objectContaining({ kind: 'export', channel: 'cli', requestedBy: null, reason: 'richiesta via PEC' })]);
  });

  it('is refused to anyone but the person and the operator; erasing is for the operator only', async () => {
    const veraId = (await h.store.people.findPersonByHandle('vera'))!.id;
    const refused = as(veraId, async (ctx) => exportPersonData(ctx, await personOf(annaId), { channel: 'chat', reason: 'x' }));
    await expect(refused).rejects.toThrow(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'forbidden' });
    await expect(as(annaId, async (ctx) => erasePersonData(ctx, await personOf(annaId), 'voglio'))).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(
      await as(annaId, async (ctx) => (await exportPersonData(ctx, await personOf(annaId), { channel: 'chat', reason: 'x' })).person),
    ).toMatchObject({
      handle: 'anna',
    });
  });
});

const tokenIn = (text: string | undefined) => /\/miei-dati\?t=([\w-]+)/.exec(text ?? '')?.[1];

describe('"i miei dati" / "my data" in chat', () => {
  it('in a DM, Italian: a one-time link, only to her, that delivers her export once', async () => {
    await h.send({ from: 'anna', text: 'annulla' });
    await h.send({ from: 'anna', text: 'i miei dati' });
    const text = lastText('anna');
    expect(text).toContain('vale 10 minuti e si usa una sola volta');
    const token = tokenIn(text)!;
    expect(token).toBeDefined();
    const got = await downloadExport(h.store, h.clock, token);
    expect(got.ok && (got.data as any).person.handle).toBe('anna');
    expect(await downloadExport(h.store, h.clock, token)).toEqual({ ok: false, refused: 'used' });
    expect(await downloadExport(h.store, h.clock, 'forged-token')).toEqual({ ok: false, refused: 'unknown' });
    expect((await h.store.privacy.requests(annaId)).filter((r) => r.channel === 'chat' && r.requestedBy === annaId)).toHaveLength(2);
  });

  it('in a channel, English: the link goes to a DM, the channel hears only that it was sent privately', async () => {
    const before = h.sender.to('community').length;
    await h.send({ from: 'bruno', text: 'my data', conversation: COMMUNITY });
    const inChannel = h.sender.to('community').slice(before);
    expect(inChannel).toHaveLength(1);
    expect(inChannel[0]!.message.text).toBe('I sent you the link to your data in a private message.');
    expect(inChannel[0]!.ephemeralTo).toBe('bruno');
    const dm = lastText('bruno');
    expect(dm).toContain('valid for 10 minutes and works once');
    const token = tokenIn(dm)!;
    h.clock.advance(11 * 60_000);
    expect(await downloadExport(h.store, h.clock, token)).toEqual({ ok: false, refused: 'expired' });
  });

  it('"mieidati" works too; a sentence starting with "I" or "my" is not the command', async () => {
    await h.send({ from: 'anna', text: 'mieidati' });
    expect(tokenIn(lastText('anna'))).toBeDefined();
    await h.send({ from: 'bruno', text: 'my printer is broken again' });
    expect(lastText('bruno')).not.toContain('my data');
    expect(tokenIn(lastText('bruno'))).toBeUndefined();
    await h.send({ from: 'bruno', text: 'annulla' });
    await h.send({ from: 'bruno', text: 'my' });
    expect(lastText('bruno')).toBe('Write "my data" (or "mydata") to receive, privately, the link to your personal data.');
  });

  it('the download page: GET shows a button (a preview cannot burn the link), POST gives the JSON once', async () => {
    await h.send({ from: 'anna', text: 'i miei dati' });
    const token = tokenIn(lastText('anna'))!;
    const routes = privacyRoutes({ store: h.store, clock: h.clock, defaultLocale: 'it', log: { info() {}, warn() {}, error() {} } });
    const server: Server = createServer((req, res) => {
      const route = routes.find((r) => r.method === req.method && r.path === (req.url ?? '').split('?')[0]);
      if (route) void route.handle(req, res, null);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/miei-dati`;
    try {
      const page = await fetch(`${base}?t=${token}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Scarica i miei dati');
      const post = () =>
        fetch(base, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `t=${token}` });
      const first = await post();
      expect(first.status).toBe(200);
      expect(first.headers.get('content-disposition')).toContain('attachment');
      expect(((await first.json()) as any).person.email).toBe(ANNA.email);
      const again = await post();
      expect(again.status).toBe(401);
      expect(await again.text()).toContain('già stato usato');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the erasure', () => {
  let pseudonymHandle: string;

  it('leaves her name, contacts, account and texts nowhere, and every history whole', async () => {
    // Her Slack account, with an event of hers still waiting in the inbox, and one of someone else's.
    await h.store.people.linkIdentity({ platform: 'slack', externalId: 'UANNA01', personId: annaId, lastSeenAt: h.clock.now() });
    const waiting = (id: string, user: string, text: string) =>
      sql`insert into inbound_inbox (platform, delivery_id, payload, received_at, leased_until)
        values ('slack', ${id}, ${JSON.stringify({ type: 'event_callback', event_id: id, event: { type: 'message', user, text } })}::jsonb,
          ${h.clock.now()}, ${h.clock.now()})`.execute(h.tdb.db);
    await waiting('EvANNA', 'UANNA01', 'Il router Armadillo lampeggia');
    await waiting('EvOTHER', 'UOTHER1', 'La stampante Formichiere è inceppata');
    const before = await counts();
    const eventsBefore = (await sql<{ n: string }>`select count(*) as n from ticket_events where actor_id = ${annaId}`.execute(h.tdb.db))
      .rows[0]!.n;
    const result = await as(undefined, async (ctx) =>
      erasePersonData(ctx, await personOf(annaId), 'richiesta di cancellazione del 2 marzo'),
    );
    expect(result.alreadyErased).toBe(false);
    pseudonymHandle = result.pseudonym.handle;
    expect(result.pseudonym.displayName).toMatch(/^Persona cancellata [0-9A-F]{4}$/);

    const person = await personOf(annaId);
    expect(person).toMatchObject({ handle: pseudonymHandle, displayName: result.pseudonym.displayName, email: null, phone: null });
    expect(await h.store.people.findIdentity('web', 'anna')).toBeUndefined();
    expect(await h.store.people.findPersonByHandle('anna')).toBeUndefined();

    for (const needle of [ANNA.name, ANNA.email, ANNA.phone, 'Zanzibar', 'Quokka', 'Ornitorinco', 'Capibara', 'Armadillo', 'UANNA01'])
      expect(await occurrences(needle.replace(/[+.]/g, '\\$&')), needle).toEqual([]);
    // Her handle, which is also her web account id: as a word, nowhere.
    expect(await occurrences(word('anna'))).toEqual([]);

    // Histories: the same rows; her events still point at her (pseudonymised) person.
    expect(await counts()).toEqual(before);
    expect(
      (await sql<{ n: string }>`select count(*) as n from ticket_events where actor_id = ${annaId}`.execute(h.tdb.db)).rows[0]!.n,
    ).toBe(eventsBefore);
    const ticket = (await h.store.tickets.findByRef(annaTicket))!;
    expect(ticket).toMatchObject({ requesterId: annaId, description: REMOVED_TEXT });
    // Others' texts stay.
    expect((await occurrences('Pangolino')).length).toBeGreaterThan(0);
    expect((await occurrences('Lemure')).length).toBeGreaterThan(0);
    expect(await occurrences('Formichiere')).toHaveLength(1);
    expect((await occurrences('Bruno Verdi')).length).toBeGreaterThan(0);

    // Recorded, with why.
    expect((await h.store.privacy.requests(annaId)).at(-1)).toMatchObject({
      kind: 'erase',
      channel: 'cli',
      requestedBy: null,
      reason: 'richiesta di cancellazione del 2 marzo',
    });
  });

  it('erasing twice is harmless: by the old handle nobody is found, by the pseudonym nothing changes', async () => {
    const before = await counts();
    const byOldHandle = h.store.people.findPersonByHandle('anna');
    expect(await byOldHandle).toBeUndefined();
    const again = await as(undefined, async (ctx) =>
      erasePersonData(ctx, (await ctx.repos.people.findPersonByHandle(pseudonymHandle))!, 'di nuovo'),
    );
    expect(again.alreadyErased).toBe(true);
    expect(again.pseudonym.handle).toBe(pseudonymHandle);
    expect(await counts()).toEqual(before);
    expect((await h.store.privacy.requests(annaId)).filter((r) => r.kind === 'erase')).toHaveLength(2);
  });

  it('her account writing again is a stranger: nothing of hers is reached', async () => {
    await h.send({ from: 'anna', text: 'i miei dati' });
    expect((await h.store.people.findIdentity('web', 'anna'))?.personId).not.toBe(annaId);
    const token = tokenIn(lastText('anna'));
    if (token) {
      const got = await downloadExport(h.store, h.clock, token);
      expect(got.ok && (got.data as any).person.id).not.toBe(annaId);
    }
  });
});

describe('the retention', () => {
  const ago = (months: number) => new Date(h.clock.now().getTime() - months * 30.5 * 86_400_000);

  it('clears only tickets closed before the cutoff, once; the period is configurable', async () => {
    const old = await openTicket('bruno', 'Il vecchio switch Tapiro perde pacchetti', 'Switch Tapiro');
    const recent = await openTicket('bruno', 'Il proiettore Gibbone non si accende', 'Proiettore Gibbone');
    const open = await openTicket('bruno', 'La stampante Okapi inceppa la carta', 'Stampante Okapi');
    await h.send({ from: 'bruno', text: `commenta ${old} Dettagli Tapiro: porta 7` });
    const close = (ref: string, at: Date) =>
      h.tdb.db.updateTable('tickets').set({ status: 'closed', closed_at: at, resolved_at: at }).where('ref', '=', ref).execute();
    await close(old, ago(25));
    await close(recent, ago(23));

    const first = await applyRetention({ store: h.store, clock: h.clock }, 24);
    expect(first.cleared).toEqual([old]);
    const cleared = (await h.store.tickets.findByRef(old))!;
    expect(cleared).toMatchObject({ title: REMOVED_TEXT, description: REMOVED_TEXT, requesterId: brunoId });
    expect(await occurrences('Tapiro')).toEqual([]);
    expect((await occurrences('Gibbone')).length).toBeGreaterThan(0);
    expect((await occurrences('Okapi')).length).toBeGreaterThan(0);
    expect((await applyRetention({ store: h.store, clock: h.clock }, 24)).cleared).toEqual([]);
    expect((await applyRetention({ store: h.store, clock: h.clock }, 12)).cleared).toEqual([recent]);
    expect((await h.store.tickets.findByRef(open))!.description).toContain('Okapi');
    const runs = (await sql<{ n: string }>`select count(*) as n from privacy_requests where kind = 'retention'`.execute(h.tdb.db)).rows[0]!
      .n;
    expect(Number(runs)).toBe(2);
  });
});
