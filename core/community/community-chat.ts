/**
 * The community in chat, beyond its commands: asking (from `domanda` or from text written in a
 * community channel), the buttons on questions, answers, articles and announcements, the short
 * dialogs a button opens (what did not work, why an announcement is refused), and replies in
 * the thread of a question or an answer, which are answers.
 */
import type { ActionSpec, DialogSpec, ThreadSpec } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Turn } from '../kernel/turn.ts';
import { decideAnnouncement } from './announcements.ts';
import { acceptAnswer, answerQuestion, giveFeedback, voteUseful } from './answer-question.ts';
import { checkQuestionText, findSimilar, postQuestion, QuestionDraft, saveDraft, takeDraft } from './ask-question.ts';
import { similarPrompt } from './community-cards.ts';
import { CommunityPolicy } from './community-policy.ts';
import { settleOffer } from './deflection.ts';
import { findAnswerOrThrow } from './find-community.ts';
import { decideArticle } from './knowledge-base.ts';
import { t } from './messages.ts';
import { CommunityRef } from './model.ts';

/** What a button asked for and the next text typed completes. */
export interface CommunityDialog {
  readonly flow: 'community.feedback' | 'community.reject';
  readonly ref: string;
}

const isDialog =
  (flow: CommunityDialog['flow']) =>
  (v: unknown): v is CommunityDialog =>
    typeof v === 'object' && v !== null && (v as CommunityDialog).flow === flow;

async function post(turn: Turn, text: string, idempotencyKey: string): Promise<void> {
  const { question, created, channels } = await postQuestion(turn.ctx, { text, platform: turn.inbound.platform, idempotencyKey });
  if (!created) return turn.say(t(turn.locale, 'ask.already_posted', { ref: question.ref }));
  turn.say(t(turn.locale, channels > 0 ? 'ask.posted' : 'ask.posted_no_channel', { ref: question.ref, n: channels }));
}

/**
 * A question typed by someone: if answered questions or articles look like it, they are shown
 * first and the question waits as a draft; otherwise it is posted at once.
 */
export async function askInChat(turn: Turn, text: string): Promise<void> {
  const body = checkQuestionText(turn.ctx, text);
  const { platform, deliveryId } = turn.inbound;
  const hits = await findSimilar(turn.ctx, body);
  if (hits.length === 0) return post(turn, body, `ask:${platform}:${deliveryId}`);
  const draftId = QuestionDraft.idFor(platform, deliveryId);
  await saveDraft(turn.ctx, draftId, body, platform, hits);
  turn.replyPrivately(similarPrompt(turn.locale, hits, draftId));
}

/** Text in a question's (or one of its answers') thread is an answer to that question. */
export async function answerInChat(turn: Turn, questionRef: string, text: string, how: string): Promise<void> {
  const { platform, deliveryId } = turn.inbound;
  const { answer, question, created } = await answerQuestion(turn.ctx, {
    questionRef,
    text,
    platform,
    idempotencyKey: `${how}:${platform}:${deliveryId}`,
  });
  const key = question.ref === CommunityRef.parseAs('question', questionRef) ? 'cq.answered' : 'cq.answered_merged';
  if (created) turn.say(t(turn.locale, key, { answer: answer.ref, ref: question.ref }));
}

async function onDraft(turn: Turn, draftId: string, post_: boolean): Promise<void> {
  const draft = await takeDraft(turn.ctx, draftId);
  if (!draft) return turn.say(t(turn.locale, 'ask.draft_gone'));
  if (post_) {
    await settleOffer(turn.ctx, draft.offerId, 'declined');
    return post(turn, draft.text, `draft:${draftId}`);
  }
  await settleOffer(turn.ctx, draft.offerId, 'resolved');
  await turn.ctx.repos.dialogs.delete(QuestionDraft.key(draftId));
  turn.say(t(turn.locale, 'ask.enough_thanks'));
}

async function handleAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const ctx = turn.ctx;
  const l = turn.locale;
  switch (action.id) {
    case 'cq.post':
    case 'cq.enough':
      return onDraft(turn, action.value, action.id === 'cq.post');
    case 'cq.accept': {
      const { answer, already } = await acceptAnswer(ctx, action.value);
      return turn.say(t(l, already ? 'cq.already_accepted' : 'cq.accepted', { answer: answer.ref }));
    }
    case 'cq.useful': {
      const answer = await voteUseful(ctx, action.value);
      return turn.say(t(l, 'cq.voted', { answer: answer.ref, n: answer.usefulCount }));
    }
    case 'cq.worked': {
      const answer = await giveFeedback(ctx, action.value, true, '');
      return turn.say(t(l, 'cq.feedback_saved', { answer: answer.ref }));
    }
    case 'cq.failed': {
      // Checked now, so only the asker is asked what went wrong.
      const { answer, question } = await findAnswerOrThrow(ctx, action.value);
      CommunityPolicy.assertAsker(ctx.actor, question);
      const state: CommunityDialog = { flow: 'community.feedback', ref: answer.ref };
      await ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
      return turn.say(t(l, 'cq.ask_failed_comment', { answer: answer.ref }));
    }
    case 'kb.consent':
    case 'kb.refuse': {
      const article = await decideArticle(ctx, action.value, action.id === 'kb.consent' ? 'consent' : 'refuse');
      return turn.say(t(l, article.status === 'published' ? 'kb.consent_thanks' : 'kb.refuse_thanks', { ref: article.ref }));
    }
    case 'an.approve': {
      const a = await decideAnnouncement(ctx, action.value, true, '');
      return turn.say(t(l, 'an.approved', { ref: a.ref }));
    }
    case 'an.reject': {
      CommunityPolicy.assertModerator(ctx.actor);
      const state: CommunityDialog = { flow: 'community.reject', ref: action.value };
      await ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
      return turn.say(t(l, 'an.ask_reason', { ref: action.value }));
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

export const communityActions: readonly ActionSpec[] = [
  { prefix: 'cq.', handle: handleAction },
  { prefix: 'kb.', handle: handleAction },
  { prefix: 'an.', handle: handleAction },
];

export const communityDialogs: readonly DialogSpec[] = [
  {
    flow: 'community.feedback',
    owns: isDialog('community.feedback'),
    dropOnRefusal: true,
    async continue(turn, state, text) {
      if (!isDialog('community.feedback')(state)) return;
      await turn.ctx.repos.dialogs.delete(turn.dialogKey);
      const answer = await giveFeedback(turn.ctx, state.ref, false, text);
      turn.say(t(turn.locale, 'cq.feedback_saved', { answer: answer.ref }));
    },
  },
  {
    flow: 'community.reject',
    owns: isDialog('community.reject'),
    dropOnRefusal: true,
    async continue(turn, state, text) {
      if (!isDialog('community.reject')(state)) return;
      await turn.ctx.repos.dialogs.delete(turn.dialogKey);
      const a = await decideAnnouncement(turn.ctx, state.ref, false, text);
      turn.say(t(turn.locale, 'an.rejected', { ref: a.ref }));
    },
  },
];

export const communityThreads: readonly ThreadSpec[] = [
  { refPrefix: 'question:', handle: (turn, ref, text) => answerInChat(turn, ref.slice('question:'.length), text, 'thread') },
  {
    // A reply to an answer's message (Telegram replies to the message itself) answers its question.
    refPrefix: 'answer:',
    async handle(turn, ref, text) {
      const { question } = await findAnswerOrThrow(turn.ctx, ref.slice('answer:'.length));
      await answerInChat(turn, question.ref, text, 'thread');
    },
  },
  ...['article:', 'announcement:'].map(
    (refPrefix): ThreadSpec => ({
      refPrefix,
      async handle(turn) {
        turn.say(t(turn.locale, 'cq.thread_not_question'));
      },
    }),
  ),
];
