/** Private answers of the community commands: a question read in full, lists, the moderation log, the deflection report. */
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forCommunity, forCommunityFull } from './community-text.ts';
import type { DeflectionReport } from './deflection.ts';
import { t } from './messages.ts';
import type { Answer, Article, ModerationEntry, Question } from './model.ts';

export interface AnswerView {
  readonly answer: Answer;
  readonly authorName: string;
}

/** A question with its visible answers: accepted first, then the most useful, each with the asker's feedback. */
export function questionView(l: Locale, q: Question, answers: readonly AnswerView[], mergedIntoRef: string | null): OutMessage {
  const visible = answers
    .filter((a) => !a.answer.hiddenAt)
    .sort((a, b) => Number(!!b.answer.acceptedAt) - Number(!!a.answer.acceptedAt) || b.answer.usefulCount - a.answer.usefulCount);
  const lines = visible.map(({ answer: a, authorName }) => {
    const marks = [a.acceptedAt ? t(l, 'cq.accepted_mark') : '', `👍 ${a.usefulCount}`].filter(Boolean).join(' · ');
    const outcome =
      a.worked === null
        ? ''
        : `\n   ${t(l, a.worked ? 'cq.outcome_worked' : 'cq.outcome_failed')}${a.feedback ? `: «${forCommunity(a.feedback, 200)}»` : ''}`;
    return `💬 ${a.ref} · ${forCommunity(authorName, 60)} (${marks})\n   ${forCommunity(a.body, 500)}${outcome}`;
  });
  const state = q.hiddenAt
    ? t(l, 'cq.hidden_title')
    : mergedIntoRef
      ? t(l, 'cq.merged_text', { ref: mergedIntoRef })
      : q.lockedAt
        ? t(l, 'cq.locked')
        : '';
  return {
    title: `${q.ref} · ${forCommunity(q.title, 120)}`,
    text: [forCommunityFull(q.body, 1500), state, lines.length ? lines.join('\n\n') : t(l, 'cq.no_answers', { ref: q.ref })]
      .filter(Boolean)
      .join('\n\n'),
  };
}

export function articleList(l: Locale, articles: readonly Article[], drafts: boolean): OutMessage {
  if (articles.length === 0) return { text: t(l, drafts ? 'kb.no_drafts' : 'kb.none') };
  return {
    title: t(l, drafts ? 'kb.drafts_title' : 'kb.list_title', { n: articles.length }),
    text: articles
      .map((a) => `📘 ${a.ref} · ${forCommunity(a.title, 100)}${a.ticketRefs.length ? ` (${a.ticketRefs.join(', ')})` : ''}`)
      .join('\n'),
  };
}

export function moderationList(l: Locale, entries: readonly (ModerationEntry & { readonly actorName: string })[]): OutMessage {
  if (entries.length === 0) return { text: t(l, 'mod.log_empty') };
  const date = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  return {
    title: t(l, 'mod.log_title'),
    text: entries
      .map((e) => {
        const details = Object.entries(e.details)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        return `${date(e.at)} · ${e.targetRef} · ${t(l, `mod.action_${e.action}`)} · ${forCommunity(e.actorName, 60)}${e.reason ? ` · «${forCommunity(e.reason, 200)}»` : ''}${details ? ` · ${forCommunity(details, 100)}` : ''}`;
      })
      .join('\n'),
  };
}

export function deflectionView(l: Locale, r: DeflectionReport): OutMessage {
  const pct = (n: number) => `${Math.round(n * 1000) / 10}%`;
  const rows = r.rows.map(
    (x) =>
      `${t(l, `defl.source_${x.source}`)} · ${x.platform}: ${t(l, 'defl.row', { offered: x.offered, resolved: x.resolved, recontacted: x.recontacted, declined: x.declined, unanswered: x.unanswered })}`,
  );
  return {
    title: t(l, 'defl.title', { days: r.days }),
    text: [
      t(l, 'defl.total', { rate: pct(r.rate), offered: r.total.offered, resolved: r.total.resolved, recontacted: r.total.recontacted }),
      ...rows,
    ].join('\n'),
  };
}
