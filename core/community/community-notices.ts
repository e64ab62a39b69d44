/**
 * Keeps the community's channel messages current: every change re-renders the question card or
 * answer card under the same outbox ref, so each platform edits its message in place.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { answerCard, CardRef, questionCard } from './community-cards.ts';
import type { Answer, Question } from './model.ts';

export async function nameOf(ctx: UseCaseContext, personId: string): Promise<string> {
  return (await ctx.repos.people.findPerson(personId))?.displayName ?? '—';
}

/** Posts or edits the question's card in every community channel. */
export async function showQuestion(ctx: UseCaseContext, q: Question): Promise<number> {
  const [answers, authorName, kept] = await Promise.all([
    ctx.repos.community.listAnswers(q.id),
    nameOf(ctx, q.authorId),
    q.mergedIntoId ? ctx.repos.community.findQuestionById(q.mergedIntoId) : undefined,
  ]);
  const visible = answers.filter((a) => !a.hiddenAt);
  const data = {
    question: q,
    authorName,
    answers: visible.length,
    accepted: visible.filter((a) => a.acceptedAt).length,
    mergedIntoRef: kept?.ref ?? null,
  };
  return ctx.notifier.toChannels('community', (l) => questionCard(l, data), { ref: CardRef.question(q.ref) });
}

/** Posts or edits an answer's card, in the thread of the question it was posted under. */
export async function showAnswer(ctx: UseCaseContext, a: Answer, q: Question): Promise<void> {
  const thread = a.threadQuestionId === q.id ? q : await ctx.repos.community.findQuestionById(a.threadQuestionId);
  const data = { answer: a, questionRef: q.ref, authorName: await nameOf(ctx, a.authorId) };
  await ctx.notifier.toChannels('community', (l) => answerCard(l, data), {
    ref: CardRef.answer(a.ref),
    threadRef: CardRef.question(thread?.ref ?? q.ref),
  });
}
