/**
 * Moderation: hide a question, an answer or an article; lock and unlock a question; merge a
 * duplicate into the question kept (its answers move there, its card points there); retag.
 * Every action is recorded with who and why, and the channel messages are redrawn at once.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { articleCard, CardRef } from './community-cards.ts';
import { showAnswer, showQuestion } from './community-notices.ts';
import { CommunityPolicy } from './community-policy.ts';
import { normalizeTags, REASON_MAX, requireText } from './community-text.ts';
import { findAnswerOrThrow, findQuestionOrThrow } from './find-community.ts';
import { findArticleOrThrow } from './knowledge-base.ts';
import { CommunityRef, type ModerationAction, type ModerationEntry } from './model.ts';

async function record(
  ctx: UseCaseContext,
  targetRef: string,
  action: ModerationAction,
  reason: string,
  details: Record<string, string> = {},
): Promise<void> {
  await ctx.repos.community.recordModeration({ targetRef, action, actorId: ctx.actor.personId, reason, details, at: ctx.clock.now() });
}

/** Checks the moderator and the reason every moderation action is recorded with. */
function begin(ctx: UseCaseContext, reason: string): string {
  CommunityPolicy.assertModerator(ctx.actor);
  return requireText(reason, 'reason', REASON_MAX);
}

/** Hides a question (with its answers), one answer, or an article, from search and from the channels. */
export async function hide(ctx: UseCaseContext, typed: string, why: string): Promise<string> {
  const reason = begin(ctx, why);
  const now = ctx.clock.now();
  const kind = CommunityRef.parse(typed)?.kind;
  if (kind === 'answer') {
    const { answer, question } = await findAnswerOrThrow(ctx, typed);
    const hidden = await ctx.repos.community.updateAnswer(answer.id, { hiddenAt: now });
    await record(ctx, answer.ref, 'hide', reason);
    await showAnswer(ctx, hidden, question);
    await showQuestion(ctx, question);
    return answer.ref;
  }
  if (kind === 'article') {
    const article = await findArticleOrThrow(ctx, typed);
    const hidden = await ctx.repos.community.updateArticle(article.id, { hiddenAt: now }, now);
    await record(ctx, article.ref, 'hide', reason);
    if (article.status === 'published')
      await ctx.notifier.toChannels('community', (l) => articleCard(l, hidden), { ref: CardRef.article(article.ref) });
    return article.ref;
  }
  const question = await findQuestionOrThrow(ctx, typed);
  const hidden = await ctx.repos.community.updateQuestion(question.id, { hiddenAt: now }, now);
  await record(ctx, question.ref, 'hide', reason);
  await showQuestion(ctx, hidden);
  return question.ref;
}

/** Locks (no more answers) or unlocks a question. */
export async function setLocked(ctx: UseCaseContext, typed: string, locked: boolean, why: string): Promise<string> {
  const reason = begin(ctx, why);
  const question = await findQuestionOrThrow(ctx, typed);
  const now = ctx.clock.now();
  const updated = await ctx.repos.community.updateQuestion(question.id, { lockedAt: locked ? now : null }, now);
  await record(ctx, question.ref, locked ? 'lock' : 'unlock', reason);
  await showQuestion(ctx, updated);
  return question.ref;
}

/** Merges the duplicate into the question kept: its answers move, it points to the kept one. */
export async function merge(
  ctx: UseCaseContext,
  duplicateTyped: string,
  keptTyped: string,
  why: string,
): Promise<{ readonly duplicate: string; readonly kept: string; readonly moved: number }> {
  const reason = begin(ctx, why);
  const [duplicate, kept] = [await findQuestionOrThrow(ctx, duplicateTyped), await findQuestionOrThrow(ctx, keptTyped)];
  if (duplicate.id === kept.id || duplicate.mergedIntoId || kept.mergedIntoId || kept.hiddenAt)
    throw new DomainError('cannot_merge', { ref: duplicate.ref, into: kept.ref });
  const repos = ctx.repos.community;
  // Locked in id order, so two opposite merges cannot deadlock.
  for (const id of [duplicate.id, kept.id].sort()) await repos.lockQuestion(id);
  const now = ctx.clock.now();
  const moved = await repos.moveAnswers(duplicate.id, kept.id);
  const tags = normalizeTags([...kept.tags, ...duplicate.tags]);
  const merged = await repos.updateQuestion(duplicate.id, { mergedIntoId: kept.id }, now);
  const keptNow = await repos.updateQuestion(kept.id, { tags }, now);
  await record(ctx, duplicate.ref, 'merge', reason, { into: kept.ref, answers: String(moved) });
  await showQuestion(ctx, merged);
  await showQuestion(ctx, keptNow);
  return { duplicate: duplicate.ref, kept: kept.ref, moved };
}

/** Replaces the tags of a question or an article. */
export async function retag(
  ctx: UseCaseContext,
  typed: string,
  words: readonly string[],
  why: string,
): Promise<{ readonly ref: string; readonly tags: string[] }> {
  const reason = begin(ctx, why);
  const tags = normalizeTags(words);
  const now = ctx.clock.now();
  if (CommunityRef.parse(typed)?.kind === 'article') {
    const article = await findArticleOrThrow(ctx, typed);
    const updated = await ctx.repos.community.updateArticle(article.id, { tags }, now);
    await record(ctx, article.ref, 'retag', reason, { tags: tags.join(' ') });
    if (updated.status === 'published' && !updated.hiddenAt)
      await ctx.notifier.toChannels('community', (l) => articleCard(l, updated), { ref: CardRef.article(updated.ref) });
    return { ref: article.ref, tags };
  }
  const question = await findQuestionOrThrow(ctx, typed);
  const updated = await ctx.repos.community.updateQuestion(question.id, { tags }, now);
  await record(ctx, question.ref, 'retag', reason, { tags: tags.join(' ') });
  await showQuestion(ctx, updated);
  return { ref: question.ref, tags };
}

/** The moderation log (of one target, when given), newest first. */
export async function moderationLog(ctx: UseCaseContext, typed?: string): Promise<ModerationEntry[]> {
  CommunityPolicy.assertModerator(ctx.actor);
  const target = typed ? CommunityRef.parse(typed)?.ref : undefined;
  if (typed && !target) throw new DomainError('question_not_found', { ref: typed.trim().slice(0, 20) });
  return ctx.repos.community.listModeration({ ...(target ? { targetRef: target } : {}), limit: 15 });
}
