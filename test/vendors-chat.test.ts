/**
 * The paid tier in chat, on the engine with a controllable clock (no job workers): the register
 * (application, the committee's decision, offers, the catalogue), an engagement from request to
 * review, the refusals of forged, repeated and out-of-order actions, the spending cap, the
 * expiry of vendors' and volunteers' certifications and the revocation of a vendor.
 */
import { afterAll, beforeAll, chai, describe, expect, it } from 'vitest';
import { fireSlaEvent } from '../core/escalation/fire-sla-event.ts';
import { REGISTRY } from '../core/features.ts';
import { sweepCertifications } from '../core/vendors/certification-sweep.ts';
import { createHarness, type Harness } from './engine-harness.ts';

chai.config.truncateThreshold = 0;
let h: Harness;
let org: string;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COMMITTEE = { id: 'comitato', kind: 'channel' as const };

beforeAll(async () => {
  h = await createHarness(); // Monday 2 March 2026, 10:00 in Rome
  org = await h.org('Associazione Il Girasole ODV', '97000000001');
  await h.person('anna', 'Anna Bianchi', ['requester'], org);
  await h.person('luca', 'Luca Referente', ['ict_lead'], org);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.person('carla', 'Carla Comitato', ['committee']);
  await h.person('paolo', 'Paolo Fornitore', []);
  await h.person('gino', 'Gino Altro', []);
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
});
afterAll(() => h.close());

const last = (who: string) => h.sender.texts(who).at(-1) ?? '';
const lastButtons = (who: string) => h.sender.to(who).at(-1)?.message.buttons ?? [];
const say = (who: string, text: string) => h.send({ from: who, text });
const inCommittee = (who: string, text: string) => h.send({ from: who, text, conversation: COMMITTEE });
const deps = () => ({ store: h.store, clock: h.clock, defaultLocale: 'it' as const });

async function fireDue(): Promise<void> {
  for (const e of await h.store.sla.listDue(h.clock.now(), 100)) await fireSlaEvent(deps(), e.id);
  await h.dispatcher.drain();
}

async function sweep() {
  const r = await sweepCertifications(deps());
  await h.dispatcher.drain();
  return r;
}

async function openTicket(who: string, title: string): Promise<string> {
  await say(who, title);
  await h.press(who, 'intake.kind', 'incident');
  await h.press(who, 'intake.impact', '2');
  await h.press(who, 'intake.urgency', '1'); // P2
  await say(who, title);
  await h.press(who, 'intake.keep', '');
  await h.press(who, 'intake.skip', '');
  const button = h.sender.last(who)?.message.buttons?.find((b) => b.actionId === 'intake.confirm');
  await h.press(who, 'intake.confirm', button!.value);
  return /INC-\d{6}/.exec(last(who))![0];
}

/** A vendor applied in chat and approved by the committee; `member` its first member. */
async function certifiedVendor(member: string, name: string, vat: string, regions = 'Lombardia', fields = 'rete'): Promise<string> {
  await say(member, 'fornitore candidatura');
  for (const answer of [name, vat, regions, fields, 'info@example.org']) await say(member, answer);
  await h.press(member, 'vendor.apply', 'send');
  const ref = /FOR-\d{6}/.exec(last(member))![0];
  await inCommittee('carla', `comitato approva ${ref} documenti in regola`);
  return ref;
}

describe('the register', () => {
  it('a company applies in a short guided dialog; a bad VAT number is asked again', async () => {
    await say('paolo', 'fornitore candidatura');
    expect(last('paolo')).toContain("Come si chiama l'azienda?");
    await say('paolo', 'Rete Sicura srl');
    await say('paolo', '12345678901'); // wrong check digit
    expect(last('paolo')).toContain('La partita IVA «12345678901» non è valida');
    await say('paolo', 'IT 12345678903');
    await say('paolo', 'Lombardia, Piemonte e Atlantide');
    expect(last('paolo')).toContain('Non riconosco queste regioni: Atlantide');
    await say('paolo', 'Lombardia, Piemonte');
    await say('paolo', 'rete, sicurezza');
    await say('paolo', 'info@retesicura.example, 02 1234567');
    expect(last('paolo')).toContain(
      'Riepilogo: Rete Sicura srl, partita IVA 12345678903. Regioni: Lombardia, Piemonte. Ambiti: rete, sicurezza.',
    );
    await h.press('paolo', 'vendor.apply', 'send');
    expect(last('paolo')).toBe('Candidatura FOR-000001 di Rete Sicura srl inviata al comitato etico. Ti scrivo appena decide.');
    const card = h.sender.last('comitato')!;
    expect(card.message.title).toBe("Candidatura all'albo: FOR-000001 · Rete Sicura srl");
    expect(card.message.buttons?.map((b) => b.value)).toEqual(['approve:FOR-000001', 'reject:FOR-000001']);
  });

  it('only the committee decides; the Approve button asks for the reason, then the decision is recorded and announced', async () => {
    await h.press('marco', 'vendor.decide', 'approve:FOR-000001', COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe('Non hai i permessi per questa operazione.');
    await h.press('carla', 'vendor.decide', 'approve:FOR-000001', COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toContain('Scrivi il motivo per «approvare» FOR-000001');
    await inCommittee('carla', 'visura e referenze verificate');
    const announced = h.sender
      .texts('comitato')
      .find((x) => x.startsWith('Albo: Rete Sicura srl (FOR-000001) è certificato fino al 2 marzo 2027'));
    expect(announced).toContain('«visura e referenze verificate»');
    // The card is the same message, edited: no buttons any more.
    const cards = h.sender.to('comitato').filter((d) => d.message.title?.includes('FOR-000001'));
    expect(cards.at(-1)?.editMessageId).toBe(cards[0]?.messageId);
    expect(cards.at(-1)?.message.buttons).toBeUndefined();
    expect(last('paolo')).toContain("siete nell'albo fino al 2 marzo 2027");
    // Approving twice changes nothing.
    await inCommittee('carla', 'comitato approva FOR-000001 ancora');
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(
      'Per FOR-000001 non si può «approvare»: il fornitore è certificato. Nulla è cambiato.',
    );
  });

  it('a certified vendor publishes offers; the catalogue finds them in Italian; the register lists the vendor', async () => {
    await say('paolo', 'offerta servizio rete Configurazione di rete e Wi-Fi | 300 € una tantum | sconto del 20% per le ODV');
    expect(last('paolo')).toBe('Offerta OFF-000001 di Rete Sicura srl pubblicata nel catalogo.');
    await say('anna', 'catalogo configurare il wifi');
    expect(last('anna')).toContain(
      'OFF-000001 Configurazione di rete e Wi-Fi (servizio, rete) · 300 € una tantum · per il Terzo Settore: sconto del 20% per le ODV',
    );
    await say('anna', 'albo rete');
    expect(last('anna')).toContain('FOR-000001 Rete Sicura srl · — (0) · 0 incarichi · puntualità —');
    await say('anna', 'offerta servizio rete Finta | 1 € | nulla');
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
  });
});

describe('the vendor role across every command of the registry', () => {
  it("a vendor's member never sees nor changes a ticket not engaged to the company, whatever command it types", async () => {
    const ref = await openTicket('anna', 'Il portatile della segreteria è lentissimo');
    const before = (await h.store.tickets.findByRef(ref))!;
    const events = (await h.store.tickets.listEvents(before.id)).length;
    const typedBy = h.sender.sent.length;
    for (const c of REGISTRY.commands) {
      for (const word of [c.words.it[0], c.words.en[0]]) {
        await say('paolo', `${word} ${ref} 5 5 prova`);
        await say('paolo', `/${word} ${ref}`);
      }
    }
    await say('paolo', 'annulla');
    const after = (await h.store.tickets.findByRef(ref))!;
    expect(after).toEqual(before);
    expect((await h.store.tickets.listEvents(before.id)).length).toBe(events);
    expect(await h.store.tickets.listComments(before.id)).toEqual([]);
    expect(await h.store.vendors.findEngagementForTicket(before.id)).toBeUndefined();
    // Nothing of the ticket reached anyone: no reply with its title, no message to others.
    const caused = h.sender.sent.slice(typedBy);
    expect(caused.filter((d) => JSON.stringify(d.message).includes('portatile della segreteria'))).toEqual([]);
    expect(caused.filter((d) => d.address.conversationId !== 'paolo' && d.ephemeralTo !== 'paolo').map((d) => d.message.text)).toEqual([]);
  });
});

describe('an engagement, from the request to the review', () => {
  let ref: string;

  it('the requester asks; the moderators get the automatic match', async () => {
    ref = await openTicket('anna', 'Lo switch della sede è guasto');
    await say('vera', `prendi ${ref}`);
    await say('anna', `fornitore ${ref} rete lombardia`);
    expect(last('anna')).toContain('ho registrato la richiesta');
    expect(last('marco')).toContain(`Richiesta di fornitore per ${ref} (P2, Associazione Il Girasole ODV`);
    expect(last('marco')).toContain('Proposta automatica: FOR-000001 Rete Sicura srl.');
    expect(lastButtons('marco')).toEqual([expect.objectContaining({ actionId: 'vendor.propose', value: `${ref}:FOR-000001` })]);
    await say('anna', `fornitore ${ref}`);
    expect(last('anna')).toBe(`La richiesta di fornitore per ${ref} è: in attesa di una proposta dei moderatori.`);
  });

  it('a vendor not engaged sees nothing of the ticket', async () => {
    await say('paolo', `stato ${ref}`);
    expect(last('paolo')).toContain(`Non trovo il ticket ${ref}`);
  });

  it('the moderator confirms; the nonprofit picks; the vendor sees the ticket', async () => {
    await h.press('anna', 'vendor.propose', `${ref}:FOR-000001`);
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await h.press('marco', 'vendor.propose', `${ref}:FOR-000001`);
    expect(h.sender.to('anna').at(-1)?.message.title).toBe(`Fornitori proposti per ${ref}`);
    expect(lastButtons('luca').map((b) => b.value)).toEqual([`${ref}:FOR-000001`]);
    await h.press('anna', 'vendor.pick', `${ref}:FOR-000002`);
    expect(last('anna')).toContain('Non trovo il fornitore FOR-000002');
    await h.press('anna', 'vendor.pick', `${ref}:FOR-000001`);
    expect(last('anna')).toBe(`Hai scelto Rete Sicura srl per ${ref}: gli chiedo un preventivo e te lo giro.`);
    expect(last('paolo')).toContain(`Associazione Il Girasole ODV vi ha scelto per ${ref} (P2)`);
    await h.press('luca', 'vendor.pick', `${ref}:FOR-000001`);
    expect(last('luca')).toContain('in attesa del preventivo del fornitore');
    await say('paolo', `stato ${ref}`);
    expect(h.sender.last('paolo')?.message.title).toContain(ref);
  });

  it('the vendor quotes once; only the ICT lead approves, once', async () => {
    await say('paolo', `preventivo ${ref} 350 5 sostituzione dello switch e configurazione VLAN`);
    expect(last('paolo')).toContain(`Preventivo per ${ref} mandato: 350,00 €, 5 giorni lavorativi.`);
    expect(last('luca')).toContain('Rete Sicura srl propone');
    expect(lastButtons('luca').map((b) => b.actionId)).toEqual(['vendor.approve', 'vendor.decline']);
    await say('paolo', `preventivo ${ref} 300 5 ci ho ripensato`);
    expect(last('paolo')).toContain(
      `Per ${ref} non si può «mandare un preventivo» adesso: la richiesta di fornitore è in un'altra fase (preventivo in attesa dell'approvazione del referente ICT)`,
    );
    await h.press('anna', 'vendor.approve', ref);
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await h.press('marco', 'vendor.approve', ref);
    expect(last('marco')).toContain('non si può «dare la seconda approvazione» adesso');
    await h.press('luca', 'vendor.approve', ref);
    expect(last('luca')).toContain(`Preventivo per ${ref} approvato`);
    await h.press('luca', 'vendor.approve', ref);
    expect(last('luca')).toContain(
      `Per ${ref} non si può «approvare il preventivo» adesso: la richiesta di fornitore è in un'altra fase (incarico in corso)`,
    );
    const ticket = (await h.store.tickets.findByRef(ref))!;
    expect(ticket).toMatchObject({ tier: 'vendor', status: 'new', assigneeId: null });
    expect(last('vera')).toContain(`${ref} passa al fornitore Rete Sicura srl`);
    expect(lastButtons('paolo').map((b) => b.actionId)).toEqual(['ticket.claim', 'ticket.details']);
    expect(h.sender.texts('comitato').at(-1)).toContain(`Incarico avviato: ${ref} affidato a Rete Sicura srl per 350,00 €`);
  });

  it('the vendor SLA runs on the same clock: the warning reaches the vendor, the volunteers cannot claim', async () => {
    await say('vera', `prendi ${ref}`);
    expect(last('vera')).toBe('Non hai i permessi per questa operazione.');
    h.clock.advance(95 * 60_000); // 90 of the 120 business minutes of the vendor's P2 first response
    await fireDue();
    expect(h.sender.texts('paolo').some((x) => x.startsWith(`⏰ ${ref}`))).toBe(true);
    await say('anna', `stato ${ref}`);
    expect(h.sender.last('anna')?.message.fields?.find((f) => f.label === 'Prima risposta')?.value).toBe(
      'entro 2 mar 2026, 12:00, mancano 25 min lavorative',
    );
  });

  it('a missed commitment is reported to the committee, the vendor and the requester (not the volunteers)', async () => {
    const volunteersBefore = h.sender.to('volontari').length;
    h.clock.advance(30 * 60_000);
    await fireDue();
    expect(h.sender.texts('comitato').at(-1)).toBe(
      `🚨 Impegno mancato: Rete Sicura srl (FOR-000001) non ha preso in carico ${ref} (P2, Associazione Il Girasole ODV) entro 2 h lavorative.`,
    );
    expect(last('anna')).toContain(`Rete Sicura srl non ha preso in carico la tua richiesta ${ref} nel tempo garantito (2 h lavorative)`);
    expect(h.sender.texts('paolo').some((x) => x.startsWith('🚨 Impegno mancato'))).toBe(true);
    expect(
      h.sender
        .to('volontari')
        .slice(volunteersBefore)
        .filter((d) => d.message.text.startsWith('🚨')),
    ).toEqual([]);
  });

  it('the vendor works the ticket with the existing commands; the requester confirms and reviews, once', async () => {
    await say('paolo', `prendi ${ref}`);
    expect(last('paolo')).toContain(`Hai preso in carico ${ref}`);
    await say('paolo', `risolvi ${ref} switch sostituito, VLAN configurate`);
    await h.press('anna', 'ticket.confirm', ref);
    expect(last('anna')).toContain(`Com'è andato il lavoro del fornitore su ${ref}?`);
    expect(lastButtons('anna').map((b) => b.actionId)).toEqual(Array(5).fill('vendor.review'));
    await h.press('anna', 'vendor.review', `${ref}:5`);
    expect(last('anna')).toContain('Aggiungi un commento per gli altri enti');
    await say('anna', 'Veloci, chiari e puntuali');
    expect(last('anna')).toBe(`Grazie: la recensione di ${ref} è nell'albo.`);
    expect(h.sender.texts('comitato').at(-1)).toBe(
      `Recensione di Rete Sicura srl (FOR-000001) su ${ref}: ★★★★★ «Veloci, chiari e puntuali».`,
    );
    await h.press('anna', 'vendor.review', `${ref}:1`);
    expect(last('anna')).toBe(`L'incarico su ${ref} è già stato recensito: una recensione per incarico.`);
    await say('luca', `recensione ${ref} 2 ripensandoci`);
    expect(last('luca')).toContain('già stato recensito');
  });

  it("the vendor's record: one engagement, the first response late, resolved on time, rated 5", async () => {
    await say('marco', 'fornitore FOR-000001');
    const card = h.sender.last('marco')!.message;
    const field = (label: string) => card.fields?.find((f) => f.label === label)?.value;
    expect(field('Incarichi')).toBe('1 avviati (0 in corso, 1 conclusi, 0 restituiti)');
    expect(field('Puntualità')).toBe('prima risposta 0%, risoluzione 100%');
    expect(field('Valutazione')).toBe('★5.0 su 1 recensioni');
    expect(field('Segnalazioni')).toBe('0 (0 aperte)');
    await say('anna', 'fornitore FOR-000001');
    expect(h.sender.last('anna')!.message.fields?.some((f) => f.label === 'Segnalazioni')).toBe(false);
  });
});

describe('bad input and out-of-order actions', () => {
  it('a review without a real, closed engagement is refused', async () => {
    const other = await openTicket('anna', 'La stampante non stampa');
    await say('anna', `recensione ${other} 5 ottimo`);
    expect(last('anna')).toBe(`Si può recensire un fornitore solo dopo un incarico reale su ${other}, chiuso.`);
    await h.press('anna', 'vendor.review', `${other}:5`);
    expect(last('anna')).toContain('Si può recensire un fornitore solo dopo un incarico reale');
  });

  it('a rejected quote ends the engagement: the vendor no longer sees the ticket, a second quote finds nothing', async () => {
    const t = await openTicket('anna', 'Il firewall blocca la posta');
    await say('anna', `fornitore ${t} rete`);
    await say('marco', `proponi ${t} FOR-000001`);
    await h.press('anna', 'vendor.pick', `${t}:FOR-000001`);
    await say('paolo', `preventivo ${t} 900 10 sostituzione firewall`);
    await say('luca', `preventivo ${t} rifiuta troppo caro`);
    expect(last('luca')).toContain(`Preventivo per ${t} rifiutato`);
    expect(last('paolo')).toContain(`Il vostro preventivo per ${t} (900,00 €) è stato rifiutato: «troppo caro»`);
    await say('paolo', `preventivo ${t} 500 10 sconto`);
    expect(last('paolo')).toContain(`Non trovo il ticket ${t}`);
    await h.press('luca', 'vendor.approve', t);
    expect(last('luca')).toBe(`Per ${t} non c'è nessuna richiesta di fornitore in corso.`);
  });

  it("above the spending cap the ICT lead's approval waits for a moderator's", async () => {
    await say('anna', 'tetto 97000000001 200');
    expect(last('anna')).toBe('Non hai i permessi per questa operazione.');
    await say('marco', 'tetto 97000000001 200');
    expect(last('marco')).toBe('Tetto di spesa per incarico di Associazione Il Girasole ODV: 200,00 €. Sopra, serve anche un moderatore.');
    const t = await openTicket('anna', 'Il server NAS non si avvia');
    await say('anna', `fornitore ${t}`);
    await say('marco', `proponi ${t} FOR-000001`);
    await h.press('luca', 'vendor.pick', `${t}:FOR-000001`);
    await say('paolo', `preventivo ${t} 450 3 sostituzione dischi`);
    await h.press('luca', 'vendor.approve', t);
    expect(last('luca')).toContain("è sopra il tetto di spesa dell'ente");
    expect(last('marco')).toContain('serve la tua seconda approvazione');
    expect((await h.store.tickets.findByRef(t))?.tier).toBe('volunteer');
    await h.press('marco', 'vendor.approve', t);
    expect(last('marco')).toContain(`Preventivo per ${t} approvato`);
    expect((await h.store.tickets.findByRef(t))?.tier).toBe('vendor');
    await say('marco', 'tetto 97000000001 nessuno');
  });

  it('forged buttons change nothing: a pick of a vendor never proposed, a decision on a vendor of another standing', async () => {
    const t = await openTicket('anna', 'Il centralino è muto');
    await say('anna', `fornitore ${t} telefonia`);
    expect(last('marco')).toContain('Nessun fornitore certificato adatto');
    await h.press('anna', 'vendor.pick', `${t}:FOR-000001`);
    expect(last('anna')).toContain(`Per ${t} non si può «scegliere il fornitore» adesso`);
    await h.press('carla', 'vendor.decide', 'reinstate:FOR-000001', COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe(
      'Per FOR-000001 non si può «riattivare»: il fornitore è certificato. Nulla è cambiato.',
    );
  });
});

describe('expiry, renewal, lapse and revocation', () => {
  it('a vendor gets reminders 30 and 7 days before its expiry, each once; an expired vendor cannot quote; then it lapses', async () => {
    const gino = await certifiedVendor('gino', 'Bit Solidale snc', '01114601006', 'tutta Italia', 'rete, backup');
    await say('gino', 'offerta servizio backup Backup in cloud | 15 € al mese | primo mese gratuito');
    const t = await openTicket('anna', 'Il backup notturno fallisce');
    await say('anna', `fornitore ${t} backup`);
    await say('marco', `proponi ${t} ${gino}`);
    await h.press('anna', 'vendor.pick', `${t}:${gino}`);

    const vendor = (await h.store.vendors.findVendorByRef(gino))!;
    const until = vendor.certifiedUntil!;
    h.clock.advance(until.getTime() - 30 * DAY - h.clock.now().getTime() + HOUR);
    // Every vendor certified that day is reminded (Rete Sicura too), each once.
    expect((await sweep()).vendors).toEqual({ reminded: 2, lapsed: 0 });
    expect(last('gino')).toContain('scade il 2 marzo 2027 (tra 30 giorni)');
    expect(h.sender.texts('comitato').at(-1)).toContain(`«comitato rinnova ${gino} <motivo>»`);
    expect((await sweep()).vendors).toEqual({ reminded: 0, lapsed: 0 });
    h.clock.advance(23 * DAY);
    expect((await sweep()).vendors).toEqual({ reminded: 2, lapsed: 0 });
    expect(last('gino')).toContain('(tra 7 giorni)');

    h.clock.advance(7 * DAY);
    await say('gino', `preventivo ${t} 120 2 ripristino del backup`);
    expect(last('gino')).toContain('Bit Solidale snc non è certificato in questo momento');
    await say('anna', 'catalogo backup');
    expect(last('anna')).not.toContain('Backup in cloud');

    expect((await sweep()).vendors).toEqual({ reminded: 0, lapsed: 2 });
    expect(
      h.sender
        .texts('comitato')
        .some((x) => x.startsWith('Albo: la certificazione di Bit Solidale snc') && x.includes('è scaduta il 2 marzo 2027')),
    ).toBe(true);
    expect(last('anna')).toContain(`il lavoro su ${t} torna ai moderatori`);
    expect(last('marco')).toContain(`${t} (P2, Associazione Il Girasole ODV, «Il backup notturno fallisce») torna a voi`);
    expect((await h.store.vendors.findVendorByRef(gino))?.status).toBe('lapsed');
    await say('gino', `stato ${t}`);
    expect(last('gino')).toContain('Non trovo il ticket');
    await inCommittee('carla', `decisioni ${gino}`);
    const ledger = h.sender.to('comitato').at(-1)!.message.text;
    expect(ledger.split('\n')[0]).toContain(`${gino} Bit Solidale snc: scadenza, da Sportello (automatica)`);
    expect(ledger).toContain('approvazione');
    // Renewed after the lapse: a new term from today.
    await inCommittee('carla', `comitato rinnova ${gino} documenti aggiornati`);
    expect(
      h.sender
        .texts('comitato')
        .some((x) => x.includes('certificazione di Bit Solidale snc') && x.includes('rinnovata fino al 2 marzo 2028')),
    ).toBe(true);
  });

  it("a volunteer's certification expires too: reminded, lapsed, their tickets back in the queue", async () => {
    await h.person('nino', 'Nino Nuovo', []);
    await inCommittee('carla', 'certifica @nino volontario colloquio superato');
    const grant = (await h.store.people.activeGrants((await h.store.people.findPersonByHandle('nino'))!.id)).find(
      (g) => g.role === 'volunteer',
    )!;
    expect(grant.expiresAt).not.toBeNull();
    const t = await openTicket('anna', 'Il proiettore non si accende');
    await say('nino', `prendi ${t}`);
    h.clock.advance(grant.expiresAt!.getTime() - 7 * DAY - h.clock.now().getTime() + HOUR);
    expect((await sweep()).people.reminded).toBeGreaterThanOrEqual(1);
    expect(last('nino')).toContain('La tua certificazione di volontario/a scade');
    h.clock.advance(8 * DAY);
    expect((await sweep()).people.lapsed).toBeGreaterThanOrEqual(1);
    expect(last('nino')).toContain('La tua certificazione di volontario/a è scaduta');
    const ticket = (await h.store.tickets.findByRef(t))!;
    expect(ticket).toMatchObject({ status: 'new', assigneeId: null });
    await inCommittee('carla', 'decisioni @nino');
    expect(h.sender.to('comitato').at(-1)?.message.text).toMatch(
      /@nino: scadenza \(volontario\/a\), da Sportello \(automatica\)[\s\S]*@nino: certificazione \(volontario\/a\) fino al/,
    );
  });

  it('revoking a vendor hands its open engagements back and tells the nonprofit; a complaint is a case the committee closes', async () => {
    // Rete Sicura lapsed with the others above: renewed after the lapse, it works again.
    await inCommittee('carla', 'comitato rinnova FOR-000001 documenti aggiornati');
    const t = await openTicket('anna', 'Il wifi cade ogni ora');
    await say('anna', `fornitore ${t} rete`);
    await say('marco', `proponi ${t} FOR-000001`);
    await h.press('anna', 'vendor.pick', `${t}:FOR-000001`);
    await say('paolo', `preventivo ${t} 150 2 sostituzione access point`);
    await h.press('luca', 'vendor.approve', t);
    await say('paolo', `prendi ${t}`);

    await say('anna', 'segnala FOR-000001 non risponde al telefono');
    expect(last('anna')).toBe('Segnalazione SEG-000001 mandata al comitato etico. Ti scrivo quando decide.');
    expect(h.sender.to('comitato').at(-1)?.message.title).toBe('Segnalazione SEG-000001 su FOR-000001 Rete Sicura srl');
    await h.press('carla', 'vendor.case', 'SEG-000001', COMMITTEE);
    await inCommittee('carla', 'fornitore richiamato per iscritto');
    expect(last('anna')).toContain(
      'Il comitato etico ha chiuso la tua segnalazione SEG-000001 su FOR-000001 Rete Sicura srl: «fornitore richiamato per iscritto»',
    );
    await h.press('carla', 'vendor.case', 'SEG-000001', COMMITTEE);
    expect(h.sender.to('comitato').at(-1)?.message.text).toBe('Il caso SEG-000001 è già chiuso: nulla è cambiato.');

    await inCommittee('carla', 'comitato revoca FOR-000001 segnalazioni ripetute');
    expect(last('anna')).toContain(`Rete Sicura srl non è più certificato (segnalazioni ripetute): il lavoro su ${t} torna ai moderatori`);
    const ticket = (await h.store.tickets.findByRef(t))!;
    expect(ticket).toMatchObject({ tier: 'volunteer', vendorId: null, status: 'new', assigneeId: null });
    expect((await h.store.vendors.findEngagementForTicket(ticket.id))?.status).toBe('requested');
    await say('paolo', `stato ${t}`);
    expect(last('paolo')).toContain('Non trovo il ticket');
    // Finished work stays the vendor's record.
    await say('marco', 'fornitore FOR-000001');
    expect(h.sender.last('marco')!.message.fields?.find((f) => f.label === 'Incarichi')?.value).toMatch(/restituiti/);
    await say('anna', 'albo');
    expect(last('anna')).not.toContain('FOR-000001');
  });
});
