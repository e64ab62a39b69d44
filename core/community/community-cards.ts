/**
 * The community's messages as channel-neutral `OutMessage`s: the question card and the answer
 * cards under it (edited in place as answers, votes, acceptance and feedback come in), article
 * and announcement posts, search results. Every piece of user text goes through
 * `forCommunity`: no mention of any kind, personal details masked.
 */
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { excerpt } from '../kernel/sanitize.ts';
import { forCommunity, forCommunityFull } from './community-text.ts';
import { t } from './messages.ts';
import type { Announcement, Answer, Article, Question, SearchHit } from './model.ts';

export const CardRef = {
  question: (ref: string) => `question:${ref}`,
  answer: (ref: string) => `answer:${ref}`,
  article: (ref: string) => `article:${ref}`,
  announcement: (ref: string) => `announcement:${ref}`,
};

const tagLine = (tags: readonly string[]) => tags.map((x) => `#${x}`).join(' ');

export interface QuestionCardData {
  readonly question: Question;
  readonly authorName: string;
  readonly answers: number;
  readonly accepted: number;
  /** The question a duplicate was merged into. */
  readonly mergedIntoRef: string | null;
}

/** The question in the community channels; its thread collects the answers. */
export function questionCard(l: Locale, d: QuestionCardData): OutMessage {
  const q = d.question;
  if (q.hiddenAt) return { title: `${q.ref} · ${t(l, 'cq.hidden_title')}`, text: t(l, 'cq.hidden_text') };
  if (d.mergedIntoRef) return { title: `${q.ref} → ${d.mergedIntoRef}`, text: t(l, 'cq.merged_text', { ref: d.mergedIntoRef }) };
  const fields = [
    { label: t(l, 'cq.field_author'), value: forCommunity(d.authorName, 80) },
    { label: t(l, 'cq.field_answers'), value: t(l, 'cq.answers_count', { n: d.answers, accepted: d.accepted }) },
  ];
  if (q.tags.length) fields.push({ label: t(l, 'cq.field_tags'), value: tagLine(q.tags) });
  if (q.lockedAt) fields.push({ label: t(l, 'cq.field_state'), value: t(l, 'cq.locked') });
  return {
    title: `${q.ref} · ${forCommunity(q.title, 120)}`,
    text: `${forCommunityFull(q.body, 1500)}\n\n${t(l, q.lockedAt ? 'cq.locked_hint' : 'cq.answer_hint', { ref: q.ref })}`,
    fields,
  };
}

export interface AnswerCardData {
  readonly answer: Answer;
  readonly questionRef: string;
  readonly authorName: string;
}

/** An answer under its question, with its votes, acceptance and the asker's feedback. */
export function answerCard(l: Locale, d: AnswerCardData): OutMessage {
  const a = d.answer;
  if (a.hiddenAt) return { title: `${a.ref} · ${t(l, 'cq.hidden_title')}`, text: t(l, 'cq.hidden_answer_text') };
  const fields = [{ label: t(l, 'cq.field_useful'), value: String(a.usefulCount) }];
  if (a.worked !== null)
    fields.push({
      label: t(l, 'cq.field_outcome'),
      value: t(l, a.worked ? 'cq.outcome_worked' : 'cq.outcome_failed') + (a.feedback ? `: «${forCommunity(a.feedback, 300)}»` : ''),
    });
  const buttons = [{ actionId: 'cq.useful', value: a.ref, label: t(l, 'cq.button_useful') }];
  if (!a.acceptedAt) buttons.push({ actionId: 'cq.accept', value: a.ref, label: t(l, 'cq.button_accept') });
  return {
    title: `${a.ref} · ${t(l, 'cq.answer_by', { name: forCommunity(d.authorName, 80), ref: d.questionRef })}${a.acceptedAt ? ` · ${t(l, 'cq.accepted_mark')}` : ''}`,
    text: forCommunityFull(a.body, 1500),
    fields,
    buttons,
  };
}

/** The asker's private notice of a new answer, with what they can do about it. */
export function answerNotice(l: Locale, a: Answer, questionRef: string, authorName: string): OutMessage {
  return {
    text: t(l, 'cq.answer_notice', {
      name: forCommunity(authorName, 80),
      ref: questionRef,
      answer: a.ref,
      body: forCommunity(a.body, 600),
    }),
    buttons: [
      { actionId: 'cq.accept', value: a.ref, label: t(l, 'cq.button_accept'), style: 'primary' },
      { actionId: 'cq.worked', value: a.ref, label: t(l, 'cq.button_worked') },
      { actionId: 'cq.failed', value: a.ref, label: t(l, 'cq.button_failed') },
    ],
  };
}

const KIND_MARK: Readonly<Record<SearchHit['kind'], string>> = { article: '📘', answer: '💬', question: '❓' };

/** One result as a line: mark, id, title, and a short excerpt of what answers it. */
export function hitLine(l: Locale, h: SearchHit): string {
  const what = h.kind === 'answer' ? `${h.ref} (${h.rootRef}${h.accepted ? `, ${t(l, 'cq.accepted_mark')}` : ''})` : h.ref;
  return `${KIND_MARK[h.kind]} ${what} · ${forCommunity(h.title, 100)}\n   «${forCommunity(h.body, 160)}»`;
}

export function searchResults(l: Locale, query: string, hits: readonly SearchHit[]): OutMessage {
  if (hits.length === 0) return { text: t(l, 'search.none', { query: excerpt(forCommunity(query, 80), 80) }) };
  return {
    title: t(l, 'search.title', { query: forCommunity(query, 80), n: hits.length }),
    text: `${hits.map((h) => hitLine(l, h)).join('\n')}\n\n${t(l, 'search.hint')}`,
  };
}

/** "Ti basta una di queste?": the similar answered questions and articles, before posting. */
export function similarPrompt(l: Locale, hits: readonly SearchHit[], draftId: string): OutMessage {
  return {
    title: t(l, 'ask.similar_title'),
    text: `${hits.map((h) => hitLine(l, h)).join('\n')}\n\n${t(l, 'ask.similar_hint')}`,
    buttons: [
      { actionId: 'cq.enough', value: draftId, label: t(l, 'ask.button_enough'), style: 'primary' },
      { actionId: 'cq.post', value: draftId, label: t(l, 'ask.button_post') },
    ],
  };
}

/** A published article, announced in the community channels. */
export function articleCard(l: Locale, a: Article): OutMessage {
  if (a.hiddenAt || a.status !== 'published') return { title: `${a.ref} · ${t(l, 'cq.hidden_title')}`, text: t(l, 'kb.hidden_text') };
  return {
    title: `📘 ${a.ref} · ${forCommunity(a.title, 120)}`,
    text: `${forCommunityFull(a.body, 1500)}\n\n${t(l, 'kb.read_hint', { ref: a.ref })}`,
    fields: a.tags.length ? [{ label: t(l, 'cq.field_tags'), value: tagLine(a.tags) }] : [],
  };
}

/** An article read in full (any status, for those who may see it). */
export function articleView(l: Locale, a: Article): OutMessage {
  const fields = [
    { label: t(l, 'kb.field_status'), value: t(l, `kb.status_${a.status}`) },
    { label: t(l, 'kb.field_tickets'), value: a.ticketRefs.join(', ') || '—' },
  ];
  if (a.tags.length) fields.push({ label: t(l, 'cq.field_tags'), value: tagLine(a.tags) });
  return { title: `📘 ${a.ref} · ${forCommunity(a.title, 120)}`, text: forCommunityFull(a.body, 3500), fields };
}

/** The requester is asked whether the fix of their ticket may become a public article. */
export function consentRequest(l: Locale, a: Article, ticketRef: string, decided?: 'published' | 'declined'): OutMessage {
  const preview = `«${forCommunity(a.title, 120)}»\n${forCommunityFull(a.body, 1200)}`;
  if (decided)
    return {
      text: `${t(l, decided === 'published' ? 'kb.consent_given' : 'kb.consent_refused', { ref: a.ref, ticket: ticketRef })}\n\n${preview}`,
    };
  return {
    text: `${t(l, 'kb.consent_ask', { ref: a.ref, ticket: ticketRef })}\n\n${preview}`,
    buttons: [
      { actionId: 'kb.consent', value: a.ref, label: t(l, 'kb.button_consent'), style: 'primary' },
      { actionId: 'kb.refuse', value: a.ref, label: t(l, 'kb.button_refuse') },
    ],
  };
}

export function announcementCard(l: Locale, a: Announcement, authorName: string): OutMessage {
  return { title: `📣 ${t(l, 'an.title', { name: forCommunity(authorName, 80) })}`, text: forCommunityFull(a.body, 1500) };
}

/** The moderators' review of an announcement; once decided, the same message says how. */
export function announcementReview(l: Locale, a: Announcement, authorName: string, deciderName?: string): OutMessage {
  const head = t(l, 'an.review', { ref: a.ref, name: forCommunity(authorName, 80) });
  const body = forCommunityFull(a.body, 1500);
  if (a.status !== 'pending')
    return {
      text: `${head}\n\n${body}\n\n${t(l, a.status === 'approved' ? 'an.review_approved' : 'an.review_rejected', { name: deciderName ?? '—' })}`,
    };
  return {
    text: `${head}\n\n${body}`,
    buttons: [
      { actionId: 'an.approve', value: a.ref, label: t(l, 'an.button_approve'), style: 'primary' },
      { actionId: 'an.reject', value: a.ref, label: t(l, 'an.button_reject'), style: 'danger' },
    ],
  };
}
