/**
 * Looking up what a user typed: a question, an answer or an article by its id. Hidden ones
 * answer like unknown ones for everyone but the moderators, so an id reveals nothing.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { CommunityPolicy } from './community-policy.ts';
import { type Answer, CommunityRef, type Question } from './model.ts';

const echo = (typed: string) => typed.trim().slice(0, 20);

export async function findQuestionOrThrow(ctx: UseCaseContext, typed: string): Promise<Question> {
  const ref = CommunityRef.parseAs('question', typed);
  const q = ref ? await ctx.repos.community.findQuestion(ref) : undefined;
  if (!q || (q.hiddenAt && !CommunityPolicy.isModerator(ctx.actor))) throw new DomainError('question_not_found', { ref: echo(typed) });
  return q;
}

/** The answer and its question (both visible, unless the actor moderates). */
export async function findAnswerOrThrow(ctx: UseCaseContext, typed: string): Promise<{ answer: Answer; question: Question }> {
  const ref = CommunityRef.parseAs('answer', typed);
  const answer = ref ? await ctx.repos.community.findAnswer(ref) : undefined;
  const question = answer ? await ctx.repos.community.findQuestionById(answer.questionId) : undefined;
  const visible = answer && question && !answer.hiddenAt && !question.hiddenAt;
  if (!answer || !question || (!visible && !CommunityPolicy.isModerator(ctx.actor)))
    throw new DomainError('answer_not_found', { ref: echo(typed) });
  return { answer, question };
}

/** Follows merges to the question that is kept (a chain is short; a loop cannot form). */
export async function keptQuestion(ctx: UseCaseContext, q: Question): Promise<Question> {
  let current = q;
  for (let i = 0; i < 10 && current.mergedIntoId; i++) {
    const next = await ctx.repos.community.findQuestionById(current.mergedIntoId);
    if (!next) break;
    current = next;
  }
  return current;
}
