import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Announcement, Answer, Article, CommunityRefKind, DeflectionOffer, DeflectionStats, ModerationEntry, Question } from '../core/community/model.ts';
import { CommunityRef } from '../core/community/model.ts';
import type { AnswerPatch, ArticlePatch, CommunityRepository as CommunityRepositoryPort, NewAnswer, NewArticle, NewQuestion, QuestionPatch, SearchQuery } from '../core/community/ports.ts';
import { SearchIndex } from './community-search.ts';
import type {
  CommunityAnnouncementsTable,
  CommunityAnswersTable,
  CommunityQuestionsTable,
  CommunityTables,
  DeflectionOffersTable,
  KbArticlesTable,
} from './community.tables.ts';
import type { Database } from './schema.ts';

const SEQUENCE: Readonly<Record<CommunityRefKind, string>> = {
  question: 'community_question_ref_seq',
  answer: 'community_answer_ref_seq',
  article: 'kb_article_ref_seq',
  announcement: 'community_announcement_ref_seq',
};

const toQuestion = (r: Selectable<CommunityQuestionsTable>): Question => ({
  id: r.id,
  ref: r.ref,
  title: r.title,
  body: r.body,
  tags: r.tags,
  authorId: r.author_id,
  organisationId: r.organisation_id,
  platform: r.platform,
  lockedAt: r.locked_at,
  hiddenAt: r.hidden_at,
  mergedIntoId: r.merged_into_id,
  createdAt: r.created_at,
});

const toAnswer = (r: Selectable<CommunityAnswersTable>): Answer => ({
  id: r.id,
  ref: r.ref,
  questionId: r.question_id,
  threadQuestionId: r.thread_question_id,
  authorId: r.author_id,
  body: r.body,
  platform: r.platform,
  acceptedAt: r.accepted_at,
  acceptedBy: r.accepted_by,
  usefulCount: r.useful_count,
  worked: r.worked,
  feedback: r.feedback,
  feedbackAt: r.feedback_at,
  hiddenAt: r.hidden_at,
  createdAt: r.created_at,
});

const toArticle = (r: Selectable<KbArticlesTable>, ticketRefs: readonly string[]): Article => ({
  id: r.id,
  ref: r.ref,
  title: r.title,
  body: r.body,
  tags: r.tags,
  status: r.status,
  authorId: r.author_id,
  requesterId: r.requester_id,
  decidedBy: r.decided_by,
  publishedAt: r.published_at,
  hiddenAt: r.hidden_at,
  createdAt: r.created_at,
  ticketRefs,
});

const toAnnouncement = (r: Selectable<CommunityAnnouncementsTable>): Announcement => ({
  id: r.id,
  ref: r.ref,
  authorId: r.author_id,
  body: r.body,
  status: r.status,
  decidedBy: r.decided_by,
  reason: r.reason,
  createdAt: r.created_at,
});

const toOffer = (r: Selectable<DeflectionOffersTable>): DeflectionOffer => ({
  id: r.id,
  source: r.source,
  personId: r.person_id,
  platform: r.platform,
  offered: r.offered,
  outcome: r.outcome,
  createdAt: r.created_at,
});

/**
 * Questions, answers, votes, articles, announcements, the moderation log and deflection offers
 * on PostgreSQL. Every change to something searchable rebuilds its search rows in the same
 * statement sequence (and so the same transaction).
 */
export class CommunityRepository implements CommunityRepositoryPort {
  private readonly db: Kysely<Database & CommunityTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<CommunityTables>();
  }

  async nextRef(kind: CommunityRefKind): Promise<string> {
    const { rows } = await sql<{ n: string }>`select nextval(${SEQUENCE[kind]}::regclass) as n`.execute(this.db);
    const n = rows[0]?.n;
    if (n === undefined) throw new Error(`nextval(${SEQUENCE[kind]}) returned no row`);
    return CommunityRef.format(kind, Number(n));
  }

  async insertQuestion(q: NewQuestion): Promise<Question | undefined> {
    const row = await this.db
      .insertInto('community_questions')
      .values({
        ref: q.ref,
        title: q.title,
        body: q.body,
        tags: [...q.tags],
        author_id: q.authorId,
        organisation_id: q.organisationId,
        platform: q.platform,
        idempotency_key: q.idempotencyKey,
        locked_at: null,
        hidden_at: null,
        merged_into_id: null,
        created_at: q.createdAt,
        updated_at: q.createdAt,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await SearchIndex.question(this.db, row.id);
    return toQuestion(row);
  }

  private async questionWhere(column: 'ref' | 'id' | 'idempotency_key', value: string, lock = false): Promise<Question | undefined> {
    let query = this.db.selectFrom('community_questions').selectAll().where(column, '=', value);
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toQuestion(row);
  }

  findQuestion = (ref: string) => this.questionWhere('ref', ref);
  findQuestionById = (id: string) => this.questionWhere('id', id);
  findQuestionByKey = (key: string) => this.questionWhere('idempotency_key', key);
  lockQuestion = (id: string) => this.questionWhere('id', id, true);

  async updateQuestion(id: string, patch: QuestionPatch, at: Date): Promise<Question> {
    const u: Updateable<CommunityQuestionsTable> = { updated_at: at };
    if (patch.lockedAt !== undefined) u.locked_at = patch.lockedAt;
    if (patch.hiddenAt !== undefined) u.hidden_at = patch.hiddenAt;
    if (patch.mergedIntoId !== undefined) u.merged_into_id = patch.mergedIntoId;
    if (patch.tags !== undefined) u.tags = [...patch.tags];
    const row = await this.db.updateTable('community_questions').set(u).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await SearchIndex.question(this.db, id);
    return toQuestion(row);
  }

  async insertAnswer(a: NewAnswer): Promise<Answer | undefined> {
    const row = await this.db
      .insertInto('community_answers')
      .values({
        ref: a.ref,
        question_id: a.questionId,
        thread_question_id: a.questionId,
        author_id: a.authorId,
        body: a.body,
        platform: a.platform,
        idempotency_key: a.idempotencyKey,
        accepted_at: null,
        accepted_by: null,
        worked: null,
        feedback: null,
        feedback_at: null,
        hidden_at: null,
        created_at: a.createdAt,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await SearchIndex.question(this.db, a.questionId);
    return toAnswer(row);
  }

  async findAnswer(ref: string): Promise<Answer | undefined> {
    const row = await this.db.selectFrom('community_answers').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row && toAnswer(row);
  }

  async findAnswerByKey(key: string): Promise<Answer | undefined> {
    const row = await this.db.selectFrom('community_answers').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    return row && toAnswer(row);
  }

  async listAnswers(questionId: string): Promise<Answer[]> {
    const rows = await this.db.selectFrom('community_answers').selectAll().where('question_id', '=', questionId).orderBy('created_at').orderBy('ref').execute();
    return rows.map(toAnswer);
  }

  async updateAnswer(id: string, patch: AnswerPatch): Promise<Answer> {
    const u: Updateable<CommunityAnswersTable> = {};
    if (patch.acceptedAt !== undefined) u.accepted_at = patch.acceptedAt;
    if (patch.acceptedBy !== undefined) u.accepted_by = patch.acceptedBy;
    if (patch.worked !== undefined) u.worked = patch.worked;
    if (patch.feedback !== undefined) u.feedback = patch.feedback;
    if (patch.feedbackAt !== undefined) u.feedback_at = patch.feedbackAt;
    if (patch.hiddenAt !== undefined) u.hidden_at = patch.hiddenAt;
    const row = await this.db.updateTable('community_answers').set(u).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await SearchIndex.question(this.db, row.question_id);
    return toAnswer(row);
  }

  async moveAnswers(fromQuestionId: string, toQuestionId: string): Promise<number> {
    const r = await this.db.updateTable('community_answers').set({ question_id: toQuestionId }).where('question_id', '=', fromQuestionId).executeTakeFirst();
    await SearchIndex.question(this.db, fromQuestionId);
    await SearchIndex.question(this.db, toQuestionId);
    return Number(r.numUpdatedRows);
  }

  async addVote(answerId: string, personId: string, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('community_votes')
      .values({ answer_id: answerId, person_id: personId, created_at: at })
      .onConflict((oc) => oc.columns(['answer_id', 'person_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    const row = await this.db
      .updateTable('community_answers')
      .set((eb) => ({ useful_count: eb('useful_count', '+', 1) }))
      .where('id', '=', answerId)
      .returning('question_id')
      .executeTakeFirstOrThrow();
    await SearchIndex.question(this.db, row.question_id);
    return true;
  }

  private async ticketRefs(articleIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (articleIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('kb_article_tickets as l')
      .innerJoin('tickets as t', 't.id', 'l.ticket_id')
      .select(['l.article_id', 't.ref'])
      .where('l.article_id', 'in', [...articleIds])
      .orderBy('t.ref')
      .execute();
    for (const r of rows) out.set(r.article_id, [...(out.get(r.article_id) ?? []), r.ref]);
    return out;
  }

  private async withTickets(row: Selectable<KbArticlesTable> | undefined): Promise<Article | undefined> {
    return row && toArticle(row, (await this.ticketRefs([row.id])).get(row.id) ?? []);
  }

  async insertArticle(a: NewArticle): Promise<Article> {
    const row = await this.db
      .insertInto('kb_articles')
      .values({
        ref: a.ref,
        title: a.title,
        body: a.body,
        tags: [...a.tags],
        status: 'draft',
        author_id: a.authorId,
        requester_id: a.requesterId,
        decided_by: null,
        decided_at: null,
        published_at: null,
        hidden_at: null,
        created_at: a.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toArticle(row, []);
  }

  async findArticle(ref: string): Promise<Article | undefined> {
    return this.withTickets(await this.db.selectFrom('kb_articles').selectAll().where('ref', '=', ref).executeTakeFirst());
  }

  async findArticleOfTicket(ticketId: string): Promise<Article | undefined> {
    const row = await this.db
      .selectFrom('kb_articles as k')
      .innerJoin('kb_article_tickets as l', 'l.article_id', 'k.id')
      .selectAll('k')
      .where('l.ticket_id', '=', ticketId)
      .executeTakeFirst();
    return this.withTickets(row);
  }

  async linkTicket(articleId: string, ticketId: string, at: Date): Promise<void> {
    await this.db.insertInto('kb_article_tickets').values({ article_id: articleId, ticket_id: ticketId, linked_at: at }).onConflict((oc) => oc.doNothing()).execute();
  }

  async updateArticle(id: string, patch: ArticlePatch, at: Date): Promise<Article> {
    const u: Updateable<KbArticlesTable> = {};
    if (patch.status !== undefined) u.status = patch.status;
    if (patch.decidedBy !== undefined) u.decided_by = patch.decidedBy;
    if (patch.publishedAt !== undefined) u.published_at = patch.publishedAt;
    if (patch.hiddenAt !== undefined) u.hidden_at = patch.hiddenAt;
    if (patch.tags !== undefined) u.tags = [...patch.tags];
    if (patch.status !== undefined) u.decided_at = at;
    const row = await this.db.updateTable('kb_articles').set(u).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await SearchIndex.article(this.db, id);
    return (await this.withTickets(row)) as Article;
  }

  async decideArticle(id: string, status: 'published' | 'declined', by: string | null, at: Date): Promise<Article | undefined> {
    const row = await this.db
      .updateTable('kb_articles')
      .set({ status, decided_by: by, decided_at: at, ...(status === 'published' ? { published_at: at } : {}) })
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    await SearchIndex.article(this.db, id);
    return this.withTickets(row);
  }

  async listArticles(filter: { readonly statuses?: readonly Article['status'][]; readonly limit: number }): Promise<Article[]> {
    let q = this.db.selectFrom('kb_articles').selectAll().where('hidden_at', 'is', null);
    if (filter.statuses?.length) q = q.where('status', 'in', [...filter.statuses]);
    const rows = await q.orderBy('created_at', 'desc').orderBy('ref', 'desc').limit(filter.limit).execute();
    const refs = await this.ticketRefs(rows.map((r) => r.id));
    return rows.map((r) => toArticle(r, refs.get(r.id) ?? []));
  }

  async insertAnnouncement(a: { ref: string; authorId: string; body: string; status: Announcement['status']; createdAt: Date }): Promise<Announcement> {
    const row = await this.db
      .insertInto('community_announcements')
      .values({ ref: a.ref, author_id: a.authorId, body: a.body, status: a.status, decided_by: null, decided_at: null, reason: null, created_at: a.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAnnouncement(row);
  }

  async findAnnouncement(ref: string): Promise<Announcement | undefined> {
    const row = await this.db.selectFrom('community_announcements').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row && toAnnouncement(row);
  }

  async decideAnnouncement(id: string, status: 'approved' | 'rejected', by: string | null, reason: string, at: Date): Promise<Announcement | undefined> {
    const row = await this.db
      .updateTable('community_announcements')
      .set({ status, decided_by: by, decided_at: at, reason })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return row && toAnnouncement(row);
  }

  async listAnnouncements(status: Announcement['status'], limit: number): Promise<Announcement[]> {
    const rows = await this.db.selectFrom('community_announcements').selectAll().where('status', '=', status).orderBy('created_at').limit(limit).execute();
    return rows.map(toAnnouncement);
  }

  async recordModeration(e: ModerationEntry): Promise<void> {
    await this.db
      .insertInto('community_moderation')
      .values({ target_ref: e.targetRef, action: e.action, actor_id: e.actorId, reason: e.reason, details: JSON.stringify(e.details), at: e.at })
      .execute();
  }

  async listModeration(filter: { readonly targetRef?: string; readonly limit: number }): Promise<ModerationEntry[]> {
    let q = this.db.selectFrom('community_moderation').selectAll();
    if (filter.targetRef) q = q.where('target_ref', '=', filter.targetRef);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({ targetRef: r.target_ref, action: r.action, actorId: r.actor_id, reason: r.reason, details: r.details, at: r.at }));
  }

  closestWords(words: readonly string[]) {
    return SearchIndex.closestWords(this.db, words);
  }

  search(q: SearchQuery) {
    return SearchIndex.search(this.db, q);
  }

  async recordOffer(o: Parameters<CommunityRepositoryPort['recordOffer']>[0]): Promise<DeflectionOffer> {
    const row = await this.db
      .insertInto('deflection_offers')
      .values({ source: o.source, person_id: o.personId, platform: o.platform, query: o.query, offered: [...o.offered], outcome: null, outcome_at: null, ticket_id: null, created_at: o.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOffer(row);
  }

  async findOffer(id: string): Promise<DeflectionOffer | undefined> {
    const row = await this.db.selectFrom('deflection_offers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOffer(row);
  }

  async settleOffer(id: string, outcome: 'resolved' | 'declined', at: Date): Promise<boolean> {
    const r = await this.db.updateTable('deflection_offers').set({ outcome, outcome_at: at }).where('id', '=', id).where('outcome', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async linkOfferTicket(id: string, ticketId: string): Promise<void> {
    await this.db.updateTable('deflection_offers').set({ ticket_id: ticketId }).where('id', '=', id).execute();
  }

  async deflectionStats(since: Date, recontactMs: number): Promise<DeflectionStats[]> {
    const { rows } = await sql<Omit<DeflectionStats, 'offered' | 'resolved' | 'recontacted' | 'declined' | 'unanswered'> & Record<'offered' | 'resolved' | 'recontacted' | 'declined' | 'unanswered', string>>`
      select o.source, o.platform,
        count(*) as offered,
        count(*) filter (where o.outcome = 'resolved') as resolved,
        count(*) filter (where o.outcome = 'resolved' and exists (
          select 1 from tickets t where t.requester_id = o.person_id
            and t.created_at >= o.outcome_at and t.created_at < o.outcome_at + ${recontactMs} * interval '1 millisecond')) as recontacted,
        count(*) filter (where o.outcome = 'declined') as declined,
        count(*) filter (where o.outcome is null) as unanswered
      from deflection_offers o
      where o.created_at >= ${since}
      group by o.source, o.platform
      order by o.source, o.platform`.execute(this.db);
    return rows.map((r) => ({
      source: r.source,
      platform: r.platform,
      offered: Number(r.offered),
      resolved: Number(r.resolved),
      recontacted: Number(r.recontacted),
      declined: Number(r.declined),
      unanswered: Number(r.unanswered),
    }));
  }
}
