/**
 * The community from the command line: search (questions, answers and articles, best first), the
 * knowledge base, and the deflection report. Texts come from core's community catalog.
 */

import { deflectionReport } from '../../core/community/deflection.ts';
import { findArticleOrThrow, listArticles } from '../../core/community/knowledge-base.ts';
import { t } from '../../core/community/messages.ts';
import type { Article } from '../../core/community/model.ts';
import { searchCommunity } from '../../core/community/search.ts';
import { Policy } from '../../core/tickets/policy.ts';
import { optional, optionalInt } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { formatTable } from './table.ts';

const excerpt = (s: string, n: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= n ? flat : `${flat.slice(0, n - 1)}…`;
};

export const communitySearch = defineCommand({
  name: 'community search',
  synopsis: 'WORDS... [--limit N] [--as HANDLE]',
  summary: 'search questions, answers and knowledge base articles, best first (id, kind, title, score)',
  options: { limit: { type: 'string' }, as: { type: 'string' } },
  positionals: ['WORDS...'],
  parse(args) {
    const words = args.positionals.join(' ').trim();
    if (!words) throw new UsageError('missing WORDS');
    return { words, limit: optionalInt(args, 'limit', 1, 50) ?? 10, as: optional(args, 'as') };
  },
  async run(session, input) {
    const hits = await session.run(input.as, (ctx) => searchCommunity(ctx.repos, input.words, { limit: input.limit }));
    const json = hits.map((h) => ({
      id: h.ref,
      kind: h.kind,
      title: h.title,
      score: h.score,
      question: h.kind === 'answer' ? h.rootRef : null,
      accepted: h.accepted,
      excerpt: excerpt(h.body, 200),
    }));
    const text = hits.length
      ? formatTable(json.map((h) => [h.score.toFixed(3), h.kind, h.question ? `${h.id} (${h.question})` : h.id, excerpt(h.title, 80)]))
      : t(session.locale, 'search.none', { query: input.words });
    return { json, text };
  },
});

const articleJson = (a: Article) => ({
  id: a.ref,
  title: a.title,
  status: a.status,
  tags: a.tags,
  tickets: a.ticketRefs,
  publishedAt: a.publishedAt,
  createdAt: a.createdAt,
  body: a.body,
});

export const kbList = defineCommand({
  name: 'kb list',
  synopsis: '[--drafts] [--limit N] [--as HANDLE]',
  summary: 'knowledge base articles, newest first (--drafts: those waiting for consent or approval)',
  options: { drafts: { type: 'boolean' }, limit: { type: 'string' }, as: { type: 'string' } },
  parse: (args) => ({ drafts: args.values['drafts'] === true, limit: optionalInt(args, 'limit', 1, 500) ?? 50, as: optional(args, 'as') }),
  async run(session, input) {
    const articles = await session.run(input.as, (ctx) => listArticles(ctx, { drafts: input.drafts, limit: input.limit }));
    const text = articles.length
      ? formatTable(articles.map((a) => [a.ref, a.status, a.ticketRefs.join(',') || '—', excerpt(a.title, 80)]))
      : t(session.locale, input.drafts ? 'kb.no_drafts' : 'kb.none');
    return { json: articles.map(articleJson), text };
  },
});

export const kbShow = defineCommand({
  name: 'kb show',
  synopsis: 'REF [--as HANDLE]',
  summary: 'one article with its tags and the tickets it solved',
  options: { as: { type: 'string' } },
  positionals: ['REF'],
  parse: (args) => ({ ref: args.positionals[0] ?? '', as: optional(args, 'as') }),
  async run(session, input) {
    const article = await session.run(input.as, async (ctx) => {
      const a = await findArticleOrThrow(ctx, input.ref);
      // Only the tickets this reader may see are named.
      const tickets = await Promise.all(a.ticketRefs.map((ref) => ctx.repos.tickets.findByRef(ref)));
      return { ...a, ticketRefs: tickets.filter((x) => x && Policy.canRead(ctx.actor, x)).map((x) => x!.ref) };
    });
    const l = session.locale;
    const text = [
      `${article.ref} · ${article.title}`,
      `${t(l, 'kb.field_status')}: ${t(l, `kb.status_${article.status}`)}`,
      `${t(l, 'kb.field_tickets')}: ${article.ticketRefs.join(', ') || '—'}`,
      ...(article.tags.length ? [`${t(l, 'cq.field_tags')}: ${article.tags.map((x) => `#${x}`).join(' ')}`] : []),
      '',
      article.body,
    ].join('\n');
    return { json: articleJson(article), text };
  },
});

export const communityDeflection = defineCommand({
  name: 'community deflection',
  synopsis: '[--days N]',
  summary: 'the deflection funnel: offers of articles and answers, solved, back within 2 hours, tickets opened anyway',
  options: { days: { type: 'string' } },
  parse: (args) => ({ days: optionalInt(args, 'days', 1, 365) ?? 30 }),
  async run(session, input) {
    const r = await session.run(undefined, (ctx) => deflectionReport(ctx, input.days));
    const l = session.locale;
    const rows = r.rows.map((x) => [
      x.source,
      x.platform,
      String(x.offered),
      String(x.resolved),
      String(x.recontacted),
      String(x.declined),
      String(x.unanswered),
    ]);
    const text = [
      t(l, 'defl.title', { days: r.days }),
      t(l, 'defl.total', {
        rate: `${Math.round(r.rate * 1000) / 10}%`,
        offered: r.total.offered,
        resolved: r.total.resolved,
        recontacted: r.total.recontacted,
      }),
      ...(rows.length ? ['', formatTable([['source', 'platform', 'offered', 'solved', 'back', 'opened', 'unanswered'], ...rows])] : []),
    ].join('\n');
    return { json: r, text };
  },
});
