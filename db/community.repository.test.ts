import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../core/kernel/person.ts';
import { at, seedOrganisation, seedPerson, seedQuestion, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let anna: Person;
let vera: Person;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  anna = await seedPerson(store, 'Anna Romano');
  vera = await seedPerson(store, 'Vera Volontaria');
});

afterAll(async () => {
  await tdb?.drop();
});

const repo = () => store.community;

const question = (title: string, body = title, key: string | null = null) => seedQuestion(store, anna.id, title, body, key);

async function answer(questionId: string, body: string, key: string | null = null) {
  const a = await repo().insertAnswer({
    ref: await repo().nextRef('answer'),
    questionId,
    authorId: vera.id,
    body,
    platform: 'telegram',
    idempotencyKey: key,
    createdAt: at(1),
  });
  if (!a) throw new Error('not inserted');
  return a;
}

const search = (words: string[][], only: 'all' | 'answered' | 'solutions' = 'all') =>
  repo().search({ groups: words, unmatched: 0, kinds: ['question', 'answer', 'article'], only, minScore: 0, limit: 10 });

describe('CommunityRepository', () => {
  it('draws ids from one sequence per kind, never twice', async () => {
    const refs = await Promise.all([
      repo().nextRef('question'),
      repo().nextRef('question'),
      repo().nextRef('article'),
      repo().nextRef('announcement'),
      repo().nextRef('answer'),
    ]);
    expect(new Set(refs).size).toBe(5);
    expect(refs[0]).toMatch(/^Q-\d{6}$/);
    expect(refs[2]).toMatch(/^KB-\d{6}$/);
    expect(refs[3]).toMatch(/^AN-\d{6}$/);
    expect(refs[4]).toMatch(/^A-\d{6}$/);
  });

  it('stores a question once per idempotency key', async () => {
    const q = await question('Come configuro la PEC?', 'Come configuro la PEC su Thunderbird?', 'draft:abc');
    const again = await repo().insertQuestion({
      ref: 'Q-999999',
      title: 'x',
      body: 'x',
      tags: [],
      authorId: anna.id,
      organisationId: null,
      platform: 'web',
      idempotencyKey: 'draft:abc',
      createdAt: T0,
    });
    expect(again).toBeUndefined();
    expect((await repo().findQuestionByKey('draft:abc'))?.ref).toBe(q.ref);
    expect(await repo().findQuestion('Q-999999')).toBeUndefined();
  });

  it('finds questions by stem, without accents, and ranks the accepted answer first', async () => {
    const q = await question('La stampante della segreteria non stampa più', 'Da lunedì la stampante è ferma: perché?');
    const other = await question('Stampanti da comprare per un piccolo ufficio', 'Che stampante mi consigliate?');
    const a = await answer(q.id, 'Reinstalla il driver dal sito del produttore e riavvia lo spooler.');
    await repo().updateAnswer(a.id, { acceptedAt: at(2), acceptedBy: anna.id });
    const hits = await search([['stampanti'], ['perche']]);
    expect(hits[0]).toMatchObject({ kind: 'answer', ref: a.ref, rootRef: q.ref, accepted: true, title: q.title });
    // One row per question: the question itself does not come again under its answer.
    expect(hits.filter((h) => h.rootRef === q.ref)).toHaveLength(1);
    expect(hits.map((h) => h.rootRef)).toContain(other.ref);
    expect(hits[0]!.score).toBeGreaterThan(hits.at(-1)!.score);
    // `solutions` keeps only accepted answers and articles.
    expect((await search([['stampante']], 'solutions')).map((h) => h.ref)).toEqual([a.ref]);
  });

  it("hides hidden and merged questions from search, and moves a duplicate's answers", async () => {
    const kept = await question('Backup su disco esterno', 'Come faccio il backup del server su disco esterno?');
    const dup = await question('Backup del NAS', 'Backup NAS su disco USB');
    const a = await answer(dup.id, 'Usa Hyper Backup con una pianificazione notturna.');
    expect(await repo().moveAnswers(dup.id, kept.id)).toBe(1);
    await repo().updateQuestion(dup.id, { mergedIntoId: kept.id }, at(3));
    const hits = await search([['hyper']]);
    expect(hits.map((h) => [h.ref, h.rootRef])).toEqual([[a.ref, kept.ref]]);
    expect(await repo().findAnswer(a.ref)).toMatchObject({ questionId: kept.id, threadQuestionId: dup.id });
    await repo().updateQuestion(kept.id, { hiddenAt: at(4) }, at(4));
    expect(await search([['hyper'], ['backup']])).toEqual([]);
  });

  it('counts one vote per person', async () => {
    const q = await question('Wi-Fi lento in sala riunioni', 'Il wifi è lentissimo');
    const a = await answer(q.id, "Sposta l'access point");
    expect(await repo().addVote(a.id, anna.id, at(5))).toBe(true);
    expect(await repo().addVote(a.id, anna.id, at(6))).toBe(false);
    expect((await repo().findAnswer(a.ref))?.usefulCount).toBe(1);
  });

  it('corrects misspelt words against the vocabulary of what was written', async () => {
    await question('Configurare la posta elettronica su Outlook', 'Outlook chiede sempre la password');
    const close = await repo().closestWords(['stampnte', 'outlok', 'zzzzqqq']);
    expect(close.get('stampnte')?.word).toBe('stampante');
    expect(close.get('outlok')?.word).toBe('outlook');
    expect(close.has('zzzzqqq')).toBe(false);
  });

  it('publishes an article once, after which search finds it; a ticket feeds one article', async () => {
    const org = await seedOrganisation(store);
    const ticket = await store.tickets.insert({
      ref: await store.tickets.nextRef('incident'),
      kind: 'incident',
      title: 'Scanner',
      description: 'Lo scanner non scansiona',
      category: null,
      impact: 3,
      urgency: 3,
      priority: 5,
      tier: 'volunteer',
      organisationId: org.id,
      requesterId: anna.id,
      configurationItemId: null,
      idempotencyKey: null,
      createdAt: T0,
    });
    const draft = await repo().insertArticle({
      ref: await repo().nextRef('article'),
      title: 'Scanner che non scansiona',
      body: 'Aggiorna il firmware TWAIN',
      tags: ['scanner'],
      authorId: vera.id,
      requesterId: anna.id,
      createdAt: T0,
    });
    await repo().linkTicket(draft.id, ticket.id, T0);
    expect(await search([['twain']])).toEqual([]);
    const published = await repo().decideArticle(draft.id, 'published', anna.id, at(1));
    expect(published).toMatchObject({ status: 'published', ticketRefs: [ticket.ref] });
    expect(await repo().decideArticle(draft.id, 'declined', anna.id, at(2))).toBeUndefined();
    expect((await search([['twain']])).map((h) => [h.kind, h.ref])).toEqual([['article', draft.ref]]);
    expect((await repo().findArticleOfTicket(ticket.id))?.ref).toBe(draft.ref);
    const other = await repo().insertArticle({
      ref: await repo().nextRef('article'),
      title: 'x',
      body: 'y',
      tags: [],
      authorId: null,
      requesterId: null,
      createdAt: T0,
    });
    await repo()
      .linkTicket(other.id, ticket.id, T0)
      .catch(() => undefined);
    expect((await repo().findArticleOfTicket(ticket.id))?.ref).toBe(draft.ref);
  });

  it('decides an announcement once and keeps the moderation log newest first', async () => {
    const a = await repo().insertAnnouncement({
      ref: await repo().nextRef('announcement'),
      authorId: anna.id,
      body: 'Bando',
      status: 'pending',
      createdAt: T0,
    });
    expect(await repo().decideAnnouncement(a.id, 'approved', vera.id, 'ok', at(1))).toMatchObject({
      status: 'approved',
      decidedBy: vera.id,
    });
    expect(await repo().decideAnnouncement(a.id, 'rejected', vera.id, 'no', at(2))).toBeUndefined();
    await repo().recordModeration({ targetRef: 'Q-000001', action: 'lock', actorId: vera.id, reason: 'off topic', details: {}, at: at(1) });
    await repo().recordModeration({
      targetRef: 'Q-000001',
      action: 'unlock',
      actorId: vera.id,
      reason: 'back',
      details: { x: 'y' },
      at: at(2),
    });
    const log = await repo().listModeration({ targetRef: 'Q-000001', limit: 10 });
    expect(log.map((e) => e.action)).toEqual(['unlock', 'lock']);
    expect(log[0]?.details).toEqual({ x: 'y' });
  });

  it('reports the deflection funnel, counting a ticket soon after "solved" as a recontact', async () => {
    const org = await seedOrganisation(store);
    const mk = (outcome: 'resolved' | 'declined' | null, platform: 'web' | 'slack' = 'web') =>
      repo()
        .recordOffer({ source: 'intake', personId: anna.id, platform, query: 'stampante', offered: ['KB-000001'], createdAt: at(10) })
        .then(async (o) => (outcome ? await repo().settleOffer(o.id, outcome, at(11)) : undefined, o));
    const solved = await mk('resolved');
    expect(await repo().settleOffer(solved.id, 'declined', at(12))).toBe(false);
    await mk('declined');
    await mk(null, 'slack');
    await store.tickets.insert({
      ref: await store.tickets.nextRef('incident'),
      kind: 'incident',
      title: 'Ancora la stampante',
      description: 'x',
      category: null,
      impact: 3,
      urgency: 3,
      priority: 5,
      tier: 'volunteer',
      organisationId: org.id,
      requesterId: anna.id,
      configurationItemId: null,
      idempotencyKey: null,
      createdAt: at(30),
    });
    const stats = await repo().deflectionStats(at(0), 2 * 60 * 60 * 1000);
    expect(stats).toEqual([
      { source: 'intake', platform: 'slack', offered: 1, resolved: 0, recontacted: 0, declined: 0, unanswered: 1 },
      { source: 'intake', platform: 'web', offered: 2, resolved: 1, recontacted: 1, declined: 1, unanswered: 0 },
    ]);
  });
});
