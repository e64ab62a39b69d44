/**
 * Problem management in chat, on the engine with a controllable clock: repeated incidents on one
 * configuration item → the hourly scan's suggestion → a problem with the evidence linked → the
 * card button of a new incident → investigation, root cause, known error (the requesters told
 * once, the article published once) → resolution refused until the linked change is implemented
 * → resolved by the change's button, the requesters told. Then the same in English, and the
 * refusals: requesters, unknown ids, links twice, another volunteer's problem, illegal moves.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, chai, describe, expect, it } from 'vitest';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { suggestProblems } from '../core/problems/suggest-problems.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { createHarness, type Harness } from './engine-harness.ts';

chai.config.truncateThreshold = 0;
let h: Harness;
let org: string;
let printer: string;
const ids: Record<string, string> = {};
const HOUR = 3_600_000;
const VOLUNTEERS = { id: 'volontari', kind: 'channel' as const };

beforeAll(async () => {
  h = await createHarness(); // Monday 2 March 2026
  org = await h.org('Associazione Il Girasole ODV', '97000000001');
  ids.anna = await h.person('anna', 'Anna Bianchi', ['requester'], org);
  ids.bruno = await h.person('bruno', 'Bruno Neri', ['requester'], org);
  ids.ellen = await h.person('ellen', 'Ellen Smith', ['requester'], org);
  ids.vera = await h.person('vera', 'Vera Volontaria', ['volunteer']);
  ids.gina = await h.person('gina', 'Gina Volunteer', ['volunteer']);
  ids.marco = await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.store.people.setLocale(ids.ellen, 'en');
  await h.store.people.setLocale(ids.gina, 'en');
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
  const { rows } = await sql<{ id: string }>`
    insert into configuration_items (organisation_id, kind, name, created_at, updated_at)
    values (${org}, 'printer', 'stampante-segreteria', ${h.clock.now()}, ${h.clock.now()}) returning id`.execute(h.tdb.db);
  printer = rows[0]!.id;
});
afterAll(() => h.close());

const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
const say = (who: string, text: string) => h.send({ from: who, text });
const deps = () => ({ store: h.store, clock: h.clock, defaultLocale: 'it' as const });

/** An incident opened by `who` (as the intake would), on the printer unless told otherwise. */
async function incident(who: string, title: string, over: { ci?: string | null; category?: string } = {}): Promise<string> {
  const ref = await h.store.transaction(async (repos) => {
    const person = (await repos.people.findPerson(ids[who]!))!;
    const notifier = new Notifier(repos, 'it');
    const ctx = { repos, clock: h.clock, actor: await actorForPerson(repos, person), notifier, defaultLocale: 'it' as const };
    const { ticket } = await createTicket(ctx, {
      kind: 'incident',
      title,
      description: `${title}: da stamattina`,
      impact: 3,
      urgency: 2,
      configurationItemId: over.ci === undefined ? printer : over.ci,
      category: over.category ?? null,
    });
    await notifier.flush(h.clock.now());
    return ticket.ref;
  });
  await h.dispatcher.drain();
  h.clock.advance(HOUR);
  return ref;
}

async function scan() {
  const posted = await suggestProblems(deps());
  await h.dispatcher.drain();
  return posted;
}

const card = (ref: string) =>
  h.sender
    .to('volontari')
    .filter((d) => d.message.title?.startsWith(ref))
    .at(-1);

describe('from repeated incidents to a resolved problem, in Italian', () => {
  const inc: string[] = [];

  it('requesters cannot work problems, and their "problema …" stays a request for help', async () => {
    await say('anna', '/problema Stampanti bloccate');
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('anna', 'problemi');
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('anna', 'Problema con la stampante della segreteria');
    expect(last('anna')).not.toBe('Non hai i permessi per questa operazione.');
    await say('anna', 'annulla');
  });

  it('three incidents on one item within 14 days: one suggestion with the evidence; a fourth: still one', async () => {
    inc.push(await incident('anna', 'La stampante non stampa'));
    inc.push(await incident('bruno', 'Stampante bloccata'));
    expect(await scan()).toEqual([]);
    inc.push(await incident('anna', 'Di nuovo la stampante'));
    const [s] = await scan();
    expect(s).toMatchObject({ basis: 'ci', key: printer });
    const posted = h.sender.to('volontari').filter((d) => d.message.title?.startsWith('Possibile problema'));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.message.title).toBe('Possibile problema: 3 guasti su CI-000001 · stampante-segreteria in 14 giorni');
    for (const ref of inc) expect(posted[0]!.message.text).toContain(ref);
    expect(posted[0]!.message.buttons?.map((b) => [b.actionId, b.value])).toEqual([['problem.open_suggested', s!.id]]);

    inc.push(await incident('bruno', 'Ancora la stampante'));
    expect(await scan()).toEqual([]);
    expect(h.sender.to('volontari').filter((d) => d.message.title?.startsWith('Possibile problema'))).toHaveLength(1);
  });

  it('the suggestion opens the problem with its evidence linked, once', async () => {
    const button = h.sender.to('volontari').find((d) => d.message.title?.startsWith('Possibile problema'))!.message.buttons![0]!;
    await h.press('anna', button.actionId, button.value, VOLUNTEERS);
    expect(h.sender.to('volontari').at(-1)?.message.text).toBe('Non hai i permessi per questa operazione.');
    await h.press('vera', button.actionId, button.value, VOLUNTEERS);
    expect(h.sender.texts('volontari')).toContain('Problema PRB-000001 aperto dal suggerimento: 3 ticket collegati.');
    const edited = h.sender
      .to('volontari')
      .filter((d) => d.message.title?.startsWith('Possibile problema'))
      .at(-1)!;
    expect(edited.message.text).toContain('Aperto come PRB-000001 da Vera Volontaria.');
    expect(edited.message.buttons).toBeUndefined();
    await h.press('vera', button.actionId, button.value, VOLUNTEERS);
    expect(h.sender.to('volontari').at(-1)?.message.text).toBe('Questo suggerimento è già diventato PRB-000001.');
    const row = await h.tdb.db
      .selectFrom('problem_suggestions' as never)
      .selectAll()
      .execute();
    expect(row.map((r) => (r as { problem_id: string | null }).problem_id)).toHaveLength(1);
  });

  it('a new incident on the same item shows a button on its card that links it', async () => {
    const ref = await incident('ellen', 'Printer jammed again');
    inc.push(ref);
    const button = card(ref)!.message.buttons!.find((b) => b.actionId === 'problem.link')!;
    expect([button.value, button.label]).toEqual([`${ref}:PRB-000001`, 'Collega a PRB-000001']);
    await h.press('vera', 'problem.link', button.value, VOLUNTEERS);
    expect(h.sender.to('volontari').at(-1)?.message.text).toBe(`${ref} collegato a PRB-000001.`);
    expect(card(ref)!.message.buttons!.map((b) => b.actionId)).not.toContain('problem.link');
    // Pressed again on a stale card: refused, nothing changes.
    await h.press('vera', 'problem.link', button.value, VOLUNTEERS);
    expect(h.sender.texts('volontari')).toContain(`${ref} è già collegato a PRB-000001. Niente è cambiato.`);
  });

  it('collega links a ticket; twice, unknown ids and requesters are refused', async () => {
    await say('vera', `collega ${inc[3]} PRB-000001`);
    expect(last('vera')).toBe(`${inc[3]} collegato a PRB-000001.`);
    await say('vera', `collega ${inc[0]} PRB-000001`);
    expect(last('vera')).toBe(`${inc[0]} è già collegato a PRB-000001. Niente è cambiato.`);
    await say('vera', 'collega INC-000999 PRB-000001');
    expect(last('vera')).toBe('Non trovo il ticket INC-000999. Controlla il codice (per esempio INC-000042).');
    await say('vera', `collega ${inc[0]} PRB-000099`);
    expect(last('vera')).toContain('Non trovo il problema PRB-000099.');
    await say('anna', `collega ${inc[0]} PRB-000001`);
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('vera', 'collega');
    expect(last('vera')).not.toContain('PRB');
  });

  it('indaga takes it; another volunteer cannot move it; causa records the root cause', async () => {
    await say('vera', 'indaga PRB-000001');
    expect(last('vera')).toBe('Hai in analisi PRB-000001. Quando trovi la causa: «causa PRB-000001 <testo>».');
    await say('gina', 'investigate PRB-000001');
    expect(last('gina')).toBe('Only the owner of PRB-000001 (or a moderator) can do this.');
    await say('vera', 'causa PRB-000001 Il driver della stampante va in errore con i PDF grandi');
    expect(last('vera')).toBe('Causa di PRB-000001 registrata.');
  });

  it("errorenoto tells each open linked incident's requester once, in their language, and publishes the article once", async () => {
    const before = { anna: h.sender.to('anna').length, bruno: h.sender.to('bruno').length, ellen: h.sender.to('ellen').length };
    await say('vera', 'errorenoto PRB-000001 Stampa i PDF grandi dalla stampante del corridoio');
    expect(last('vera')).toBe('PRB-000001 è un errore noto. Soluzione temporanea comunicata a 5 richiedenti. Articolo KB-000001.');
    const annaNew = h.sender.texts('anna').slice(before.anna);
    expect(annaNew).toHaveLength(2); // her two incidents, one message each
    expect(annaNew[0]).toContain(`Sul tuo ticket ${inc[0]}`);
    expect(annaNew[0]).toContain('Stampa i PDF grandi dalla stampante del corridoio');
    expect(h.sender.texts('bruno').slice(before.bruno)).toHaveLength(2);
    expect(h.sender.texts('ellen').slice(before.ellen)).toEqual([
      `About your ticket ${inc[4]} ("Printer jammed again"): it is a known problem (PRB-000001) and the volunteers are working on it. Meanwhile you can do this:\nStampa i PDF grandi dalla stampante del corridoio`,
    ]);
    const article = await h.store.community.findArticle('KB-000001');
    expect(article).toMatchObject({
      status: 'published',
      authorId: ids.vera,
      title: 'PRB-000001: Guasti ripetuti su CI-000001 · stampante-segreteria',
    });
    expect(article!.body).toContain('Il driver della stampante va in errore con i PDF grandi');
    expect(h.sender.to('community').at(-1)?.message.title).toContain('KB-000001');

    // Retried: nobody told twice, no second article.
    await say('vera', 'errorenoto PRB-000001 Stampa i PDF grandi dalla stampante del corridoio');
    expect(last('vera')).toBe('PRB-000001 è un errore noto. Soluzione temporanea comunicata a 0 richiedenti. Articolo KB-000001.');
    expect(h.sender.to('anna').length).toBe(before.anna + 2);
    expect(await h.store.community.findArticle('KB-000002')).toBeUndefined();
  });

  it("risolvi is refused while the linked change is not implemented; the change's button resolves it and the requesters are told", async () => {
    const rfc = await h.store.tickets.insert({
      ref: await h.store.tickets.nextRef('change'),
      kind: 'change',
      title: 'Aggiornare il driver della stampante',
      description: 'driver 5.2',
      category: null,
      impact: 2,
      urgency: 2,
      priority: 3,
      tier: 'volunteer',
      organisationId: org,
      requesterId: ids.marco!,
      configurationItemId: printer,
      idempotencyKey: null,
      createdAt: h.clock.now(),
    });
    await sql`update tickets set status = 'scheduled' where id = ${rfc.id}`.execute(h.tdb.db);
    await say('vera', `collega ${rfc.ref} PRB-000001`);
    expect(last('vera')).toBe(`${rfc.ref} collegato a PRB-000001.`);
    await say('vera', 'risolvi PRB-000001 Driver aggiornato');
    expect(last('vera')).toBe(`PRB-000001 si risolve con ${rfc.ref}, che non è ancora implementata: prima «implementato ${rfc.ref}».`);

    await h.press('gina', 'problem.resolve_by_change', `PRB-000001:${rfc.ref}`);
    expect(last('gina')).toBe(`PRB-000001 is solved by ${rfc.ref}, which is not implemented yet: first "implemented ${rfc.ref}".`);
    await h.press('gina', 'problem.resolve_by_change', 'PRB-000001:RFC-000042');
    expect(last('gina')).toBe('I cannot find ticket RFC-000042. Check the id (for example INC-000042).');
    await sql`update tickets set status = 'implemented' where id = ${rfc.id}`.execute(h.tdb.db);
    await sql`insert into change_details (ticket_id, change_type, outcome, updated_at) values (${rfc.id}, 'normal', 'driver 5.2 installato', ${h.clock.now()})`.execute(
      h.tdb.db,
    );
    const before = h.sender.to('anna').length;
    await h.press('vera', 'problem.resolve_by_change', `PRB-000001:${rfc.ref}`);
    expect(last('vera')).toBe('PRB-000001 risolto. Avvisati 5 richiedenti; ogni guasto collegato resta da chiudere a chi lo segue.');
    const told = h.sender.texts('anna').slice(before);
    expect(told).toHaveLength(2);
    expect(told[0]).toContain(`Buone notizie su ${inc[0]}`);
    expect(told[0]).toContain(`Risolto con ${rfc.ref}: driver 5.2 installato`);
    const comments = await h.store.tickets.listComments((await h.store.tickets.findByRef(inc[0]!))!.id);
    expect(comments.at(-1)).toMatchObject({ internal: false, authorId: ids.vera });
    expect(comments.at(-1)?.body).toContain('Il problema PRB-000001 collegato a questo ticket è risolto');
    expect((await h.store.tickets.findByRef(inc[0]!))?.status).toBe('new'); // still the owner's to resolve

    await h.press('vera', 'problem.resolve_by_change', `PRB-000001:${rfc.ref}`);
    expect(last('vera')).toBe('Non puoi «risolvere» PRB-000001: il problema è «risolto». Niente è cambiato.');
  });

  it('problema PRB-… shows the record, links and history; problemi lists the open ones; chiudi closes it once', async () => {
    await say('vera', 'problema PRB-000001');
    const shown = h.sender.to('vera').at(-1)!.message;
    expect(shown.title).toBe('PRB-000001 · Guasti ripetuti su CI-000001 · stampante-segreteria');
    const field = (label: string) => shown.fields?.find((f) => f.label === label)?.value;
    expect(field('Stato')).toBe('risolto');
    expect(field('In carico a')).toBe('Vera Volontaria');
    expect(field('Causa')).toBe('Il driver della stampante va in errore con i PDF grandi');
    expect(field('Articolo')).toBe('KB-000001');
    expect(field('Ticket collegati')).toContain(`${inc[0]} · nuovo · La stampante non stampa`);
    expect(field('Modifiche collegate')).toContain('RFC-000001 · realizzato');
    expect(shown.text).toContain('Vera Volontaria: nuovo → in analisi');
    expect(shown.text).toContain('in analisi → errore noto');
    expect(shown.text).toContain(`soluzione temporanea comunicata al richiedente di ${inc[0]}`);

    await say('vera', 'problemi');
    expect(last('vera')).toBe('Nessun problema aperto.');
    await say('vera', 'problemi tutti');
    expect(last('vera')).toContain('PRB-000001 · risolto · Guasti ripetuti su CI-000001 · stampante-segreteria · 6 ticket');
    await say('vera', 'chiudi PRB-000001');
    expect(last('vera')).toBe('PRB-000001 chiuso.');
    await say('vera', 'chiudi PRB-000001');
    expect(last('vera')).toBe('Non puoi «chiudere» PRB-000001: il problema è «chiuso». Niente è cambiato.');
    await say('vera', 'problema PRB-000042');
    expect(last('vera')).toContain('Non trovo il problema PRB-000042.');
  });

  it('a closed problem covers nothing: the pattern may be suggested again after 14 days', async () => {
    h.clock.advance(15 * 24 * HOUR);
    for (let i = 0; i < 3; i++) await incident('anna', `Stampante ${i}`);
    const [again] = await scan();
    expect(again).toMatchObject({ basis: 'ci', key: printer, evidence: { count: 3 } });
  });
});

describe('in English, from a ticket, across organisations', () => {
  it('problem from INC-… copies the ticket; knownerror and resolve tell the requester in English', async () => {
    const ref = await incident('ellen', 'Wi-Fi drops every hour', { ci: null, category: 'rete' });
    await say('gina', `/problem from ${ref}`);
    expect(last('gina')).toBe(`Problem PRB-000002 opened from ${ref}: "Wi-Fi drops every hour". ${ref} is linked already.`);
    const problem = await h.store.problems.findByRef('PRB-000002');
    expect(problem).toMatchObject({ organisationId: org, category: 'rete', configurationItemId: null });
    await say('gina', `problem ${ref}`);
    expect(last('gina')).toBe(`${ref} is already linked to PRB-000002. Nothing changed.`);

    // Another incident of the same category: its card offers the problem.
    const other = await incident('bruno', 'Rete lenta', { ci: null, category: 'Rete' });
    expect(card(other)!.message.buttons!.map((b) => b.value)).toContain(`${other}:PRB-000002`);
    await say('gina', `link ${other} PRB-000002`);
    expect(last('gina')).toBe(`${other} linked to PRB-000002.`);

    await say('gina', 'investigate PRB-000002');
    expect(last('gina')).toBe('You are investigating PRB-000002. When you find the cause: "cause PRB-000002 <text>".');
    await say('gina', 'cause PRB-000002 The access point firmware leaks memory');
    expect(last('gina')).toBe('Root cause of PRB-000002 recorded.');
    await say('gina', 'cause PRB-000002');
    expect(last('gina')).toBe('Usage: cause PRB-000001 <the root cause found>.');
    await say('gina', 'knownerror PRB-000002 Restart the access point');
    expect(last('gina')).toBe('PRB-000002 is a known error. Workaround sent to 2 requesters. Article KB-000002.');
    expect(last('ellen')).toContain('Meanwhile you can do this:\nRestart the access point');
    expect(last('bruno')).toContain(`Sul tuo ticket ${other} («Rete lenta»)`);

    // A ticket linked after the known error: its requester gets the workaround at once.
    const late = await incident('anna', 'Wi-Fi giù', { ci: null, category: 'rete' });
    await say('gina', `link ${late} PRB-000002`);
    expect(last('gina')).toBe(`${late} linked to PRB-000002. Its requester got the workaround.`);
    expect(last('anna')).toContain('Restart the access point');

    await say('gina', 'resolve PRB-000002 Firmware updated on every access point');
    expect(last('gina')).toBe('PRB-000002 resolved. 3 requesters told; each linked incident is still for its owner to close.');
    expect(last('ellen')).toContain(`Good news about ${ref} ("Wi-Fi drops every hour")`);
    await say('gina', 'close PRB-000002');
    expect(last('gina')).toBe('PRB-000002 closed.');
  });

  it("problem <title> spans organisations; with a fiscal code first it is that organisation's; a moderator may take over", async () => {
    await h.send({ from: 'gina', text: 'problem Backups fail at night', conversation: VOLUNTEERS });
    expect(h.sender.to('volontari').at(-1)?.message.text).toBe(
      'Problem PRB-000003 opened: "Backups fail at night". Link the incidents with "link INC-… PRB-000003", then "investigate PRB-000003".',
    );
    expect((await h.store.problems.findByRef('PRB-000003'))?.organisationId).toBeNull();
    await say('vera', '/problema 97000000001 Posta che non arriva');
    expect(last('vera')).toContain('Problema PRB-000004 aperto: «Posta che non arriva».');
    expect((await h.store.problems.findByRef('PRB-000004'))?.organisationId).toBe(org);
    await say('vera', '/problema 00000000000 Niente');
    expect(last('vera')).toBe('Non trovo nessuna organizzazione con codice fiscale 00000000000.');
    await say('gina', 'investigate PRB-000004');
    await say('vera', 'indaga PRB-000004');
    expect(last('vera')).toBe('Solo chi ha in carico PRB-000004 (o un moderatore) può farlo.');
    await say('marco', 'indaga PRB-000004');
    expect(last('marco')).toBe('Hai in analisi PRB-000004. Quando trovi la causa: «causa PRB-000004 <testo>».');
    await say('gina', 'problems');
    expect(last('gina')).toContain('PRB-000004 · under investigation · Posta che non arriva · 0 tickets');
  });
});
