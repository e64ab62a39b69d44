import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Answer, Question } from '../core/community/model.ts';
import type { AnswerPatch, NewAnswer, NewQuestion, QuestionPatch } from '../core/community/ports.ts';
import type { CommunityAnswersTable, CommunityQuestionsTable, CommunityTables } from './community.tables.ts';
import { SearchIndex } from './community-search.ts';
import type { Database } from './schema.ts';

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

/** Questions, their answers and the votes on them; every change rebuilds the question's search rows. */
export class CommunityQuestionRepository {
  private readonly db: Kysely<Database & CommunityTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<CommunityTables>();
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
    const rows = await this.db
      .selectFrom('community_answers')
      .selectAll()
      .where('question_id', '=', questionId)
      .orderBy('created_at')
      .orderBy('ref')
      .execute();
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
    const r = await this.db
      .updateTable('community_answers')
      .set({ question_id: toQuestionId })
      .where('question_id', '=', fromQuestionId)
      .executeTakeFirst();
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
}
