/**
 * The demo community: a few answered questions in the web chat's #community (through the same
 * use cases the chat uses, so their cards are real) and two published articles, one of which
 * the intake offers when a demo requester writes that the printer does not print.
 */
import { acceptAnswer, answerQuestion, giveFeedback } from '../core/community/answer-question.ts';
import { postQuestion } from '../core/community/ask-question.ts';
import { decideArticle } from '../core/community/knowledge-base.ts';
import { topicTags } from '../core/community/search-query.ts';
import type { Actor } from '../core/kernel/actor.ts';
import type { UseCaseContext } from '../core/kernel/context.ts';
import type { Person } from '../core/kernel/person.ts';
import type { Repositories } from '../core/kernel/ports.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';

const QUESTIONS = [
  {
    asker: 'Luca Ferrari',
    text: "Come configuro la PEC dell'associazione su Thunderbird? Riceviamo ma non riusciamo a inviare.",
    answerer: 'Giulia Rossi',
    answer:
      'Nel server in uscita usa smtps.pec.aruba.it, porta 465, SSL/TLS, con utente e password della casella PEC (non quelli della posta normale).',
    worked: 'Era la porta: con la 465 funziona.',
  },
  {
    asker: 'Francesca Russo',
    text: 'Il wifi della sede è lentissimo nel pomeriggio, quando ci sono tutti i volontari. Cosa possiamo fare?',
    answerer: 'Marco Ricci',
    answer:
      'Spostate il router in una posizione centrale e cambiate canale; se la sede è grande, un secondo access point o un sistema mesh risolve quasi sempre.',
  },
  { asker: 'Paolo Esposito', text: 'Esistono licenze Microsoft 365 gratuite o scontate per le cooperative sociali?' },
] as const;

const ARTICLES = [
  {
    title: 'La stampante di rete risulta offline e non stampa',
    body: 'La stampante condivisa risulta offline e i documenti restano bloccati in coda.\n\nSoluzione:\nRiavvia il servizio Spooler di stampa, cancella i lavori bloccati in coda e reinstalla il driver dal sito del produttore; controlla che la stampante abbia lo stesso indirizzo IP di prima.',
  },
  {
    title: 'Cambiare la password del wifi quando un volontario se ne va',
    body: 'Un ex volontario conosce ancora la password della rete.\n\nSoluzione:\nEntra nel pannello del router (di solito 192.168.1.1), sezione Wireless, imposta una nuova password WPA2 o WPA3 e ricollega i dispositivi; per gli ospiti attiva una rete separata.',
  },
] as const;

export async function seedCommunityDemo(
  repos: Repositories,
  people: ReadonlyMap<string, Person>,
  now: Date,
  contextFor: (actor: Actor, at: Date) => UseCaseContext,
): Promise<void> {
  const as = async (name: string, minutes: number): Promise<UseCaseContext> => {
    const person = people.get(name);
    if (!person) throw new Error(`demo person ${name} missing`);
    return contextFor(await actorForPerson(repos, person), new Date(now.getTime() - minutes * 60_000));
  };
  let minutes = 600;
  for (const [i, q] of QUESTIONS.entries()) {
    const { question } = await postQuestion(await as(q.asker, (minutes -= 30)), {
      text: q.text,
      platform: 'web',
      idempotencyKey: `demo:question:${i}`,
    });
    if (!('answer' in q)) continue;
    const { answer } = await answerQuestion(await as(q.answerer, (minutes -= 30)), {
      questionRef: question.ref,
      text: q.answer,
      platform: 'web',
      idempotencyKey: `demo:answer:${i}`,
    });
    const asker = await as(q.asker, (minutes -= 30));
    await acceptAnswer(asker, answer.ref);
    if ('worked' in q) await giveFeedback(asker, answer.ref, true, q.worked);
  }
  const moderator = await as('Elena Greco', (minutes -= 30));
  for (const a of ARTICLES) {
    const draft = await repos.community.insertArticle({
      ref: await repos.community.nextRef('article'),
      title: a.title,
      body: a.body,
      tags: topicTags(`${a.title} ${a.body}`),
      authorId: people.get('Giulia Rossi')?.id ?? null,
      requesterId: null,
      createdAt: moderator.clock.now(),
    });
    await decideArticle(moderator, draft.ref, 'approve');
  }
}
