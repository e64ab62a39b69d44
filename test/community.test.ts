/**
 * The community through the conversation engine on a real database (web platform, recording
 * sender): the knowledge base from a resolved ticket with the requester's consent, deflection
 * at intake and its report, moderation, announcements, and the refusals — each a clear answer,
 * nothing stored twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './engine-harness.ts';

let h: Harness;
const COMMUNITY = { id: 'community', kind: 'channel' as const };
const inChannel = (from: string, text: string) => h.send({ from, text, conversation: COMMUNITY });
const lastText = (who: string) => h.sender.texts(who).at(-1) ?? '';
const count = async (table: 'community_questions' | 'community_answers' | 'kb_articles' | 'deflection_offers') =>
  Number(
    (
      await h.tdb.db
        .selectFrom(table as never)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  h = await createHarness();
  const girasole = await h.org('Associazione Il Girasole ODV', '97000000001');
  const rondine = await h.org('Cooperativa La Rondine', '97000000002');
  await h.person('anna', 'Anna Bianchi', ['requester'], girasole);
  await h.person('bruno', 'Bruno Verdi', ['requester'], rondine);
  await h.person('vera', 'Vera Volontaria', ['volunteer']);
  await h.person('marco', 'Marco Moderatore', ['moderator']);
  await h.person('olga', 'Olga Osservatrice', ['observer']);
  await h.person('nuovo', 'Nuovo Arrivato', []);
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
});
afterAll(() => h.close());

/** Opens, claims and resolves a ticket of Anna's; returns its ref. */
async function resolvedTicket(first: string, solution: string): Promise<string> {
  await h.send({ from: 'anna', text: first });
  for (let i = 0; i < 8; i++) {
    const m = h.sender.last('anna')!.message;
    const ids = (m.buttons ?? []).map((b) => b.actionId);
    if (ids.includes('intake.confirm')) break;
    if (ids.includes('intake.open')) await h.press('anna', 'intake.open', m.buttons![1]!.value);
    else if (ids.includes('intake.kind')) await h.press('anna', 'intake.kind', 'incident');
    else if (ids.includes('intake.impact')) await h.press('anna', 'intake.impact', '3');
    else if (ids.includes('intake.urgency')) await h.press('anna', 'intake.urgency', '2');
    else if (ids.includes('intake.keep')) await h.press('anna', 'intake.keep', '');
    else if (ids.includes('intake.skip')) await h.press('anna', 'intake.skip', '');
    else await h.send({ from: 'anna', text: 'Un titolo' });
  }
  const confirm = h.sender.last('anna')!.message.buttons!.find((b) => b.actionId === 'intake.confirm')!;
  await h.press('anna', 'intake.confirm', confirm.value);
  const ref = /INC-\d{6}/.exec(lastText('anna'))![0];
  await h.press('vera', 'ticket.claim', ref, { id: 'volontari', kind: 'channel' });
  await h.send({ from: 'vera', text: `risolvi ${ref} ${solution}` });
  return ref;
}

describe('knowledge base from a resolved ticket', () => {
  let ticket: string;
  let article: string;

  it('a volunteer publishes the fix: a draft without the organisation, the people, e-mails and phones', async () => {
    ticket = await resolvedTicket(
      'La stampante Brother della segreteria del Girasole non stampa più, Anna Bianchi al 333 1234567',
      'Anna Bianchi aveva la coda bloccata: riavviato lo spooler e reinstallato il driver Brother. Per dubbi scrivete a vera@volontari.org',
    );
    await h.send({ from: 'bruno', text: `pubblica ${ticket}` });
    expect(lastText('bruno')).toBe(`Non trovo il ticket ${ticket}. Controlla il codice (per esempio INC-000042).`);
    await h.send({ from: 'vera', text: `pubblica ${ticket}` });
    article = /KB-\d{6}/.exec(lastText('vera'))![0];
    expect(lastText('vera')).toContain(`Bozza ${article} creata da ${ticket}`);
    const consent = h.sender.last('anna')!.message;
    expect(consent.buttons?.map((b) => [b.actionId, b.value])).toEqual([
      ['kb.consent', article],
      ['kb.refuse', article],
    ]);
    const body = consent.text;
    expect(body).toContain('riavviato lo spooler');
    for (const secret of ['Anna', 'Bianchi', '333 1234567', 'vera@volontari.org', 'Girasole']) expect(body).not.toContain(secret);
    // A draft is not searchable and not readable by others.
    await h.send({ from: 'bruno', text: 'cerca spooler brother' });
    expect(lastText('bruno')).toContain('Nessun risultato');
    await h.send({ from: 'bruno', text: `leggi ${article}` });
    expect(lastText('bruno')).toContain(`Non trovo l'articolo ${article}`);
    // Publishing the same ticket again stores nothing new.
    await h.send({ from: 'vera', text: `pubblica ${ticket}` });
    expect(lastText('vera')).toBe(`${ticket} è già nell'articolo ${article}.`);
    expect(await count('kb_articles')).toBe(1);
  });

  it('the requester agrees with a button: published, announced in the community, found by search', async () => {
    const announced = h.sender.to('community').length;
    await h.press('anna', 'kb.consent', article);
    expect(lastText('anna')).toContain(`L'articolo ${article} è pubblicato`);
    const post = h.sender
      .to('community')
      .slice(announced)
      .find((d) => d.message.title?.includes(article));
    expect(post?.message.title).toContain('📘');
    await h.send({ from: 'bruno', text: 'cerca spooler brother' });
    expect(lastText('bruno')).toContain(article);
    // It links back to the ticket it solved, for those who may read that ticket.
    await h.send({ from: 'bruno', text: `leggi ${article}` });
    expect(lastText('bruno')).toContain('riavviato lo spooler');
    expect(JSON.stringify(h.sender.last('bruno')!.message.fields)).not.toContain(ticket);
    await h.send({ from: 'vera', text: `leggi ${article}` });
    expect(JSON.stringify(h.sender.last('vera')!.message.fields)).toContain(ticket);
    // A late moderator approval answers that it is decided already.
    await h.send({ from: 'marco', text: `approva ${article}` });
    expect(lastText('marco')).toContain(`Su ${article} si è già deciso`);
  });

  it('deflection at intake: the article is offered first; "Risolto, grazie" opens no ticket, and the report counts it', async () => {
    const tickets = (await h.store.tickets.list({ limit: 1000 })).length;
    await h.send({ from: 'anna', text: 'La stampante della segreteria non stampa, i lavori restano bloccati in coda' });
    const offer = h.sender.last('anna')!.message;
    expect(offer.text).toContain(article);
    expect(offer.buttons?.map((b) => b.actionId)).toEqual(['intake.solved', 'intake.open']);
    await h.press('anna', 'intake.solved', offer.buttons![0]!.value);
    expect(lastText('anna')).toContain('sono contento che sia risolto');
    expect((await h.store.tickets.list({ limit: 1000 })).length).toBe(tickets);
    // The second time she opens the ticket anyway: the offer is declined and linked to it.
    await resolvedTicket('La stampante non stampa, lavori bloccati in coda di stampa', 'Cambiato il cavo');
    const offers = await h.tdb.db
      .selectFrom('deflection_offers' as never)
      .selectAll()
      .execute();
    expect(offers.map((o) => (o as { outcome: string }).outcome).sort()).toEqual(['declined', 'resolved']);
    await h.send({ from: 'marco', text: 'deflessione' });
    const report = lastText('marco');
    expect(report).toContain('Deflessione negli ultimi 30 giorni');
    // One solved of two offered; the ticket opened right after "solved" counts as a recontact.
    expect(report).toContain('0%');
    expect(report).toContain('offerte 2, risolte 1, tornate 1, ticket aperto comunque 1');
    await h.send({ from: 'anna', text: 'deflessione' });
    expect(lastText('anna')).toBe('Non hai i permessi per questa operazione.');
  });
});

describe('questions in the community channel, moderation and refusals', () => {
  it('text written in the community channel becomes a question; replies in its thread are answers', async () => {
    await inChannel('anna', 'Come si configura la rete ospiti sul router Fritz!Box? @everyone <!here>');
    const card = h.sender
      .to('community')
      .filter((d) => d.message.title?.startsWith('Q-'))
      .at(-1)!;
    const q = /Q-\d{6}/.exec(card.message.title!)![0];
    expect(JSON.stringify(card.message)).not.toMatch(/@everyone|<!here>/);
    await h.send({
      from: 'vera',
      text: 'Da Rete domestica > Accesso ospiti, attiva e scegli una password',
      conversation: { ...COMMUNITY, threadId: card.messageId },
    });
    const ack = h.sender
      .to('community')
      .filter((d) => d.ephemeralTo === 'vera')
      .at(-1)!;
    expect(ack.message.text).toMatch(new RegExp(`Risposta A-\\d{6} aggiunta a ${q}`));
    const answerCard = h.sender.to('community').findLast((d) => d.message.title?.startsWith('A-'))!;
    expect(answerCard.address.threadRef).toBe(`question:${q}`);
    expect(answerCard.message.buttons?.map((b) => b.actionId)).toEqual(['cq.useful', 'cq.accept']);
    expect(lastText('anna')).toContain(`Vera Volontaria ha risposto alla tua domanda ${q}`);
    expect(await count('community_answers')).toBe(1);
  });

  it('moderators lock, merge and retag with a reason; everything is in the log; others are refused', async () => {
    await h.send({ from: 'bruno', text: 'domanda Rete per gli ospiti sul Fritz!Box: come si fa?' });
    // The similar answered question is shown first; Bruno posts anyway (twice: one question).
    const prompt = h.sender.last('bruno')!.message;
    expect(prompt.title).toBe('Ti basta una di queste?');
    const post = prompt.buttons!.find((b) => b.actionId === 'cq.post')!;
    const before = await count('community_questions');
    await h.press('bruno', 'cq.post', post.value);
    await h.press('bruno', 'cq.post', post.value);
    expect(await count('community_questions')).toBe(before + 1);
    const [kept, dup] = [`Q-${String(before).padStart(6, '0')}`, `Q-${String(before + 1).padStart(6, '0')}`];

    await h.send({ from: 'vera', text: `unisci ${dup} ${kept} doppione` });
    expect(lastText('vera')).toBe('Non hai i permessi per questa operazione.');
    await h.send({ from: 'marco', text: `blocca ${kept}` });
    expect(lastText('marco')).toBe('Manca il testo (motivo).');
    await h.send({ from: 'marco', text: `unisci ${dup} ${kept} stessa domanda` });
    expect(lastText('marco')).toBe(`${dup} è unita a ${kept} (risposte spostate: 0).`);
    await h.send({ from: 'marco', text: `etichetta ${kept} #rete #ospiti per ritrovarla` });
    expect(lastText('marco')).toBe(`Etichette di ${kept}: #rete #ospiti.`);
    await h.send({ from: 'marco', text: `blocca ${kept} risolta, grazie a tutti` });
    // An answer to the merged duplicate goes to the kept question, which is locked: refused, nothing stored.
    const answers = await count('community_answers');
    await h.send({ from: 'vera', text: `rispondi ${dup} anche dal pannello` });
    expect(lastText('vera')).toBe(`La domanda ${kept} è stata chiusa dai moderatori: non accetta nuove risposte.`);
    expect(await count('community_answers')).toBe(answers);
    await h.send({ from: 'marco', text: `moderazione ${kept}` });
    const log = lastText('marco');
    expect(log).toContain('chiusa · Marco Moderatore · «risolta, grazie a tutti»');
    expect(log).toContain('etichette · Marco Moderatore · «per ritrovarla» · tags=rete ospiti');
  });

  it("refusals in the user's language: empty, too long, unknown, not theirs, twice, newcomers", async () => {
    await h.send({ from: 'anna', text: 'domanda' });
    expect(lastText('anna')).toContain('Uso: domanda <testo>');
    await h.send({ from: 'anna', text: `domanda ${'x'.repeat(2001)}` });
    expect(lastText('anna')).toBe('Il testo è troppo lungo: al massimo 2000 caratteri, ne hai scritti 2001.');
    await h.send({ from: 'bruno', text: 'lingua en' });
    await h.send({ from: 'bruno', text: 'reply Q-999999 hello' });
    expect(lastText('bruno')).toBe('I cannot find question Q-999999. Check the id (for example Q-000001).');
    await h.send({ from: 'bruno', text: 'accept A-000001' });
    expect(lastText('bruno')).toMatch(/^Only whoever asked Q-\d{6} \(or a moderator\) can do that\.$/);
    await h.send({ from: 'marco', text: 'funziona A-000001' });
    expect(lastText('marco')).toMatch(/^Solo chi ha fatto la domanda Q-\d{6} può dire se la risposta ha funzionato\.$/);
    await h.send({ from: 'bruno', text: 'useful A-000001' });
    expect(lastText('bruno')).toBe('Thanks: A-000001 is useful to 1 people.');
    await h.send({ from: 'bruno', text: 'useful A-000001' });
    expect(lastText('bruno')).toBe('You already marked answer A-000001 as useful: everyone votes once.');
    await h.send({ from: 'vera', text: 'utile A-000001' });
    expect(lastText('vera')).toBe('Non puoi votare una tua risposta (A-000001).');
    await h.send({ from: 'nuovo', text: 'domanda come si usa la PEC?' });
    expect(lastText('nuovo')).toContain('La community è per gli iscritti');
    // `rispondi` with a ticket id still comments on the ticket.
    const ref = (await h.store.tickets.list({ limit: 1 }))[0]!.ref;
    await h.send({ from: 'anna', text: `rispondi ${ref} grazie, ora va` });
    expect(lastText('anna')).toBe(`Commento aggiunto a ${ref}.`);
  });
});

describe('announcements', () => {
  it("an observer's announcement waits for a moderator, then reaches the community channel", async () => {
    await h.send({ from: 'olga', text: 'annuncio Bando regionale per la digitalizzazione degli enti: scadenza 30 aprile @everyone' });
    const an = /AN-\d{6}/.exec(lastText('olga'))![0];
    expect(lastText('olga')).toContain('inviato ai moderatori');
    expect(h.sender.to('community').some((d) => d.message.text.includes('Bando regionale'))).toBe(false);
    const review = h.sender.last('marco')!.message;
    expect(review.buttons?.map((b) => b.actionId)).toEqual(['an.approve', 'an.reject']);
    await h.send({ from: 'anna', text: `approva ${an}` });
    expect(lastText('anna')).toBe('Non hai i permessi per questa operazione.');
    await h.press('marco', 'an.approve', an);
    const posted = h.sender.to('community').find((d) => d.message.text.includes('Bando regionale'))!;
    expect(posted.message.title).toContain('Olga Osservatrice');
    expect(posted.message.text).not.toContain('@everyone');
    expect(lastText('olga')).toContain(`${an} è stato approvato`);
    await h.press('marco', 'an.approve', an);
    expect(lastText('marco')).toContain('si è già deciso');
  });

  it('a rejection asks the reason, which the author is told', async () => {
    await h.send({ from: 'olga', text: 'annuncio Compro oro usato' });
    const an = /AN-\d{6}/.exec(lastText('olga'))![0];
    await h.press('marco', 'an.reject', an);
    expect(lastText('marco')).toContain(`Perché rifiuti ${an}?`);
    await h.send({ from: 'marco', text: 'Non riguarda la community' });
    expect(lastText('marco')).toBe(`Annuncio ${an} rifiutato.`);
    expect(lastText('olga')).toContain('«Non riguarda la community»');
  });
});
