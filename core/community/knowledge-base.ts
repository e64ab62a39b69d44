/**
 * The knowledge base: a volunteer turns the fix of a resolved ticket into an article in one
 * command (`pubblica INC-000042`) — its title and solution with the organisation, the people,
 * e-mails and phones taken out — and it becomes public when the requester agrees (a button) or a
 * moderator approves. A requester's "no" stands: no moderator overrides it.
 */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { Policy } from '../tickets/policy.ts';
import { articleCard, CardRef, consentRequest } from './community-cards.ts';
import { CommunityPolicy } from './community-policy.ts';
import { anonymize, titleFrom } from './community-text.ts';
import { t } from './messages.ts';
import { type Article, CommunityRef } from './model.ts';
import { topicTags } from './search-query.ts';

const consentRef = (ref: string) => `kb-consent:${ref}`;

/** The article, if the actor may read it: published ones for everyone; drafts for their author, the requester and moderators. */
export async function findArticleOrThrow(ctx: UseCaseContext, typed: string): Promise<Article> {
  const ref = CommunityRef.parseAs('article', typed);
  const a = ref ? await ctx.repos.community.findArticle(ref) : undefined;
  const mayRead =
    a &&
    (CommunityPolicy.isModerator(ctx.actor) ||
      (!a.hiddenAt && (a.status === 'published' || a.authorId === ctx.actor.personId || a.requesterId === ctx.actor.personId)));
  if (!a || !mayRead) throw new DomainError('article_not_found', { ref: typed.trim().slice(0, 20) });
  return a;
}

/** Published articles, newest first; moderators may ask for drafts. */
export async function listArticles(
  ctx: UseCaseContext,
  opts: { readonly drafts?: boolean; readonly limit?: number } = {},
): Promise<Article[]> {
  if (opts.drafts) CommunityPolicy.assertModerator(ctx.actor);
  return ctx.repos.community.listArticles({ statuses: [opts.drafts ? 'draft' : 'published'], limit: opts.limit ?? 20 });
}

/** What the ticket's resolution said: the note of its last move to `resolved`. */
async function solutionOf(ctx: UseCaseContext, ticketId: string): Promise<string | undefined> {
  const events = await ctx.repos.tickets.listEvents(ticketId);
  return events.filter((e) => e.field === 'status' && e.to === 'resolved' && e.note?.trim()).at(-1)?.note ?? undefined;
}

/**
 * Publishes the fix of a resolved or closed ticket as a draft article and asks the requester
 * for consent; with `intoRef`, links the ticket to an existing article instead (another ticket
 * the same fix solved). A ticket feeds one article: publishing it again answers with that one.
 */
export async function publishArticle(
  ctx: UseCaseContext,
  ticketRef: string,
  intoRef?: string,
): Promise<{ readonly article: Article; readonly outcome: 'created' | 'linked' | 'existing' }> {
  const ticket = await findTicketOrThrow(ctx, ticketRef);
  if (!Policy.isWorker(ctx.actor, ticket)) throw new DomainError('not_owner', { ref: ticket.ref });
  if (ticket.status !== 'resolved' && ticket.status !== 'closed')
    throw new DomainError('not_publishable', { ref: ticket.ref, status: ticket.status });
  const repos = ctx.repos.community;
  const now = ctx.clock.now();
  const existing = await repos.findArticleOfTicket(ticket.id);
  if (existing) return { article: existing, outcome: 'existing' };
  if (intoRef) {
    const target = await findArticleOrThrow(ctx, intoRef);
    await repos.linkTicket(target.id, ticket.id, now);
    return { article: { ...target, ticketRefs: [...target.ticketRefs, ticket.ref] }, outcome: 'linked' };
  }
  const solution = await solutionOf(ctx, ticket.id);
  if (!solution) throw new DomainError('not_publishable', { ref: ticket.ref, status: ticket.status });

  const [org, comments] = await Promise.all([
    ctx.repos.people.findOrganisation(ticket.organisationId),
    ctx.repos.tickets.listComments(ticket.id),
  ]);
  const peopleIds = new Set([ticket.requesterId, ticket.assigneeId, ...comments.map((c) => c.authorId)].filter((x): x is string => !!x));
  const people = await Promise.all([...peopleIds].map((id) => ctx.repos.people.findPerson(id)));
  const names = {
    organisations: org ? [org.name] : [],
    people: people.flatMap((p) => (p ? [p.displayName, p.handle] : [])),
  };
  const title = titleFrom(anonymize(ticket.title, names));
  const body = `${anonymize(ticket.description, names)}\n\n${t(ctx.defaultLocale, 'kb.solution_heading')}\n${anonymize(solution, names)}`;
  const article = await repos.insertArticle({
    ref: await repos.nextRef('article'),
    title,
    body,
    tags: topicTags(`${ticket.title} ${ticket.description} ${solution}`),
    authorId: ctx.actor.personId,
    requesterId: ticket.requesterId,
    createdAt: now,
  });
  await repos.linkTicket(article.id, ticket.id, now);
  const draft = { ...article, ticketRefs: [ticket.ref] };
  await ctx.notifier.toPerson(ticket.requesterId, (l) => consentRequest(l, draft, ticket.ref), consentRef(article.ref));
  return { article: draft, outcome: 'created' };
}

/**
 * The requester's consent or refusal, or a moderator's approval. Whoever decides first wins;
 * the requester's consent message is edited to say how it ended, and a published article is
 * announced in the community channels.
 */
export async function decideArticle(ctx: UseCaseContext, typed: string, decision: 'consent' | 'refuse' | 'approve'): Promise<Article> {
  const article = await findArticleOrThrow(ctx, typed);
  if (decision === 'approve') CommunityPolicy.assertModerator(ctx.actor);
  else if (article.requesterId !== ctx.actor.personId) throw new DomainError('forbidden');
  const now = ctx.clock.now();
  const status = decision === 'refuse' ? 'declined' : 'published';
  const decided = await ctx.repos.community.decideArticle(article.id, status, ctx.actor.personId, now);
  if (!decided) throw new DomainError('already_decided', { ref: article.ref });
  if (decision === 'approve')
    await ctx.repos.community.recordModeration({
      targetRef: article.ref,
      action: 'approve',
      actorId: ctx.actor.personId,
      reason: '',
      details: {},
      at: now,
    });
  const ticketRef = decided.ticketRefs[0] ?? '—';
  if (decided.requesterId)
    await ctx.notifier.toPerson(decided.requesterId, (l) => consentRequest(l, decided, ticketRef, status), consentRef(decided.ref));
  if (status === 'published') {
    await ctx.notifier.toChannels('community', (l) => articleCard(l, decided), { ref: CardRef.article(decided.ref) });
    if (decided.authorId && decided.authorId !== ctx.actor.personId)
      await ctx.notifier.toPerson(decided.authorId, (l) => ({ text: t(l, 'kb.published_notice', { ref: decided.ref }) }));
  }
  return decided;
}

/**
 * An article written by staff (a known error's cause and workaround), published at once: nobody
 * else's words are in it, so no requester is asked. With `existingRef` (the one published
 * before) it is revised in place when the text changed, and left alone when it did not, so a
 * repeated command publishes nothing twice. Announced in the community channels (edited in place).
 */
export async function publishStaffArticle(
  ctx: UseCaseContext,
  input: { readonly title: string; readonly body: string; readonly existingRef?: string | null },
): Promise<{ readonly article: Article; readonly outcome: 'published' | 'revised' | 'unchanged' }> {
  const repos = ctx.repos.community;
  const now = ctx.clock.now();
  const title = input.title.trim().slice(0, 200);
  const body = input.body.trim();
  const tags = topicTags(`${title} ${body}`);
  const existing = input.existingRef ? await repos.findArticle(input.existingRef) : undefined;
  let article: Article;
  let outcome: 'published' | 'revised' | 'unchanged';
  if (existing) {
    if (existing.title === title && existing.body === body) return { article: existing, outcome: 'unchanged' };
    article = await repos.updateArticle(existing.id, { title, body, tags }, now);
    outcome = 'revised';
  } else {
    const draft = await repos.insertArticle({
      ref: await repos.nextRef('article'),
      title,
      body,
      tags,
      authorId: Actor.recordedId(ctx.actor),
      requesterId: null,
      createdAt: now,
    });
    article = (await repos.decideArticle(draft.id, 'published', Actor.recordedId(ctx.actor), now)) ?? draft;
    outcome = 'published';
  }
  if (article.status === 'published' && !article.hiddenAt)
    await ctx.notifier.toChannels('community', (l) => articleCard(l, article), { ref: CardRef.article(article.ref) });
  return { article, outcome };
}
