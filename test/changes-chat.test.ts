/**
 * Change management in chat, on the engine with a controllable clock: opening RFCs, submitting
 * them (normal, shared infrastructure, standard, emergency), the approvals by command and by
 * button (Reject asks the reason), the window with its silences and conflicts, implementation
 * and failure, the emergency review, the linked problems told, the SLA clock paused while the
 * change waits — in Italian and in English — and every refusal with its message.
 */
import { afterAll, beforeAll, chai, describe, expect, it } from 'vitest';
import { ticketSlaSummary } from '../core/sla/sla-events.ts';
import type { ItilTables } from '../db/itil.tables.ts';
import type { MonitoringTables } from '../db/monitoring.tables.ts';
import { createHarness, type Harness } from './engine-harness.ts';

chai.config.truncateThreshold = 0;
let h: Harness;
let girasole: string;
let rondine: string;
let senza: string;
const ids: Record<string, string> = {};
const HOUR = 3_600_000;
const COMMITTEE = { id: 'comitato', kind: 'channel' as const };

async function item(orgId: string, name: string, kind: 'server' | 'printer' | 'network_device' = 'server'): Promise<string> {
  const row = await h.tdb.db
    .withTables<MonitoringTables>()
    .insertInto('configuration_items')
    .values({ organisation_id: orgId, kind, name, facts: null, agent_id: null, created_at: h.clock.now(), updated_at: h.clock.now() })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
  return `CI-${String(row.number).padStart(6, '0')}`;
}

beforeAll(async () => {
  h = await createHarness(); // Monday 2 March 2026, 10:00 in Rome
  girasole = await h.org('Associazione Il Girasole ODV', '97000000001');
  rondine = await h.org('Cooperativa La Rondine', '97000000002');
  senza = await h.org('Circolo Senza Referente', '97000000003');
  ids.anna = await h.person('anna', 'Anna Bianchi', ['requester'], girasole);
  ids.luca = await h.person('luca', 'Luca Referente', ['ict_lead'], girasole);
  ids.rita = await h.person('rita', 'Rita Rondine', ['ict_lead'], rondine);
  ids.piero = await h.person('piero', 'Piero Senza', ['requester'], senza);
  ids.vera = await h.person('vera', 'Vera Volontaria', ['volunteer']);
  ids.marco = await h.person('marco', 'Marco Moderatore', ['moderator']);
  ids.carla = await h.person('carla', 'Carla Comitato', ['committee']);
  ids.john = await h.person('john', 'John Volunteer', ['volunteer']);
  ids.emma = await h.person('emma', 'Emma Lead', ['ict_lead'], rondine);
  await h.bindVolunteers('volontari');
  await h.store.channels.bind({
    purpose: 'committee',
    platform: 'web',
    conversationId: 'comitato',
    threadId: null,
    organisationId: null,
    boundBy: null,
    boundAt: h.clock.now(),
  });
  ids.firewall = await item(girasole, 'firewall'); // CI-000001
  ids.printer = await item(girasole, 'stampante-segreteria', 'printer'); // CI-000002
  ids.nas = await item(rondine, 'nas-rondine'); // CI-000003
  ids.router = await item(senza, 'router-circolo', 'network_device'); // CI-000004
  await h.send({ from: 'john', text: 'language en' });
  await h.send({ from: 'emma', text: 'language en' });
});
afterAll(() => h.close());

const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
/** The last message with its fields, as "label: value" lines. */
const page = (who: string) => {
  const m = h.sender.last(who)?.message;
  return [m?.title, m?.text, ...(m?.fields ?? []).map((f) => `${f.label}: ${f.value}`)].join('\n');
};
const say = (who: string, text: string) => h.send({ from: who, text });
const inCommittee = (who: string, text: string) => h.send({ from: who, text, conversation: COMMITTEE });
const ticket = async (ref: string) => (await h.store.tickets.findByRef(ref))!;

/** A requester opens an RFC, Vera claims it. */
async function openAndClaim(who: string, title: string, claimer = 'vera'): Promise<string> {
  await say(who, `rfc ${title}`);
  const ref = /RFC-\d{6}/.exec(last(who))![0];
  await say(claimer, `prendi ${ref}`);
  return ref;
}

describe('opening RFCs', () => {
  it('a member opens one for their organisation; a volunteer for any organisation by its fiscal code; the volunteers see the card', async () => {
    await say('anna', 'rfc Aggiornare il firmware del firewall');
    expect(last('anna')).toBe(
      'Richiesta di modifica RFC-000001 aperta per Associazione Il Girasole ODV. Chi la prende in carico («prendi RFC-000001») la sottopone per l’approvazione.',
    );
    expect(h.sender.to('volontari').some((d) => d.message.title?.startsWith('RFC-000001'))).toBe(true);
    const t = await ticket('RFC-000001');
    expect(t).toMatchObject({ kind: 'change', status: 'new', requesterId: ids.anna, organisationId: girasole });

    await say('vera', 'rfc 97000000002 Sostituire il NAS');
    expect(last('vera')).toContain('RFC-000002 aperta per Cooperativa La Rondine');
    await say('vera', 'rfc 99999999999 Qualcosa');
    expect(last('vera')).toBe('Non trovo nessuna organizzazione con codice fiscale 99999999999.');
    await say('vera', 'rfc Senza ente');
    expect(last('vera')).toBe('Non risulti iscritto/a a nessuna organizzazione.');
    await say('anna', 'rfc 97000000002 Non è il mio ente');
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('anna', 'rfc');
    expect(last('anna')).toContain('Uso: rfc <titolo>');
  });

  it('"rfc standard" lists the catalogue of pre-approved changes; "rfc RFC-…" shows a change (not another organisation\'s)', async () => {
    await say('vera', 'rfc standard');
    expect(last('vera')).toContain('Modifiche standard (pre-approvate, senza attesa)');
    expect(last('vera')).toContain('• stampante (printer, driver): Installazione del driver di una stampante.');
    await say('anna', 'rfc RFC-000001');
    expect(last('anna')).toContain('RFC-000001 · Aggiornare il firmware del firewall');
    expect(last('anna')).toContain('Non ancora sottoposta');
    await say('anna', 'rfc RFC-000002');
    expect(last('anna')).toBe('Non trovo il ticket RFC-000002. Controlla il codice (per esempio INC-000042).');
  });
});

describe('a normal change approved by the ICT lead', () => {
  it('only the owner submits; an item of another organisation is refused; then it waits for the ICT lead, who gets the request', async () => {
    await say('vera', 'sottoponi RFC-000001 normale CI-000001');
    expect(last('vera')).toBe('Solo chi ha in carico RFC-000001 (o un moderatore) può farlo.');
    await say('vera', 'prendi RFC-000001');
    await say('vera', 'sottoponi RFC-000001 normale CI-000003');
    expect(last('vera')).toContain("Non trovo l'elemento di configurazione CI-000003");
    await say('vera', 'sottoponi RFC-000001 boh');
    expect(last('vera')).toContain('Uso: sottoponi RFC-000003 normale|emergenza');
    await say('vera', 'sottoponi RFC-000001 normale CI-000001');
    expect(last('vera')).toBe(
      "RFC-000001 è in attesa di approvazione; la decide il referente ICT dell'ente (o un moderatore, se l'ente non ne ha). Ho mandato la richiesta.\nElementi toccati: CI-000001 · firewall.",
    );
    expect((await ticket('RFC-000001')).status).toBe('awaiting_approval');
    const request = h.sender.last('luca')!;
    expect(request.message.title).toBe('Approvazione richiesta: RFC-000001 · Aggiornare il firmware del firewall');
    expect(request.message.buttons?.map((b) => `${b.actionId}:${b.value}`)).toEqual([
      'change.approve:RFC-000001',
      'change.reject:RFC-000001',
    ]);
    expect(last('anna')).toContain('RFC-000001 («Aggiornare il firmware del firewall») è stata sottoposta come modifica normale');
    // The committee is not asked for a change of one organisation.
    expect(h.sender.to('comitato').some((d) => d.message.title?.includes('RFC-000001'))).toBe(false);
    // Submitting twice is an illegal move.
    await say('vera', 'sottoponi RFC-000001 normale');
    expect(last('vera')).toBe('Non si può fare "mandare in approvazione" su un ticket nello stato "in attesa di approvazione".');
  });

  it('the SLA clock is paused while the change waits for approval', async () => {
    const before = await ticketSlaSummary(h.store, await ticket('RFC-000001'), h.clock.now());
    expect(before.resolution.paused).toBe(true);
    h.clock.advance(3 * HOUR);
    const after = await ticketSlaSummary(h.store, await ticket('RFC-000001'), h.clock.now());
    expect(after.resolution.elapsedMinutes).toBe(before.resolution.elapsedMinutes);
    expect(after.resolution.pausedMinutes).toBeGreaterThanOrEqual(before.resolution.pausedMinutes + 180);
    // No resolution deadline is pending while paused.
    const pending = (await h.store.sla.listEvents((await ticket('RFC-000001')).id)).filter(
      (e) => e.firedAt === null && e.target === 'resolution',
    );
    expect(pending).toEqual([]);
  });

  it('refuses whoever may not approve it, each with its message; implementing or scheduling before the approval is illegal', async () => {
    await say('anna', 'approva RFC-000001');
    expect(last('anna')).toBe(
      "RFC-000001 lo approva il referente ICT dell'ente (o un moderatore, se l'ente non ne ha): tu non puoi deciderlo. Niente è cambiato.",
    );
    await say('rita', 'approva RFC-000001'); // ICT lead of another organisation: it does not exist for her
    expect(last('rita')).toBe('Non trovo il ticket RFC-000001. Controlla il codice (per esempio INC-000042).');
    await say('carla', 'approva RFC-000001'); // the committee does not approve a change of one organisation
    expect(last('carla')).toContain('RFC-000001 lo approva il referente ICT');
    await say('marco', 'approva RFC-000001'); // the organisation has an ICT lead: the moderator does not stand in
    expect(last('marco')).toContain('tu non puoi deciderlo');
    await say('vera', 'implementato RFC-000001');
    expect(last('vera')).toBe('Non si può fare "realizzare" su un ticket nello stato "in attesa di approvazione".');
    await say('vera', 'pianifica RFC-000001 12/3 18:00 12/3 20:00');
    expect(last('vera')).toBe('Non si può fare "pianificare" su un ticket nello stato "in attesa di approvazione".');
    await say('luca', 'rifiuta RFC-000001');
    expect(last('luca')).toBe('Uso: rifiuta RFC-000003 <motivo>.');
    await say('luca', 'approva');
    expect(last('luca')).toContain('Uso: approva RFC-000003 [nota].');
    expect((await ticket('RFC-000001')).status).toBe('awaiting_approval');
  });

  it('the ICT lead approves with the button; the requester and the owner are told; the request is edited; approving twice is refused', async () => {
    await h.press('luca', 'change.approve', 'RFC-000001');
    expect(last('luca')).toBe('Hai approvato RFC-000001: la modifica è approvata. Chi l’ha in carico ora la pianifica.');
    expect((await ticket('RFC-000001')).status).toBe('approved');
    expect(last('anna')).toBe(
      'RFC-000001 («Aggiornare il firmware del firewall») è stata approvata da Luca Referente. Sarà pianificata a breve.',
    );
    expect(last('vera')).toContain('è stata approvata da Luca Referente');
    const requests = h.sender.to('luca').filter((d) => d.message.title?.startsWith('Approvazione richiesta: RFC-000001'));
    expect(requests.at(-1)?.editMessageId).toBe(requests[0]?.messageId);
    expect(requests.at(-1)?.message.buttons).toBeUndefined();
    expect(requests.at(-1)?.message.text).toBe('Decisione su RFC-000001: approvato.');
    expect(requests.at(-1)?.message.fields?.find((f) => f.label === 'Approvazioni')?.value).toContain('approvata da Luca Referente');
    await say('luca', 'approva RFC-000001 di nuovo');
    expect(last('luca')).toBe('Su RFC-000001 si è già deciso: guarda il messaggio aggiornato.');
    await h.press('luca', 'change.reject', 'RFC-000001');
    expect(last('luca')).toBe('Su RFC-000001 si è già deciso: guarda il messaggio aggiornato.');
  });
});

describe('the window', () => {
  it('refuses windows that end before they start, are in the past or longer than seven days, and wrong words', async () => {
    await say('vera', 'pianifica RFC-000001 12/3 20:00 12/3 18:00');
    expect(last('vera')).toBe(
      "La finestra deve finire dopo l'inizio (hai scritto 12 mar 2026, 20:00 → 12 mar 2026, 18:00). Per esempio: pianifica RFC-000003 12/12 18:00 12/12 20:00.",
    );
    await say('vera', 'pianifica RFC-000001 1/3/2026 18:00 20:00');
    expect(last('vera')).toContain('è già iniziata o passata');
    await say('vera', 'pianifica RFC-000001 10/3 18:00 20/3 18:00');
    expect(last('vera')).toContain('dura più di 7 giorni');
    await say('vera', 'pianifica RFC-000001 domani sera');
    expect(last('vera')).toContain('Uso: pianifica RFC-000003 <inizio> <fine>, ora di Roma.');
    await say('anna', 'pianifica RFC-000001 12/3 18:00 12/3 20:00');
    expect(last('anna')).toBe('Solo chi ha in carico RFC-000001 (o un moderatore) può farlo.');
    expect((await ticket('RFC-000001')).status).toBe('approved');
  });

  it('scheduling sets the window (Rome time) and one silence per item; rescheduling moves both', async () => {
    await say('vera', 'pianifica RFC-000001 12/3 18:00 12/3 20:00');
    expect(last('vera')).toBe(
      'RFC-000001 pianificata: 12 mar 2026, 18:00 → 12 mar 2026, 20:00 (ora di Roma).\nDurante la finestra tacciono le allerte di: CI-000001 · firewall.',
    );
    const t = await ticket('RFC-000001');
    expect(t.status).toBe('scheduled');
    expect(last('anna')).toContain('è pianificata: 12 mar 2026, 18:00 → 12 mar 2026, 20:00');
    let silences = await h.store.monitoring.listChangeSilences(t.id);
    expect(silences.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString(), s.reason, s.createdBy])).toEqual([
      ['2026-03-12T17:00:00.000Z', '2026-03-12T19:00:00.000Z', 'RFC-000001', ids.vera],
    ]);
    // Summer time by then: 2 April 18:00 in Rome is 16:00 UTC.
    await say('vera', 'pianifica RFC-000001 2026-04-02 18:00 2026-04-02T21:00');
    expect(last('vera')).toContain('RFC-000001 ripianificata: 2 apr 2026, 18:00 → 2 apr 2026, 21:00');
    silences = await h.store.monitoring.listChangeSilences(t.id);
    expect(silences.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString()])).toEqual([
      ['2026-04-02T16:00:00.000Z', '2026-04-02T19:00:00.000Z'],
    ]);
    const details = await h.store.changes.findDetails(t.id);
    expect(details?.windowStart?.toISOString()).toBe('2026-04-02T16:00:00.000Z');
    expect((await h.store.tickets.listEvents(t.id)).filter((e) => e.field === 'window')).toHaveLength(2);
    // The clock stays paused while scheduled.
    expect((await ticketSlaSummary(h.store, t, h.clock.now())).resolution.paused).toBe(true);
  });

  it('a second change on the same item and time is scheduled with a warning; the calendar shows both and the conflict', async () => {
    const ref = await openAndClaim('anna', 'Cambiare le regole del firewall');
    expect(ref).toBe('RFC-000003');
    await say('vera', `sottoponi ${ref} standard aggiornamento firewall`);
    expect(last('vera')).toContain(`${ref} è una modifica standard («Aggiornamento di un software approvato»): approvata subito`);
    await say('vera', `pianifica ${ref} 2/4/2026 20:00 22:00`);
    expect(last('vera')).toContain('Attenzione, si sovrappone a: RFC-000001.');
    await say('luca', 'calendario');
    expect(last('luca')).toBe('Nessuna modifica approvata o pianificata nei prossimi 14 giorni.'); // 2 April is more than 14 days ahead
    await say('luca', 'calendario 40');
    expect(last('luca')).toContain(
      '• 2 apr 2026, 18:00 → 2 apr 2026, 21:00 · RFC-000001 Aggiornare il firmware del firewall · Associazione Il Girasole ODV · normale · CI-000001 · firewall',
    );
    expect(last('luca')).toContain('• RFC-000001 e RFC-000003 toccano insieme CI-000001 · firewall nello stesso momento');
    await say('rita', 'calendario 40'); // another organisation's ICT lead sees none of it
    expect(last('rita')).toBe('Nessuna modifica approvata o pianificata nei prossimi 40 giorni.');
    await say('luca', 'calendario 400');
    expect(last('luca')).toBe('Uso: calendario [giorni, da 1 a 90; di solito 14].');
  });
});

describe('standard changes', () => {
  it('go straight to approved, the history saying which catalogue item; an unknown item is refused', async () => {
    const ref = await openAndClaim('anna', 'Driver della stampante nuova');
    await say('vera', `sottoponi ${ref} standard lavatrice`);
    expect(last('vera')).toBe(
      'Non trovo «lavatrice» nel catalogo delle modifiche standard. Scrivi «rfc standard» per le voci pre-approvate, o sottoponila come normale.',
    );
    await say('vera', `sottoponi ${ref} standard driver CI-000002`);
    expect(last('vera')).toBe(
      `${ref} è una modifica standard («Installazione del driver di una stampante»): approvata subito, senza attesa. Rischio: basso: solo driver del produttore; la macchina può chiedere un riavvio. Ora pianificala: «pianifica ${ref} <inizio> <fine>».\nElementi toccati: CI-000002 · stampante-segreteria.`,
    );
    const t = await ticket(ref);
    expect(t.status).toBe('approved');
    const events = await h.store.tickets.listEvents(t.id);
    expect(events.at(-1)).toMatchObject({
      field: 'status',
      from: 'assigned',
      to: 'approved',
      note: 'standard:stampante',
    });
    expect(await h.store.changes.listApprovals(t.id)).toEqual([]);
    expect(last('anna')).toContain('è una modifica standard pre-approvata');
    // Nobody approves a standard change.
    await say('luca', `approva ${ref}`);
    expect(last('luca')).toContain('tu non puoi deciderlo');
  });
});

describe('shared infrastructure: the committee approves too', () => {
  it('the ICT lead approves, the committee is still missing; the committee rejects with the button and a reason', async () => {
    const ref = await openAndClaim('anna', 'Nuovo switch nella sede condivisa');
    await say('vera', `sottoponi ${ref} normale condivisa CI-000001`);
    expect(last('vera')).toContain("la decide il referente ICT dell'ente (o un moderatore, se l'ente non ne ha) e il comitato");
    const card = h.sender.to('comitato').at(-1)!;
    expect(card.message.title).toBe(`Approvazione richiesta: ${ref} · Nuovo switch nella sede condivisa`);
    expect(card.message.buttons?.map((b) => b.actionId)).toEqual(['change.approve', 'change.reject']);

    await say('luca', `approva ${ref} va bene per noi`);
    expect(last('luca')).toBe(`Hai approvato ${ref} per il referente ICT dell'ente; manca ancora il comitato.`);
    expect((await ticket(ref)).status).toBe('awaiting_approval');
    expect(last('vera')).toBe(`Luca Referente ha approvato ${ref} per il referente ICT dell'ente; manca ancora il comitato.`);
    await say('luca', `approva ${ref}`);
    expect(last('luca')).toBe(`Su ${ref} si è già deciso: guarda il messaggio aggiornato.`);

    await h.press('anna', 'change.reject', ref, COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toContain(`${ref} lo approva`);
    await h.press('carla', 'change.reject', ref, COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(`Scrivi il motivo per respingere ${ref} (un solo messaggio).`);
    await inCommittee('carla', 'rifiuta: serve prima un piano di ritorno');
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(`Hai respinto ${ref}. Ho avvisato il richiedente e chi l’ha in carico.`);
    const t = await ticket(ref);
    expect(t.status).toBe('rejected');
    expect(last('anna')).toBe(
      `${ref} («Nuovo switch nella sede condivisa») è stata respinta da Carla Comitato: «rifiuta: serve prima un piano di ritorno».`,
    );
    expect((await h.store.changes.listApprovals(t.id)).map((a) => [a.slot, a.decision])).toEqual([
      ['organisation', 'approved'],
      ['committee', 'rejected'],
    ]);
    const edited = h.sender.to('comitato').filter((d) => d.message.title?.startsWith(`Approvazione richiesta: ${ref}`));
    expect(edited.at(-1)?.message.text).toBe(`Decisione su ${ref}: respinto.`);
    await inCommittee('carla', `rifiuta ${ref} ancora`);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(`Su ${ref} si è già deciso: guarda il messaggio aggiornato.`);
  });

  it('approved once both the ICT lead and the committee approved', async () => {
    const ref = await openAndClaim('anna', 'Nuovo access point condiviso');
    await say('vera', `sottoponi ${ref} normale shared`);
    await inCommittee('carla', `approva ${ref} ok per il comitato`);
    expect((await ticket(ref)).status).toBe('awaiting_approval');
    h.clock.advance(60_000);
    await h.press('luca', 'change.approve', ref);
    expect((await ticket(ref)).status).toBe('approved');
    await say('anna', `rfc ${ref}`);
    expect(page('anna')).toContain(
      "Approvazioni: il comitato: approvata da Carla Comitato «ok per il comitato»\nil referente ICT dell'ente: approvata da Luca Referente",
    );
    expect(page('anna')).toContain('Infrastruttura condivisa: sì');
  });
});

describe('an organisation without ICT lead, and emergencies', () => {
  it('a moderator stands in for the missing ICT lead (and gets the request)', async () => {
    const ref = await openAndClaim('piero', 'Cambiare il router del circolo');
    await say('vera', `sottoponi ${ref} normale CI-000004`);
    expect(h.sender.last('marco')?.message.title).toBe(`Approvazione richiesta: ${ref} · Cambiare il router del circolo`);
    await say('marco', `approva ${ref} nessun referente, approvo io`);
    expect(last('marco')).toContain(`Hai approvato ${ref}`);
    expect((await ticket(ref)).status).toBe('approved');
  });

  it('whoever carries a change out never approves it, even as a moderator', async () => {
    await h.person('mara', 'Mara Moderatrice', ['volunteer', 'moderator']);
    const ref = await openAndClaim('piero', 'Spostare il router del circolo', 'mara');
    await say('mara', `sottoponi ${ref} normale CI-000004`);
    expect((await ticket(ref)).status).toBe('awaiting_approval');
    await say('mara', `approva ${ref} lo faccio io`);
    expect(last('mara')).toContain('tu non puoi deciderlo. Niente è cambiato.');
    expect((await ticket(ref)).status).toBe('awaiting_approval');
  });

  it('an emergency: one approval (a moderator), implemented at once, then the committee reviews it', async () => {
    const ref = await openAndClaim('anna', 'Ripristino urgente del firewall');
    await say('vera', `sottoponi ${ref} emergenza CI-000001`);
    expect(last('vera')).toContain("il referente ICT dell'ente, un moderatore o il comitato");
    expect(h.sender.to('comitato').at(-1)?.message.title).toBe(`Approvazione richiesta: ${ref} · Ripristino urgente del firewall`);
    await say('marco', `approva ${ref}`);
    expect((await ticket(ref)).status).toBe('approved');
    await say('luca', `approva ${ref}`);
    expect(last('luca')).toBe(`Su ${ref} si è già deciso: guarda il messaggio aggiornato.`);

    await say('vera', `implementato ${ref} regole ripristinate dal backup`);
    expect(last('vera')).toBe(`${ref} realizzata. Le allerte dei suoi elementi tornano attive da adesso.`);
    expect(last('anna')).toBe(
      `${ref} («Ripristino urgente del firewall») è stata realizzata da Vera Volontaria: «regole ripristinate dal backup».`,
    );
    const review = h.sender.to('comitato').at(-1)!;
    expect(review.message.title).toBe(`Revisione di una modifica d’emergenza: ${ref} · Ripristino urgente del firewall`);
    expect(review.message.buttons?.map((b) => `${b.actionId}:${b.value}`)).toEqual([`change.approve:${ref}`]);

    await say('luca', `approva ${ref}`); // only the committee reviews
    expect(last('luca')).toBe(`${ref} lo approva il comitato: tu non puoi deciderlo. Niente è cambiato.`);
    await inCommittee('carla', `approva ${ref} urgenza giustificata`);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(`Revisione di ${ref} registrata.`);
    const details = await h.store.changes.findDetails((await ticket(ref)).id);
    expect(details).toMatchObject({ reviewedBy: ids.carla, reviewNote: 'urgenza giustificata', outcome: 'regole ripristinate dal backup' });
    const reviews = h.sender.to('comitato').filter((d) => d.message.title?.startsWith('Revisione di una modifica'));
    expect(reviews.at(-1)?.editMessageId).toBe(reviews[0]?.messageId);
    expect(reviews.at(-1)?.message.buttons).toBeUndefined();
    await h.press('carla', 'change.approve', ref, COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(`Su ${ref} si è già deciso: guarda il messaggio aggiornato.`);
  });
});

describe('implemented and failed', () => {
  it('implementing ends the silences at that moment; the owners of linked problems are told, with the button', async () => {
    const t = await ticket('RFC-000001');
    const db = h.tdb.db.withTables<ItilTables>();
    const problem = await db
      .insertInto('problems')
      .values({
        ref: 'PRB-000001',
        organisation_id: girasole,
        title: 'Il firewall si blocca',
        status: 'known_error',
        owner_id: ids.vera,
        created_by: ids.vera,
        created_at: h.clock.now(),
        updated_at: h.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const orphan = await db
      .insertInto('problems')
      .values({
        ref: 'PRB-000002',
        organisation_id: girasole,
        title: 'Rete lenta',
        status: 'investigating',
        owner_id: null,
        created_by: ids.vera,
        created_at: h.clock.now(),
        updated_at: h.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const t7 = await ticket('RFC-000007'); // the router change of the circolo, approved
    await db
      .insertInto('problem_links')
      .values({ problem_id: problem.id, ticket_id: t.id, linked_by: ids.vera, linked_at: h.clock.now() })
      .execute();
    await db
      .insertInto('problem_links')
      .values({ problem_id: orphan.id, ticket_id: t7.id, linked_by: ids.vera, linked_at: h.clock.now() })
      .execute();

    // Into the window (2 April 18:00–21:00 Rome), then implemented at 19:00.
    h.clock.advance(new Date('2026-04-02T17:00:00Z').getTime() - h.clock.now().getTime());
    expect((await h.store.monitoring.activeSilences(girasole, h.clock.now())).filter((s) => s.changeId === t.id)).toHaveLength(1);
    await say('vera', 'implementato RFC-000001');
    expect((await ticket('RFC-000001')).status).toBe('implemented');
    expect((await h.store.monitoring.listChangeSilences(t.id)).map((s) => s.endsAt.toISOString())).toEqual(['2026-04-02T17:00:00.000Z']);
    expect((await h.store.monitoring.activeSilences(girasole, h.clock.now())).filter((s) => s.changeId === t.id)).toHaveLength(0);
    const told = h.sender.to('vera').find((d) => d.message.buttons?.some((b) => b.actionId === 'problem.resolve_by_change'))!;
    expect(told.message.text).toBe('RFC-000001 realizzata: PRB-000001 («Il firewall si blocca») ora si può risolvere.');
    expect(told.message.buttons).toEqual([
      { actionId: 'problem.resolve_by_change', value: 'PRB-000001:RFC-000001', label: 'Risolvi PRB-000001', style: 'primary' },
    ]);
    await say('vera', 'implementato RFC-000001');
    expect(last('vera')).toBe('Non si può fare "realizzare" su un ticket nello stato "realizzato".');
    // A problem without owner: the volunteers channel is told.
    await say('vera', 'implementato RFC-000007 router sostituito');
    const posted = h.sender.to('volontari').at(-1)!;
    expect(posted.message.text).toBe('RFC-000007 realizzata: PRB-000002 («Rete lenta») ora si può risolvere.');
    expect(posted.message.buttons?.[0]?.value).toBe('PRB-000002:RFC-000007');
  });

  it('a failed change records what went wrong and the back-out, ends its silences, and is final', async () => {
    const t3 = await ticket('RFC-000003'); // scheduled 2 April 20:00–22:00: still ahead
    expect(await h.store.monitoring.listChangeSilences(t3.id)).toHaveLength(1);
    await say('vera', 'fallito RFC-000003');
    expect(last('vera')).toBe('Uso: fallito RFC-000003 <che cosa è andato storto> [| come è stato ripristinato lo stato di prima].');
    await say('vera', 'fallito RFC-000003 il firewall non riparte | ripristinata la configurazione salvata');
    expect(last('vera')).toBe('RFC-000003 segnata come fallita, con il ripristino annotato. Le allerte dei suoi elementi tornano attive.');
    const after = await ticket('RFC-000003');
    expect(after.status).toBe('failed');
    expect(await h.store.changes.findDetails(t3.id)).toMatchObject({
      outcome: 'il firewall non riparte',
      backoutPlan: 'ripristinata la configurazione salvata',
    });
    expect(await h.store.monitoring.listChangeSilences(t3.id)).toEqual([]); // the future window went
    expect(last('anna')).toBe(
      'RFC-000003 («Cambiare le regole del firewall») non è riuscita: «il firewall non riparte». Lo stato di prima è stato ripristinato.',
    );
    await say('vera', 'implementato RFC-000003');
    expect(last('vera')).toBe('Non si può fare "realizzare" su un ticket nello stato "fallito (ripristinato)".');
    // "nonfunziona"/"failed" without an RFC id stays the community's.
    await say('vera', 'failed');
    expect(last('vera')).not.toContain('RFC');
  });
});

describe('in English', () => {
  it('a volunteer opens, submits and schedules; the ICT lead approves; implemented; the calendar; every answer in English', async () => {
    await say('john', 'rfc 97000000002 Replace the NAS disks');
    const ref = /RFC-\d{6}/.exec(last('john'))![0];
    expect(last('john')).toBe(
      `Request for change ${ref} opened for Cooperativa La Rondine. Whoever claims it ("claim ${ref}") submits it for approval.`,
    );
    await say('john', `claim ${ref}`);
    await say('john', `submit ${ref} normal CI-000003`);
    expect(last('john')).toBe(
      `${ref} is awaiting approval by the organisation's ICT lead (or a moderator, if it has none). I sent the request.\nItems touched: CI-000003 · nas-rondine.`,
    );
    const request = h.sender.last('emma')!;
    expect(request.message.title).toBe(`Approval requested: ${ref} · Replace the NAS disks`);
    expect(request.message.buttons?.map((b) => b.label)).toEqual(['Approve', 'Reject']);
    await say('john', `implemented ${ref}`);
    expect(last('john')).toBe(`You cannot "implement" a ticket that is "awaiting approval".`);
    await say('emma', `approve ${ref} fine`);
    expect(last('emma')).toBe(`You approved ${ref}: the change is approved. Its owner now schedules it.`);
    await say('emma', `approve ${ref}`);
    expect(last('emma')).toBe(`${ref} was already decided: see the updated message.`);
    await say('john', `schedule ${ref} 2026-04-10 18:00 2026-04-10T17:00`);
    expect(last('john')).toContain('The window must end after it starts');
    await say('john', `schedule ${ref} 10/4/2026 18:00 20:00`);
    expect(last('john')).toBe(
      `${ref} scheduled: 10 Apr 2026, 18:00 → 10 Apr 2026, 20:00 (Rome time).\nDuring the window alerts are silenced for: CI-000003 · nas-rondine.`,
    );
    await say('emma', 'calendar');
    expect(last('emma')).toContain(
      `• 10 Apr 2026, 18:00 → 10 Apr 2026, 20:00 · ${ref} Replace the NAS disks · Cooperativa La Rondine · normal · CI-000003 · nas-rondine`,
    );
    await say('john', `implemented ${ref} disks replaced`);
    expect(last('john')).toBe(`${ref} implemented. Alerts of its items are live again from now.`);
    await say('emma', `rfc ${ref}`);
    expect(page('emma')).toContain('Outcome: disks replaced');
    expect(page('emma')).toContain('Change type: normal');
    expect(page('emma')).toContain("Approvals: the organisation's ICT lead: approved by Emma Lead «fine»");
    expect(page('emma')).toContain('Window: 10 Apr 2026, 18:00 → 10 Apr 2026, 20:00');
  });

  it('a rejection with the button and its reason, in English', async () => {
    await say('john', 'rfc 97000000002 Open the firewall to everyone');
    const ref = /RFC-\d{6}/.exec(last('john'))![0];
    await say('john', `claim ${ref}`);
    await say('john', `submit ${ref} emergency`);
    await h.press('emma', 'change.reject', ref);
    expect(last('emma')).toBe(`Write the reason for rejecting ${ref} (one message).`);
    await say('emma', 'too risky');
    expect(last('emma')).toBe(`You rejected ${ref}. I told the requester and the owner.`);
    expect(last('john')).toBe(`${ref} ("Open the firewall to everyone") was rejected by Emma Lead: "too risky".`);
    await say('john', `failed ${ref} nothing`);
    expect(last('john')).toBe(`You cannot "declare failed" a ticket that is "rejected".`);
  });
});
