/**
 * The community feature: ask (`domanda`), answer (`rispondi Q-…`, or in the question's thread),
 * search (`cerca`), read (`leggi`), accept, vote, say whether it worked, publish a ticket's fix
 * as an article (`pubblica`), announcements, moderation and the deflection report.
 */
import { type CommandSpec, type Feature, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { TicketRef } from '../kernel/ticket.ts';
import type { Turn } from '../kernel/turn.ts';
import { Policy } from '../tickets/policy.ts';
import { decideAnnouncement, postAnnouncement } from './announcements.ts';
import { acceptAnswer, giveFeedback, voteUseful } from './answer-question.ts';
import { articleView, searchResults } from './community-cards.ts';
import { answerInChat, askInChat, communityActions, communityDialogs, communityThreads } from './community-chat.ts';
import { nameOf } from './community-notices.ts';
import { articleList, deflectionView, moderationList, questionView } from './community-replies.ts';
import { requireText } from './community-text.ts';
import { deflectionReport } from './deflection.ts';
import { findAnswerOrThrow, findQuestionOrThrow } from './find-community.ts';
import { decideArticle, findArticleOrThrow, listArticles, publishArticle } from './knowledge-base.ts';
import { m, t } from './messages.ts';
import { CommunityRef } from './model.ts';
import { hide, merge, moderationLog, retag, setLocked } from './moderation.ts';
import { searchCommunity } from './search.ts';

const STAFF = ['moderator', 'committee'] as const;
const WORKERS = ['volunteer', 'moderator', 'committee'] as const;
const ID = {
  question: /^Q[\s-]*\d+$/i,
  answer: /^A[\s-]*\d+$/i,
  any: /^(Q|A|KB|AN)[\s-]*\d+$/i,
  approvable: /^(KB|AN)[\s-]*\d+$/i,
};

type Usage = Parameters<typeof t>[1] & `usage.${string}`;

/** A command whose first argument is an id; answers with its usage when the id is missing. */
function withId(
  name: string,
  words: CommandSpec['words'],
  pattern: RegExp,
  audience: CommandSpec['audience'],
  section: CommandSpec['section'],
  run: (turn: Turn, id: string, rest: string, c: ParsedCommand) => Promise<void>,
): CommandSpec {
  const usage = `usage.${name}` as Usage;
  return {
    name,
    words,
    grammar: Grammar.first(pattern),
    audience,
    section,
    ...m.helpOf(name as Parameters<typeof m.helpOf>[0]),
    usage: (l) => t(l, usage),
    async handle(turn, c) {
      const id = c.args[0];
      if (!id) return turn.say(t(turn.locale, usage));
      await run(turn, id, restAfter(c.rest, 1), c);
    },
  };
}

/** The same command, sharing its word with another feature's (`approva RFC-…`): its id pattern picks it. */
const sharingWord = (c: CommandSpec): CommandSpec => (c.grammar.kind === 'first' ? { ...c, refs: c.grammar.pattern } : c);

async function read(turn: Turn, id: string): Promise<void> {
  const ctx = turn.ctx;
  const kind = CommunityRef.parse(id)?.kind;
  if (kind === 'article') {
    const article = await findArticleOrThrow(ctx, id);
    // The tickets it solved, only those the reader may see: another organisation's stay unnamed.
    const tickets = await Promise.all(article.ticketRefs.map((ref) => ctx.repos.tickets.findByRef(ref)));
    const readable = tickets.filter((x) => x && Policy.canRead(ctx.actor, x)).map((x) => x!.ref);
    return turn.replyPrivately(articleView(turn.locale, { ...article, ticketRefs: readable }));
  }
  const q = kind === 'answer' ? (await findAnswerOrThrow(ctx, id)).question : await findQuestionOrThrow(ctx, id);
  const answers = await ctx.repos.community.listAnswers(q.id);
  const views = await Promise.all(answers.map(async (answer) => ({ answer, authorName: await nameOf(ctx, answer.authorId) })));
  const kept = q.mergedIntoId ? await ctx.repos.community.findQuestionById(q.mergedIntoId) : undefined;
  turn.replyPrivately(questionView(turn.locale, q, views, kept?.ref ?? null));
}

const commands: CommandSpec[] = [
  {
    name: 'ask',
    words: { it: ['domanda'], en: ['question', 'ask'] },
    grammar: Grammar.free,
    audience: ['anyone'],
    section: 'community',
    ...m.helpOf('ask'),
    usage: (l) => t(l, 'usage.ask'),
    async handle(turn, c) {
      if (!c.rest) return turn.say(t(turn.locale, 'usage.ask'));
      await askInChat(turn, c.rest);
    },
  },
  // Also reached as `rispondi Q-…` / `reply Q-…`: the tickets' comment command hands a question id here.
  withId('answer', { it: ['risposta'], en: ['answer'] }, ID.question, ['anyone'], 'community', (turn, id, rest) =>
    answerInChat(turn, id, rest, 'reply'),
  ),
  {
    name: 'search',
    words: { it: ['cerca'], en: ['search'] },
    grammar: Grammar.free,
    audience: ['anyone'],
    section: 'community',
    ...m.helpOf('search'),
    usage: (l) => t(l, 'usage.search'),
    async handle(turn, c) {
      if (!c.rest) return turn.say(t(turn.locale, 'usage.search'));
      const query = requireText(c.rest, 'search', 300);
      turn.replyPrivately(searchResults(turn.locale, query, await searchCommunity(turn.ctx.repos, query, { limit: 5 })));
    },
  },
  withId('read', { it: ['leggi'], en: ['read'] }, ID.any, ['anyone'], 'community', read),
  withId('accept', { it: ['accetta'], en: ['accept'] }, ID.answer, ['anyone'], 'community', async (turn, id) => {
    const { answer, already } = await acceptAnswer(turn.ctx, id);
    turn.say(t(turn.locale, already ? 'cq.already_accepted' : 'cq.accepted', { answer: answer.ref }));
  }),
  withId('useful', { it: ['utile'], en: ['useful', 'upvote'] }, ID.answer, ['anyone'], 'community', async (turn, id) => {
    const answer = await voteUseful(turn.ctx, id);
    turn.say(t(turn.locale, 'cq.voted', { answer: answer.ref, n: answer.usefulCount }));
  }),
  ...(['worked', 'failed'] as const).map((name) =>
    withId(
      name,
      name === 'worked' ? { it: ['funziona'], en: ['worked'] } : { it: ['nonfunziona'], en: ['failed'] },
      ID.answer,
      ['anyone'],
      'community',
      async (turn, id, rest) => {
        const answer = await giveFeedback(turn.ctx, id, name === 'worked', rest);
        turn.say(t(turn.locale, 'cq.feedback_saved', { answer: answer.ref }));
      },
    ),
  ),
  withId(
    'publish',
    { it: ['pubblica'], en: ['publish'] },
    /^(INC|REQ|RFC|PRB)[\s-]*\d+$/i,
    WORKERS,
    'volunteer',
    async (turn, id, rest) => {
      const { article, outcome } = await publishArticle(turn.ctx, id, rest.split(/\s+/)[0] || undefined);
      turn.say(t(turn.locale, `kb.${outcome}`, { ref: article.ref, ticket: TicketRef.parse(id) ?? id }));
    },
  ),
  {
    name: 'articles',
    words: { it: ['articoli'], en: ['articles', 'kb'] },
    grammar: Grammar.first(/^(bozze|drafts)$/i, 1),
    audience: ['anyone'],
    section: 'community',
    ...m.helpOf('articles'),
    async handle(turn, c) {
      const drafts = /^(bozze|drafts)$/i.test(c.args[0] ?? '');
      turn.replyPrivately(articleList(turn.locale, await listArticles(turn.ctx, { drafts }), drafts));
    },
  },
  sharingWord(
    withId('approve', { it: ['approva'], en: ['approve'] }, ID.approvable, STAFF, 'staff', async (turn, id) => {
      if (CommunityRef.parse(id)?.kind === 'article') {
        const a = await decideArticle(turn.ctx, id, 'approve');
        return turn.say(t(turn.locale, 'kb.approved', { ref: a.ref }));
      }
      const a = await decideAnnouncement(turn.ctx, id, true, '');
      turn.say(t(turn.locale, 'an.approved', { ref: a.ref }));
    }),
  ),
  sharingWord(
    withId('reject', { it: ['rifiuta'], en: ['reject'] }, /^AN[\s-]*\d+$/i, STAFF, 'staff', async (turn, id, rest) => {
      const a = await decideAnnouncement(turn.ctx, id, false, rest);
      turn.say(t(turn.locale, 'an.rejected', { ref: a.ref }));
    }),
  ),
  {
    name: 'announce',
    words: { it: ['annuncio'], en: ['announce'] },
    grammar: Grammar.free,
    audience: ['observer', ...STAFF],
    section: 'community',
    ...m.helpOf('announce'),
    usage: (l) => t(l, 'usage.announce'),
    async handle(turn, c) {
      if (!c.rest) return turn.say(t(turn.locale, 'usage.announce'));
      const { announcement, published } = await postAnnouncement(turn.ctx, c.rest);
      turn.say(t(turn.locale, published ? 'an.published' : 'an.pending', { ref: announcement.ref }));
    },
  },
  withId('hide', { it: ['nascondi'], en: ['hide'] }, /^(Q|A|KB)[\s-]*\d+$/i, STAFF, 'staff', async (turn, id, rest) => {
    turn.say(t(turn.locale, 'mod.hidden', { ref: await hide(turn.ctx, id, rest) }));
  }),
  ...(['lock', 'unlock'] as const).map((name) =>
    withId(
      name,
      name === 'lock' ? { it: ['blocca'], en: ['lock'] } : { it: ['sblocca'], en: ['unlock'] },
      ID.question,
      STAFF,
      'staff',
      async (turn, id, rest) => {
        turn.say(
          t(turn.locale, name === 'lock' ? 'mod.locked' : 'mod.unlocked', { ref: await setLocked(turn.ctx, id, name === 'lock', rest) }),
        );
      },
    ),
  ),
  withId('merge', { it: ['unisci'], en: ['merge'] }, ID.question, STAFF, 'staff', async (turn, id, rest, c) => {
    const into = c.args[1];
    if (!into) return turn.say(t(turn.locale, 'usage.merge'));
    const r = await merge(turn.ctx, id, into, restAfter(rest, 1));
    turn.say(t(turn.locale, 'mod.merged', { ref: r.duplicate, into: r.kept, n: r.moved }));
  }),
  withId('retag', { it: ['etichetta'], en: ['retag', 'tag'] }, /^(Q|KB)[\s-]*\d+$/i, STAFF, 'staff', async (turn, id, rest) => {
    const words = rest.split(/\s+/).filter(Boolean);
    const tags = words.filter((w) => w.startsWith('#'));
    if (tags.length === 0) return turn.say(t(turn.locale, 'usage.retag'));
    const r = await retag(turn.ctx, id, tags, words.filter((w) => !w.startsWith('#')).join(' '));
    turn.say(t(turn.locale, 'mod.retagged', { ref: r.ref, tags: r.tags.map((x) => `#${x}`).join(' ') }));
  }),
  {
    name: 'modlog',
    words: { it: ['moderazione'], en: ['modlog'] },
    grammar: Grammar.first(ID.any, 1),
    audience: STAFF,
    section: 'staff',
    ...m.helpOf('modlog'),
    async handle(turn, c) {
      const entries = await moderationLog(turn.ctx, c.args[0]);
      const named = await Promise.all(
        entries.map(async (e) => ({ ...e, actorName: e.actorId ? await nameOf(turn.ctx, e.actorId) : 'Sportello' })),
      );
      turn.replyPrivately(moderationList(turn.locale, named));
    },
  },
  {
    name: 'deflection',
    words: { it: ['deflessione'], en: ['deflection'] },
    grammar: Grammar.first(/^\d{1,3}$/, 1),
    audience: STAFF,
    section: 'staff',
    ...m.helpOf('deflection'),
    async handle(turn, c) {
      const days = Math.min(365, Math.max(1, Number(c.args[0] ?? 30) || 30));
      turn.replyPrivately(deflectionView(turn.locale, await deflectionReport(turn.ctx, days)));
    },
  },
];

export const communityFeature: Feature = {
  name: 'community',
  commands,
  actions: communityActions,
  dialogs: communityDialogs,
  threads: communityThreads,
  channelText: [{ purpose: 'community', handle: askInChat }],
};
