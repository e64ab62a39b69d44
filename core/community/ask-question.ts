/**
 * Asking the community: first the answered questions and articles that may already say it
 * ("Ti basta una di queste?"), kept as a draft meanwhile; then the question, posted in the
 * community channel of every platform that has one, where anyone answers in its thread.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import type { Platform } from '../kernel/person.ts';
import { showQuestion } from './community-notices.ts';
import { CommunityPolicy } from './community-policy.ts';
import { QUESTION_MAX, QUESTION_MIN, requireText, titleFrom } from './community-text.ts';
import type { Question, SearchHit } from './model.ts';
import { SIMILAR_MIN_SCORE, searchCommunity } from './search.ts';
import { topicTags } from './search-query.ts';

/** A question waiting while its asker looks at the similar ones. */
export interface QuestionDraft {
  readonly flow: 'community.draft';
  readonly personId: string;
  readonly text: string;
  readonly platform: Platform;
  readonly offerId: string;
}

const DRAFT_TTL_MS = 24 * 60 * 60 * 1000;

export const QuestionDraft = {
  key: (draftId: string) => `community:draft:${draftId}`,
  is: (v: unknown): v is QuestionDraft => typeof v === 'object' && v !== null && (v as QuestionDraft).flow === 'community.draft',
  /** A short id for a button (Telegram allows 64 bytes of callback data), the same for a redelivered event. */
  idFor(platform: string, deliveryId: string): string {
    let h = 0x811c9dc5;
    for (const c of `${platform}:${deliveryId}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return `${h.toString(36)}${deliveryId.length.toString(36)}`;
  },
};

/** Up to three answered questions or articles close enough to be worth a look before posting. */
export async function findSimilar(ctx: UseCaseContext, text: string): Promise<SearchHit[]> {
  return searchCommunity(ctx.repos, text, { only: 'answered', strict: true, minScore: SIMILAR_MIN_SCORE, limit: 3 });
}

/** Checks a question's text as the asker wrote it (before anything is searched or stored). */
export function checkQuestionText(ctx: UseCaseContext, text: string): string {
  CommunityPolicy.assertMember(ctx.actor);
  return requireText(text, 'question', QUESTION_MAX, QUESTION_MIN);
}

/**
 * Keeps the question as a draft and records the offer of the similar ones; `draftId` goes on the
 * two buttons ("that's enough" / "post it anyway").
 */
export async function saveDraft(
  ctx: UseCaseContext,
  draftId: string,
  text: string,
  platform: Platform,
  hits: readonly SearchHit[],
): Promise<void> {
  const now = ctx.clock.now();
  const offer = await ctx.repos.community.recordOffer({
    source: 'question',
    personId: ctx.actor.personId,
    platform,
    query: text,
    offered: hits.map((h) => h.ref),
    createdAt: now,
  });
  const draft: QuestionDraft = { flow: 'community.draft', personId: ctx.actor.personId, text, platform, offerId: offer.id };
  await ctx.repos.dialogs.put(QuestionDraft.key(draftId), draft, new Date(now.getTime() + DRAFT_TTL_MS));
}

/** The caller's own live draft, or undefined (expired, or someone else's). */
export async function takeDraft(ctx: UseCaseContext, draftId: string): Promise<QuestionDraft | undefined> {
  const draft = await ctx.repos.dialogs.get(QuestionDraft.key(draftId), ctx.clock.now());
  return QuestionDraft.is(draft) && draft.personId === ctx.actor.personId ? draft : undefined;
}

/**
 * Posts a question: its id from the sequence, a title from its first words, tags from the IT
 * words it uses, its card in every community channel. The same `idempotencyKey` (a draft, a
 * delivery) posts one question however often it comes.
 *
 * @example await postQuestion(ctx, { text: 'Come configuro la PEC su Thunderbird?', platform: 'slack', idempotencyKey: 'ask:slack:Ev1' })
 */
export async function postQuestion(
  ctx: UseCaseContext,
  input: { readonly text: string; readonly platform: Platform; readonly idempotencyKey: string },
): Promise<{ readonly question: Question; readonly created: boolean; readonly channels: number }> {
  const body = checkQuestionText(ctx, input.text);
  const repos = ctx.repos.community;
  const existing = await repos.findQuestionByKey(input.idempotencyKey);
  if (existing) return { question: existing, created: false, channels: 0 };
  const orgs = ctx.actor.roles.map((r) => r.organisationId).filter((o): o is string => o !== null);
  const inserted = await repos.insertQuestion({
    ref: await repos.nextRef('question'),
    title: titleFrom(body),
    body,
    tags: topicTags(body),
    authorId: ctx.actor.personId,
    organisationId: orgs[0] ?? null,
    platform: input.platform,
    idempotencyKey: input.idempotencyKey,
    createdAt: ctx.clock.now(),
  });
  // A concurrent post with the same key won: answer with its question.
  if (!inserted) return { question: (await repos.findQuestionByKey(input.idempotencyKey))!, created: false, channels: 0 };
  const channels = await showQuestion(ctx, inserted);
  return { question: inserted, created: true, channels };
}
