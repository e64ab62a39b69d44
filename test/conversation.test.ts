import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationEngine } from '../core/conversation/engine.ts';
import { REGISTRY } from '../core/features.ts';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  h = await createHarness();
  orgA = await h.org('Associazione Il Girasole ODV', '97000000001');
  orgB = await h.org('Cooperativa La Rondine', '97000000002');
  await h.person('anna', 'Anna Bianchi', ['requester'], orgA);
  await h.person('bruno', 'Bruno Verdi', ['requester'], orgB);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.person('carla', 'Carla Comitato', ['committee']);
  for (let i = 0; i < 10; i++) await h.person(`vol${i}`, `Volontario ${i}`, ['volunteer']);
  await h.bindVolunteers('volontari');
});
afterAll(() => h.close());

/** Drives the whole intake as `who` and returns the created ticket's ref. */
async function openTicket(who: string, first: string, title = 'Stampante ferma'): Promise<string> {
  await h.send({ from: who, text: first });
  await h.press(who, 'intake.kind', 'incident');
  await h.press(who, 'intake.impact', '2');
  await h.press(who, 'intake.urgency', '1');
  await h.send({ from: who, text: title });
  await h.press(who, 'intake.keep', '');
  await h.press(who, 'intake.skip', '');
  const confirm = h.sender.last(who);
  const button = confirm?.message.buttons?.find((b) => b.actionId === 'intake.confirm');
  expect(button).toBeDefined();
  await h.press(who, 'intake.confirm', button!.value);
  const created = h.sender.texts(who).at(-1) ?? '';
  const ref = /INC-\d{6}/.exec(created)?.[0];
  expect(ref, created).toBeDefined();
  return ref!;
}

describe('requester journey', () => {
  it('opens a ticket by chatting and the card reaches the volunteers channel without personal details', async () => {
    const before = h.sender.to('volontari').length;
    const ref = await openTicket('anna', 'La stampante non stampa, chiamatemi al 333 1234567 o scrivete a anna@girasole.org');
    expect(h.sender.texts('anna').at(-1)).toMatch(new RegExp(`${ref}.*P2`));
    const cards = h.sender.to('volontari').slice(before);
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.message.title).toContain(ref);
    expect(card.message.buttons?.map((b) => b.actionId)).toEqual(['ticket.claim', 'ticket.details']);
    const shown = JSON.stringify(card.message);
    expect(shown).not.toContain('333 1234567');
    expect(shown).not.toContain('anna@girasole.org');
    expect(shown).not.toContain('Anna Bianchi');
  });

  it('a volunteer claims from the card: card edited in place, requester told, owner gets full details', async () => {
    const ref = await openTicket('anna', 'Il PC della segreteria non si accende');
    const card = h.sender.to('volontari').at(-1)!;
    await h.press('vera', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    const edit = h.sender
      .to('volontari')
      .filter((d) => d.editMessageId)
      .at(-1)!;
    expect(edit.editMessageId).toBe(card.messageId);
    expect(edit.message.buttons?.map((b) => b.actionId)).toEqual(['ticket.details']);
    expect(JSON.stringify(edit.message.fields)).toContain('Vera Volontaria');
    expect(h.sender.texts('anna').at(-1)).toContain(`Vera Volontaria ha preso in carico il tuo ticket ${ref}`);
    const details = h.sender.to('vera').find((d) => d.message.title?.startsWith(ref));
    expect(JSON.stringify(details?.message.fields)).toContain('anna@example.org');
  });

  it('follows the ticket: hold, reply resumes, resolve, confirm, rate', async () => {
    const ref = await openTicket('anna', 'Non riesco a leggere la posta');
    await h.press('vera', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    await h.send({ from: 'vera', text: `sospendi ${ref} Mi serve la versione di Outlook` });
    expect(h.sender.texts('anna').at(-1)).toContain('Mi serve la versione di Outlook');
    await h.send({ from: 'anna', text: `commenta ${ref} Outlook 2019` });
    expect(h.sender.texts('vera').at(-1)).toContain('Outlook 2019');
    await h.send({ from: 'anna', text: `stato ${ref}` });
    expect(JSON.stringify(h.sender.last('anna')?.message)).toContain('in lavorazione');
    await h.press('vera', 'ticket.resolve', ref);
    expect(h.sender.texts('vera').at(-1)).toContain(`Scrivi come hai risolto ${ref}`);
    await h.send({ from: 'vera', text: 'Riconfigurato il profilo di posta' });
    const resolved = h.sender.last('anna')!;
    expect(resolved.message.text).toContain('Riconfigurato il profilo di posta');
    await h.press('anna', 'ticket.confirm', ref);
    const rate = h.sender.last('anna')!;
    expect(rate.message.buttons).toHaveLength(5);
    await h.press('anna', 'ticket.rate', `${ref}:5`);
    expect(h.sender.texts('anna').at(-1)).toContain('5/5');
    expect((await h.store.tickets.findByRef(ref))?.status).toBe('closed');
  });

  it('"annulla" stops the intake at any point and nothing is created', async () => {
    const before = (await h.store.tickets.list({ limit: 1000 })).length;
    await h.send({ from: 'anna', text: 'ho un problema' });
    await h.press('anna', 'intake.kind', 'service_request');
    await h.send({ from: 'anna', text: 'annulla' });
    expect(h.sender.texts('anna').at(-1)).toContain('ho annullato');
    expect((await h.store.tickets.list({ limit: 1000 })).length).toBe(before);
  });

  it('the dialog survives a restart (a new engine on the same database) and expires when abandoned', async () => {
    await h.send({ from: 'anna', text: 'il wifi va e viene' });
    const restarted = new ConversationEngine({ registry: REGISTRY, store: h.store, clock: h.clock, defaultLocale: 'it' });
    await restarted.handle({
      platform: 'web',
      deliveryId: 'restart-1',
      conversation: { id: 'anna', kind: 'dm' },
      sender: { externalId: 'anna' },
      action: { id: 'intake.kind', value: 'incident' },
    });
    await h.dispatcher.drain();
    expect(h.sender.texts('anna').at(-1)).toContain('Chi ne è colpito?');
    h.clock.advance(3 * 60 * 60 * 1000);
    await h.press('anna', 'intake.impact', '1');
    expect(h.sender.texts('anna').at(-1)).toContain('scaduta');
  });
});

describe('bad input', () => {
  it('unknown command → help in the user language', async () => {
    await h.send({ from: 'anna', text: '/boh' });
    expect(h.sender.texts('anna').at(-1)).toContain('Non ho capito il comando');
    await h.send({ from: 'bruno', text: 'lingua en' });
    await h.send({ from: 'bruno', text: '/whatever' });
    expect(h.sender.texts('bruno').at(-1)).toContain('I did not understand the command');
  });

  it('a malformed command answers with its usage, in the user language', async () => {
    await h.send({ from: 'anna', text: 'stato' });
    expect(h.sender.texts('anna').at(-1)).toBe('Uso: stato <codice>, per esempio "stato INC-000042".');
    await h.send({ from: 'bruno', text: 'rate' });
    expect(h.sender.texts('bruno').at(-1)).toBe('Usage: rate <id> <1 to 5>.');
    await h.send({ from: 'anna', text: 'valuta INC-000001 9' });
    expect(h.sender.texts('anna').at(-1)).toBe('Valore non valido per "valutazione" (massimo 5).');
  });

  it('an unknown id and another organisation\'s ticket get the same "not found"', async () => {
    const ref = await openTicket('anna', 'Scanner rotto');
    await h.send({ from: 'bruno', text: `status ${ref}` });
    const foreign = h.sender.texts('bruno').at(-1);
    await h.send({ from: 'bruno', text: 'status INC-999999' });
    const unknown = h.sender.texts('bruno').at(-1);
    expect(foreign).toBe(`I cannot find ticket ${ref}. Check the id (for example INC-000042).`);
    expect(unknown).toBe('I cannot find ticket INC-999999. Check the id (for example INC-000042).');
  });

  it('a duplicated delivery has one effect', async () => {
    await h.send({ from: 'anna', text: 'doppio invio' });
    await h.press('anna', 'intake.kind', 'incident');
    await h.press('anna', 'intake.impact', '3');
    await h.press('anna', 'intake.urgency', '3');
    await h.send({ from: 'anna', text: 'Titolo doppio' });
    await h.press('anna', 'intake.keep', '');
    await h.press('anna', 'intake.skip', '');
    const value = h.sender.last('anna')!.message.buttons!.find((b) => b.actionId === 'intake.confirm')!.value;
    const before = (await h.store.tickets.list({ limit: 1000 })).length;
    const cardsBefore = h.sender.to('volontari').length;
    const event = {
      platform: 'web' as const,
      deliveryId: 'dup-1',
      conversation: { id: 'anna', kind: 'dm' as const },
      sender: { externalId: 'anna' },
      action: { id: 'intake.confirm', value },
    };
    const results = await Promise.all([h.engine.handle(event), h.engine.handle(event)]);
    await h.engine.handle(event);
    await h.dispatcher.drain();
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'handled']);
    expect((await h.store.tickets.list({ limit: 1000 })).length).toBe(before + 1);
    expect(h.sender.to('volontari').length).toBe(cardsBefore + 1);
  });

  it('a click on a stale card answers clearly and redraws the card', async () => {
    const ref = await openTicket('anna', 'Monitor nero');
    await h.press('vera', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    const n = h.sender.to('volontari').length;
    await h.press('vol1', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    const after = h.sender.to('volontari').slice(n);
    const refusal = after.find((d) => d.ephemeralTo === 'vol1');
    expect(refusal?.message.text).toBe(`Il ticket ${ref} è già stato preso in carico da Vera Volontaria.`);
    expect(after.some((d) => d.editMessageId && d.message.title?.includes(ref))).toBe(true);
  });

  it('in a channel a command word is a command, even while a note dialog is open there', async () => {
    const channel = { id: 'volontari', kind: 'channel' as const };
    const first = await openTicket('anna', 'Scanner lento');
    const second = await openTicket('anna', 'Mouse rotto');
    await h.press('vera', 'ticket.claim', first, channel);
    await h.press('vera', 'ticket.resolve', first, channel); // asks for the note, in the channel
    await h.send({ from: 'vera', text: `prendi ${second}`, conversation: channel });
    expect((await h.store.tickets.findByRef(second))?.status).toBe('assigned');
    expect((await h.store.tickets.findByRef(first))?.status).toBe('assigned');
  });

  it('only volunteers claim', async () => {
    const ref = await openTicket('anna', 'Tastiera');
    await h.send({ from: 'marco', text: `prendi ${ref}` });
    expect(h.sender.texts('marco').at(-1)).toBe('Solo i volontari certificati possono prendere in carico i ticket.');
    expect((await h.store.tickets.findByRef(ref))?.assigneeId).toBeNull();
  });

  it('user text echoed into the channel cannot mention everyone', async () => {
    const ref = await openTicket('anna', '@everyone <!here> <!channel> @here aiuto', '@channel <@U123> urgente');
    const card = h.sender.to('volontari').find((d) => d.message.title?.includes(ref))!;
    const shown = JSON.stringify(card.message);
    for (const bad of ['@everyone', '@here', '@channel', '<!here>', '<!channel>', '<@U123>']) expect(shown).not.toContain(bad);
  });
});

describe('claiming under contention', () => {
  it('ten simultaneous claims: exactly one owner, the others told who has it', async () => {
    const ref = await openTicket('anna', 'Server NAS non risponde');
    const n = h.sender.sent.length;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.engine.handle({
          platform: 'web',
          deliveryId: `race-${i}`,
          conversation: { id: 'volontari', kind: 'channel' },
          sender: { externalId: `vol${i}` },
          action: { id: 'ticket.claim', value: ref },
        }),
      ),
    );
    await h.dispatcher.drain();
    const ticket = await h.store.tickets.findByRef(ref);
    const events = await h.store.tickets.listEvents(ticket!.id);
    expect(events.filter((e) => e.field === 'assignee')).toHaveLength(1);
    const owner = await h.store.people.findPerson(ticket!.assigneeId!);
    const refusals = h.sender.sent.slice(n).filter((d) => d.ephemeralTo && d.message.text.includes('già stato preso in carico'));
    expect(refusals).toHaveLength(9);
    for (const r of refusals) expect(r.message.text).toContain(owner!.displayName);
  });
});

describe('channels, committee and identities', () => {
  it('a moderator binds a channel by a command typed in it; a requester cannot', async () => {
    await h.send({ from: 'anna', conversation: { id: 'generale', kind: 'channel' }, text: 'canale comitato' });
    expect(h.sender.to('generale').at(-1)?.message.text).toBe('Non hai i permessi per questa operazione.');
    await h.send({ from: 'marco', conversation: { id: 'comitato', kind: 'channel' }, text: 'canale comitato' });
    expect(h.sender.to('comitato').at(-1)?.message.text).toContain('canale comitato');
    expect((await h.store.channels.list('committee')).map((b) => b.conversationId)).toEqual(['comitato']);
  });

  it('the committee certifies and revokes with a reason, announced in the committee channel; others are refused', async () => {
    await h.person('nuovo', 'Nuovo Tecnico', []);
    await h.send({ from: 'vera', text: 'certifica @nuovo volontario' });
    expect(h.sender.texts('vera').at(-1)).toBe('Non hai i permessi per questa operazione.');
    await h.send({ from: 'carla', text: 'certifica @nuovo volontario colloquio superato' });
    expect(h.sender.texts('comitato').at(-1)).toContain('Nuovo Tecnico (@nuovo) è ora volontario/a');
    await h.send({ from: 'carla', text: 'revoca @nuovo volontario' });
    expect(h.sender.texts('carla').at(-1)).toContain('revoca @<nome utente>');
    await h.send({ from: 'carla', text: 'revoca @nuovo volontario segnalazioni ripetute' });
    expect(h.sender.texts('comitato').at(-1)).toContain('segnalazioni ripetute');
    await h.send({ from: 'carla', text: 'certificati' });
    expect(h.sender.texts('carla').at(-1)).toContain('Vera Volontaria (@vera)');
    expect(h.sender.texts('carla').at(-1)).not.toContain('@nuovo');
  });

  it('links a second platform account with a one-time code, usable once', async () => {
    await h.send({ from: 'anna', text: 'collega' });
    const code = /[A-Z2-9]{8}/.exec(h.sender.texts('anna').at(-1) ?? '')?.[0];
    expect(code).toBeDefined();
    await h.send({ platform: 'slack', from: 'U_ANNA', conversation: { id: 'D1', kind: 'dm' }, text: `link ${code}` });
    const anna = await h.store.people.findPersonByHandle('anna');
    expect((await h.store.people.findIdentity('slack', 'U_ANNA'))?.personId).toBe(anna!.id);
    await h.send({ platform: 'slack', from: 'U_OTHER', conversation: { id: 'D2', kind: 'dm' }, text: `collega ${code}` });
    expect(h.sender.texts('U_OTHER').at(-1)).toBe('Codice non valido, già usato o scaduto.');
  });

  it('an invitation code makes a newcomer a member who can open tickets', async () => {
    await h.person('lead', 'Luca Referente', ['ict_lead'], orgA);
    await h.send({ from: 'lead', text: 'invita 97000000001' });
    const code = /[A-Z2-9]{8}/.exec(h.sender.texts('lead').at(-1) ?? '')?.[0];
    await h.send({ from: 'newbie', sender: { displayName: 'Nina Nuova' }, text: 'mi serve aiuto' });
    expect(h.sender.texts('newbie').at(-1)).toContain('entra <codice>');
    await h.send({ from: 'newbie', text: `entra ${code}` });
    expect(h.sender.texts('newbie').at(-1)).toContain('Benvenuto/a in Associazione Il Girasole ODV');
    void orgB;
  });
});

describe('what the review found', () => {
  it('a revoked volunteer loses the tickets they held: back in the queue, requester told, no more access', async () => {
    await h.person('rev', 'Rino Revocato', ['volunteer']);
    await h.person('rosa', 'Rosa Richiedente', ['requester'], orgA);
    const ref = await openTicket('rosa', 'Il proiettore non si accende');
    await h.press('rev', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    await h.send({ from: 'carla', text: 'revoca @rev volontario comportamento scorretto' });
    const ticket = await h.store.tickets.findByRef(ref);
    expect(ticket).toMatchObject({ status: 'new', assigneeId: null });
    expect(h.sender.texts('rosa').at(-1)).toContain(`${ref} è tornato in coda`);
    const card = h.sender
      .to('volontari')
      .filter((d) => d.message.title?.includes(ref))
      .at(-1)!;
    expect(card.message.buttons?.map((b) => b.actionId)).toContain('ticket.claim');
    await h.send({ from: 'rev', text: `sospendi ${ref} mandami la password del wifi` });
    expect(h.sender.texts('rev').at(-1)).toBe(`Non trovo il ticket ${ref}. Controlla il codice (per esempio INC-000042).`);
  });

  it('an ICT lead who is also a requester of the same organisation opens tickets', async () => {
    await h.person('doppio', 'Dora Doppia', ['requester', 'ict_lead'], orgA);
    const ref = await openTicket('doppio', 'La posta non arriva');
    expect(ref).toMatch(/^INC-/);
  });

  it('dialog answers that begin with a command word are answers, and a first message too', async () => {
    await h.send({ from: 'anna', text: 'Collega in ferie, non accedo al suo PC' });
    expect(h.sender.texts('anna').at(-1)).toContain('Apriamo insieme una richiesta');
    // The shorter intake read kind, device, title and description from it: only impact and urgency are asked.
    await h.press('anna', 'intake.impact', '2');
    await h.press('anna', 'intake.urgency', '2');
    expect(h.sender.last('anna')?.message.title).toBe('Riepilogo: confermi?');
    await h.press('anna', 'intake.edit', 'title');
    await h.send({ from: 'anna', text: 'Stato della rete pessimo' });
    const summary = h.sender.last('anna')?.message;
    expect(summary?.fields?.find((f) => f.label === 'Titolo')?.value).toBe('Stato della rete pessimo');
    await h.send({ from: 'anna', text: 'annulla' });
    expect(h.sender.texts('anna').at(-1)).toContain('ho annullato');
  });

  it('link and invitation codes are only given in a private conversation', async () => {
    await h.send({ from: 'marco', conversation: { id: 'volontari', kind: 'channel' }, text: 'collega' });
    const reply = h.sender.to('volontari').at(-1)!;
    expect(reply.ephemeralTo).toBe('marco');
    expect(reply.message.text).toContain('solo in una conversazione privata');
    expect(reply.message.text).not.toMatch(/[A-Z2-9]{8}/);
  });

  it("another organisation's ticket and an unknown one answer with exactly what was typed", async () => {
    await h.send({ from: 'bruno', text: 'status inc-1' });
    expect(h.sender.texts('bruno').at(-1)).toBe('I cannot find ticket inc-1. Check the id (for example INC-000042).');
  });

  it('a refused note does not leave the volunteer stuck in the note dialog', async () => {
    const ref = await openTicket('anna', 'Il mouse non va');
    await h.press('vera', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    await h.send({ from: 'vera', text: `risolvi ${ref}` });
    expect(h.sender.texts('vera').at(-1)).toContain('Serve anche una nota');
    await h.press('vera', 'ticket.resolve', ref);
    await h.send({ from: 'anna', text: `ritira ${ref}` });
    await h.send({ from: 'vera', text: 'Cambiato il mouse' });
    expect(h.sender.texts('vera').at(-1)).toContain('Non si può fare "risolvere" su un ticket nello stato "annullato"');
    await h.send({ from: 'vera', text: 'aiuto' });
    expect(h.sender.texts('vera').at(-1)).toContain('Sportello');
  });

  it("the ICT lead's comment reaches the owner; a requester's comment in the channel does not show their name", async () => {
    await h.person('lia', 'Lia Referente', ['ict_lead'], orgA);
    const ref = await openTicket('anna', 'Il NAS è lento');
    await h.send({ from: 'anna', text: `commenta ${ref} Succede dalle 9` });
    const inChannel = h.sender.to('volontari').at(-1)!;
    expect(inChannel.address.threadRef).toBe(`card:${ref}`);
    expect(inChannel.message.text).toBe(`Il richiedente su ${ref}: «Succede dalle 9»`);
    await h.press('vera', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
    await h.send({ from: 'lia', text: `commenta ${ref} Il NAS è nello sgabuzzino` });
    expect(h.sender.texts('vera').at(-1)).toContain('Il NAS è nello sgabuzzino');
  });

  it('linking from an account that already has roles is refused, the code stays usable', async () => {
    await h.send({
      platform: 'slack',
      from: 'U_NEW',
      conversation: { id: 'D9', kind: 'dm' },
      sender: { displayName: 'Anna Slack' },
      text: 'collega',
    });
    const code = /[A-Z2-9]{8}/.exec(h.sender.texts('U_NEW').at(-1) ?? '')![0];
    await h.send({ from: 'anna', text: `collega ${code}` });
    expect(h.sender.texts('anna').at(-1)).toContain('ha già ruoli o ticket suoi');
  });
});
