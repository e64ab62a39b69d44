/**
 * Answering, and what follows an answer: the asker (or a moderator) accepts it — several
 * answers may be accepted; anyone else marks it useful, once; the asker says whether it
 * worked, with a comment, kept and shown with the answer.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Platform } from '../kernel/person.ts';
import { answerNotice } from './community-cards.ts';
import { showAnswer, showQuestion } from './community-notices.ts';
import { CommunityPolicy } from './community-policy.ts';
import { ANSWER_MAX, FEEDBACK_MAX, forCommunity, requireText } from './community-text.ts';
import { findAnswerOrThrow, findQuestionOrThrow, keptQuestion } from './find-community.ts';
import { t } from './messages.ts';
import type { Answer, Question } from './model.ts';

/**
 * Adds an answer to a question (a merged duplicate's answers go to the question kept), posts it
 * under the question in every community channel and tells the asker. A locked question takes
 * none. The same `idempotencyKey` stores one answer.
 *
 * @example await answerQuestion(ctx, { questionRef: 'Q-000001', text: 'Reinstalla il driver', platform: 'telegram', idempotencyKey: 'tg:42' })
 */
export async function answerQuestion(
  ctx: UseCaseContext,
  input: { readonly questionRef: string; readonly text: string; readonly platform: Platform; readonly idempotencyKey: string },
): Promise<{ readonly answer: Answer; readonly question: Question; readonly created: boolean }> {
  CommunityPolicy.assertMember(ctx.actor);
  const body = requireText(input.text, 'answer', ANSWER_MAX);
  const repos = ctx.repos.community;
  const typed = await findQuestionOrThrow(ctx, input.questionRef);
  const kept = await keptQuestion(ctx, typed);
  // Serialises with a lock or a merge of the same question.
  const question = (await repos.lockQuestion(kept.id)) ?? kept;
  if (question.hiddenAt) throw new DomainError('question_not_found', { ref: input.questionRef.trim().slice(0, 20) });
  if (question.lockedAt) throw new DomainError('question_locked', { ref: question.ref });
  const existing = await repos.findAnswerByKey(input.idempotencyKey);
  if (existing) return { answer: existing, question, created: false };
  const answer = await repos.insertAnswer({
    ref: await repos.nextRef('answer'),
    questionId: question.id,
    authorId: ctx.actor.personId,
    body,
    platform: input.platform,
    idempotencyKey: input.idempotencyKey,
    createdAt: ctx.clock.now(),
  });
  if (!answer) return { answer: (await repos.findAnswerByKey(input.idempotencyKey))!, question, created: false };
  await showAnswer(ctx, answer, question);
  await showQuestion(ctx, question);
  if (question.authorId !== ctx.actor.personId) {
    const name = ctx.actor.displayName;
    await ctx.notifier.toPerson(question.authorId, (l) => answerNotice(l, answer, question.ref, name));
  }
  return { answer, question, created: true };
}

/** Accepts an answer: by the asker or a moderator (recorded in the moderation log then). */
export async function acceptAnswer(
  ctx: UseCaseContext,
  answerRef: string,
): Promise<{ readonly answer: Answer; readonly already: boolean }> {
  const { answer, question } = await findAnswerOrThrow(ctx, answerRef);
  CommunityPolicy.assertAcceptor(ctx.actor, question);
  if (answer.acceptedAt) return { answer, already: true };
  const now = ctx.clock.now();
  const accepted = await ctx.repos.community.updateAnswer(answer.id, { acceptedAt: now, acceptedBy: ctx.actor.personId });
  if (question.authorId !== ctx.actor.personId)
    await ctx.repos.community.recordModeration({
      targetRef: answer.ref,
      action: 'accept',
      actorId: ctx.actor.personId,
      reason: '',
      details: { question: question.ref },
      at: now,
    });
  await showAnswer(ctx, accepted, question);
  await showQuestion(ctx, question);
  if (answer.authorId !== ctx.actor.personId)
    await ctx.notifier.toPerson(answer.authorId, (l) => ({ text: t(l, 'cq.accepted_notice', { answer: answer.ref, ref: question.ref }) }));
  return { answer: accepted, already: false };
}

/** One "useful" per person per answer; never on one's own. */
export async function voteUseful(ctx: UseCaseContext, answerRef: string): Promise<Answer> {
  CommunityPolicy.assertMember(ctx.actor);
  const { answer, question } = await findAnswerOrThrow(ctx, answerRef);
  if (answer.authorId === ctx.actor.personId) throw new DomainError('own_answer', { ref: answer.ref });
  if (!(await ctx.repos.community.addVote(answer.id, ctx.actor.personId, ctx.clock.now())))
    throw new DomainError('already_voted', { ref: answer.ref });
  const voted = { ...answer, usefulCount: answer.usefulCount + 1 };
  await showAnswer(ctx, voted, question);
  return voted;
}

/**
 * The asker's word on an answer: it worked (a comment is welcome) or it did not (a comment is
 * needed: what happened). A later word replaces the earlier one.
 */
export async function giveFeedback(ctx: UseCaseContext, answerRef: string, worked: boolean, comment: string): Promise<Answer> {
  const { answer, question } = await findAnswerOrThrow(ctx, answerRef);
  CommunityPolicy.assertAsker(ctx.actor, question);
  const text = worked && comment.trim() === '' ? null : requireText(comment, 'feedback', FEEDBACK_MAX);
  const updated = await ctx.repos.community.updateAnswer(answer.id, { worked, feedback: text, feedbackAt: ctx.clock.now() });
  await showAnswer(ctx, updated, question);
  if (answer.authorId !== ctx.actor.personId) {
    const name = ctx.actor.displayName;
    await ctx.notifier.toPerson(answer.authorId, (l) => ({
      text: t(l, worked ? 'cq.worked_notice' : 'cq.failed_notice', {
        name: forCommunity(name, 80),
        answer: answer.ref,
        comment: text ? forCommunity(text, 300) : '—',
      }),
    }));
  }
  return updated;
}
