import { type Kysely, sql } from 'kysely';
import { CommunityRef, type CommunityRefKind } from '../core/community/model.ts';
import type { CommunityRepository } from '../core/community/ports.ts';
import type { CommunityTables } from './community.tables.ts';
import { CommunityQuestionRepository } from './community-question.repository.ts';
import { CommunityRecordRepository } from './community-record.repository.ts';
import { SearchIndex } from './community-search.ts';
import { KbArticleRepository } from './kb-article.repository.ts';
import type { Database } from './schema.ts';

const SEQUENCE: Readonly<Record<CommunityRefKind, string>> = {
  question: 'community_question_ref_seq',
  answer: 'community_answer_ref_seq',
  article: 'kb_article_ref_seq',
  announcement: 'community_announcement_ref_seq',
};

/**
 * core's community port on PostgreSQL, composed of one repository per aggregate (questions with
 * their answers and votes, articles, what is recorded) and the search. Every part is bound to the
 * same `db`, so within a transaction they all see and commit the same work; every change to
 * something searchable rebuilds its search rows in that transaction.
 */
export function communityRepository(root: Kysely<Database>): CommunityRepository {
  const db = root.withTables<CommunityTables>();
  const questions = new CommunityQuestionRepository(root);
  const articles = new KbArticleRepository(root);
  const records = new CommunityRecordRepository(root);
  return {
    /** Draws from the kind's sequence, which never hands a number out twice, even on rollback. */
    async nextRef(kind) {
      const { rows } = await sql<{ n: string }>`select nextval(${SEQUENCE[kind]}::regclass) as n`.execute(db);
      const n = rows[0]?.n;
      if (n === undefined) throw new Error(`nextval(${SEQUENCE[kind]}) returned no row`);
      return CommunityRef.format(kind, Number(n));
    },

    insertQuestion: (q) => questions.insertQuestion(q),
    findQuestion: (ref) => questions.findQuestion(ref),
    findQuestionById: (id) => questions.findQuestionById(id),
    findQuestionByKey: (key) => questions.findQuestionByKey(key),
    lockQuestion: (id) => questions.lockQuestion(id),
    updateQuestion: (id, patch, at) => questions.updateQuestion(id, patch, at),
    insertAnswer: (a) => questions.insertAnswer(a),
    findAnswer: (ref) => questions.findAnswer(ref),
    findAnswerByKey: (key) => questions.findAnswerByKey(key),
    listAnswers: (questionId) => questions.listAnswers(questionId),
    updateAnswer: (id, patch) => questions.updateAnswer(id, patch),
    moveAnswers: (from, to) => questions.moveAnswers(from, to),
    addVote: (answerId, personId, at) => questions.addVote(answerId, personId, at),

    insertArticle: (a) => articles.insertArticle(a),
    findArticle: (ref) => articles.findArticle(ref),
    findArticleOfTicket: (ticketId) => articles.findArticleOfTicket(ticketId),
    linkTicket: (articleId, ticketId, at) => articles.linkTicket(articleId, ticketId, at),
    updateArticle: (id, patch, at) => articles.updateArticle(id, patch, at),
    decideArticle: (id, status, by, at) => articles.decideArticle(id, status, by, at),
    listArticles: (filter) => articles.listArticles(filter),

    insertAnnouncement: (a) => records.insertAnnouncement(a),
    findAnnouncement: (ref) => records.findAnnouncement(ref),
    decideAnnouncement: (id, status, by, reason, at) => records.decideAnnouncement(id, status, by, reason, at),
    listAnnouncements: (status, limit) => records.listAnnouncements(status, limit),
    recordModeration: (e) => records.recordModeration(e),
    listModeration: (filter) => records.listModeration(filter),
    recordOffer: (o) => records.recordOffer(o),
    findOffer: (id) => records.findOffer(id),
    settleOffer: (id, outcome, at) => records.settleOffer(id, outcome, at),
    linkOfferTicket: (id, ticketId) => records.linkOfferTicket(id, ticketId),
    deflectionStats: (since, recontactMs) => records.deflectionStats(since, recontactMs),

    closestWords: (words) => SearchIndex.closestWords(db, words),
    search: (q) => SearchIndex.search(db, q),
  };
}
