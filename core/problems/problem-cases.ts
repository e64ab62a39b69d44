/**
 * The problem's use cases: open it (typed, from a ticket, from a suggestion), link incidents and
 * changes, take it, record its cause, declare the known error (the requesters of the open linked
 * incidents are told the workaround, once per ticket, and it is published as an article), resolve
 * it (only once its linked changes are implemented; the requesters are told) and close it.
 */
import { anonymize } from '../community/community-text.ts';
import { publishStaffArticle } from '../community/knowledge-base.ts';
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { isOpen, type Ticket, TicketRef } from '../kernel/ticket.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { announceTicket } from '../tickets/ticket-notices.ts';
import { t } from './messages.ts';
import {
  OPEN_PROBLEM_STATUSES,
  type Problem,
  type ProblemAction,
  type ProblemEvent,
  ProblemRef,
  ProblemStateMachine,
  type ProblemStatus,
} from './model.ts';
import type { LinkedTicket, ProblemPatch } from './ports.ts';
import { ProblemPolicy } from './problem-policy.ts';

export const TITLE_MAX = 200;
export const TEXT_MAX = 4000;

/** The text typed for `field`, trimmed; refused when empty or too long. */
export function checkText(text: string, field: string, max = TEXT_MAX): string {
  const s = text.trim();
  if (!s) throw new DomainError('text_empty', { field });
  if (s.length > max) throw new DomainError('text_too_long', { max, n: s.length });
  return s;
}

/** The problem named by what was typed; only for those who work problems. */
export async function findProblemOrThrow(ctx: UseCaseContext, typed: string): Promise<Problem> {
  ProblemPolicy.assertWorker(ctx.actor);
  const ref = ProblemRef.parse(typed);
  const problem = ref ? await ctx.repos.problems.findByRef(ref) : undefined;
  if (!problem) throw new DomainError('problem_not_found', { ref: typed.trim().slice(0, 20) });
  return problem;
}

function event(
  ctx: UseCaseContext,
  problem: Problem,
  field: string,
  from: string | null,
  to: string | null,
  note: string | null = null,
): ProblemEvent {
  return { problemId: problem.id, actorId: Actor.recordedId(ctx.actor), at: ctx.clock.now(), field, from, to, note };
}

/**
 * Applies an action's move and `patch` as one compare-and-set on the status it was read in, with
 * its history; a problem moved meanwhile answers `problem_state` with where it stands now.
 */
async function move(
  ctx: UseCaseContext,
  problem: Problem,
  action: ProblemAction,
  patch: ProblemPatch,
  events: readonly ProblemEvent[] = [],
): Promise<Problem> {
  const to = ProblemStateMachine.nextOrThrow(problem, action);
  const updated = await ctx.repos.problems.update(problem.id, [problem.status], { ...patch, status: to }, ctx.clock.now());
  if (!updated) {
    const now = (await ctx.repos.problems.findById(problem.id)) ?? problem;
    throw new DomainError('problem_state', { action: `problem_${action}`, ref: problem.ref, status: now.status });
  }
  const history = to === problem.status ? [] : [event(ctx, problem, 'status', problem.status, to)];
  await ctx.repos.problems.addEvents([...history, ...events]);
  return updated;
}

export interface NewProblemInput {
  readonly title: string;
  readonly description?: string;
  /** Null: every organisation. */
  readonly organisationId: string | null;
  readonly category?: string | null;
  readonly configurationItemId?: string | null;
}

export async function openProblem(ctx: UseCaseContext, input: NewProblemInput): Promise<Problem> {
  ProblemPolicy.assertWorker(ctx.actor);
  const title = checkText(input.title, 'title', TITLE_MAX);
  const repos = ctx.repos.problems;
  const problem = await repos.insert({
    ref: await repos.nextRef(),
    organisationId: input.organisationId,
    title,
    description: input.description?.trim() ?? '',
    category: input.category ?? null,
    configurationItemId: input.configurationItemId ?? null,
    createdBy: Actor.recordedId(ctx.actor),
    createdAt: ctx.clock.now(),
  });
  await repos.addEvents([event(ctx, problem, 'status', null, 'new')]);
  return problem;
}

/** A problem from a ticket: its title, organisation, configuration item and category; the ticket linked. */
export async function openProblemFromTicket(ctx: UseCaseContext, typedTicket: string): Promise<{ problem: Problem; ticket: Ticket }> {
  ProblemPolicy.assertWorker(ctx.actor);
  const ticket = await findTicketOrThrow(ctx, typedTicket);
  const already = await ctx.repos.problems.problemOfTicket(ticket.id);
  if (already) throw new DomainError('already_linked', { ref: ticket.ref, problem: already.ref });
  const problem = await openProblem(ctx, {
    title: ticket.title,
    description: ticket.description,
    organisationId: ticket.organisationId,
    category: ticket.category,
    configurationItemId: ticket.configurationItemId,
  });
  await linkTicketTo(ctx, problem, ticket);
  return { problem, ticket };
}

export interface LinkOutcome {
  readonly problem: Problem;
  readonly ticket: Ticket;
  /** Its requester was told the known error's workaround now. */
  readonly told: boolean;
}

/** `collega INC-… PRB-…` (or the card's button): a ticket belongs to at most one problem. */
export async function linkTicket(ctx: UseCaseContext, typedTicket: string, typedProblem: string): Promise<LinkOutcome> {
  const found = await findProblemOrThrow(ctx, typedProblem);
  const ticket = await findTicketOrThrow(ctx, typedTicket);
  ProblemPolicy.assertWorker(ctx.actor);
  const problem = (await ctx.repos.problems.lock(found.id)) ?? found;
  ProblemStateMachine.nextOrThrow(problem, 'link');
  return linkTicketTo(ctx, problem, ticket);
}

async function linkTicketTo(ctx: UseCaseContext, problem: Problem, ticket: Ticket): Promise<LinkOutcome> {
  const repos = ctx.repos.problems;
  const now = ctx.clock.now();
  if (!(await repos.link(problem.id, ticket.id, Actor.recordedId(ctx.actor), now))) {
    const other = await repos.problemOfTicket(ticket.id);
    throw new DomainError('already_linked', { ref: ticket.ref, problem: other?.ref ?? problem.ref });
  }
  const events = [event(ctx, problem, 'link', null, ticket.ref)];
  let current = problem;
  // Another organisation's incident: the problem now spans organisations.
  if (problem.organisationId !== null && problem.organisationId !== ticket.organisationId) {
    current = (await repos.update(problem.id, [problem.status], { organisationId: null }, now)) ?? problem;
    events.push(event(ctx, problem, 'organisation', problem.organisationId, ticket.ref));
  }
  await repos.addEvents(events);
  const told = current.status === 'known_error' && current.workaround ? await tellWorkaround(ctx, current, ticket) : false;
  // Its card loses the link buttons.
  if (ticket.kind !== 'change') await announceTicket(ctx, ticket);
  return { problem: current, ticket, told };
}

/** `indaga PRB-…`: the actor takes the problem; a new one is now under investigation. */
export async function investigateProblem(ctx: UseCaseContext, typed: string): Promise<Problem> {
  const problem = await findProblemOrThrow(ctx, typed);
  ProblemPolicy.assertMove(ctx.actor, problem);
  if (problem.ownerId === ctx.actor.personId && problem.status !== 'new') return problem;
  const owner = Actor.isSystem(ctx.actor) ? problem.ownerId : ctx.actor.personId;
  return move(ctx, problem, 'investigate', { ownerId: owner }, [event(ctx, problem, 'owner', problem.ownerId, ctx.actor.displayName)]);
}

/** `causa PRB-… <testo>`: the root cause found (it may be revised while the problem is open). */
export async function setRootCause(ctx: UseCaseContext, typed: string, text: string): Promise<Problem> {
  const problem = await findProblemOrThrow(ctx, typed);
  ProblemPolicy.assertMove(ctx.actor, problem);
  const cause = checkText(text, 'description');
  return move(ctx, problem, 'set_cause', { rootCause: cause }, [event(ctx, problem, 'root_cause', problem.rootCause, cause)]);
}

const ticketNoticeRef = (problem: Problem, kind: 'workaround' | 'resolution', ticket: Ticket) =>
  `problem-${kind}:${problem.ref}:${ticket.ref}`;

/** Whether the requester of `ticket` was already told this problem's `kind`: once per problem and ticket. */
async function toldAlready(ctx: UseCaseContext, problem: Problem, field: string, ticket: Ticket): Promise<boolean> {
  return (await ctx.repos.problems.listEvents(problem.id)).some((e) => e.field === field && e.to === ticket.ref);
}

/** The workaround, privately, to the requester of an open incident; false when told before or closed. */
async function tellWorkaround(ctx: UseCaseContext, problem: Problem, ticket: Ticket): Promise<boolean> {
  if (ticket.kind === 'change' || !isOpen(ticket.status) || !problem.workaround) return false;
  if (await toldAlready(ctx, problem, 'told_workaround', ticket)) return false;
  const workaround = problem.workaround;
  await ctx.notifier.toPerson(
    ticket.requesterId,
    (l) => ({ text: t(l, 'prb.notice.workaround', { ticket: ticket.ref, title: ticket.title, ref: problem.ref, workaround }) }),
    ticketNoticeRef(problem, 'workaround', ticket),
  );
  await ctx.repos.problems.addEvents([event(ctx, problem, 'told_workaround', null, ticket.ref)]);
  return true;
}

/**
 * The article of a known error: its title, cause and workaround, written by staff and published
 * at once to every organisation. A problem's title is often an incident's (`problema da INC-…`)
 * or names the organisation (a suggestion's), so the text is anonymised as the articles drawn
 * from tickets are: the organisations' and the requesters' names of its linked tickets, e-mails
 * and phones masked.
 */
async function articleText(ctx: UseCaseContext, problem: Problem): Promise<{ title: string; body: string }> {
  const l = ctx.defaultLocale;
  const linked = (await ctx.repos.problems.linkedTickets(problem.id)).map((x) => x.ticket);
  const orgIds = new Set([...(problem.organisationId ? [problem.organisationId] : []), ...linked.map((x) => x.organisationId)]);
  const [orgs, people] = await Promise.all([
    Promise.all([...orgIds].map((id) => ctx.repos.people.findOrganisation(id))),
    Promise.all([...new Set(linked.map((x) => x.requesterId))].map((id) => ctx.repos.people.findPerson(id))),
  ]);
  const names = {
    organisations: orgs.flatMap((o) => (o ? [o.name] : [])),
    people: people.flatMap((p) => (p ? [p.displayName, p.handle] : [])),
  };
  const parts = [];
  if (problem.rootCause) parts.push(`${t(l, 'prb.kb_cause')}\n${anonymize(problem.rootCause, names)}`);
  parts.push(`${t(l, 'prb.kb_workaround')}\n${anonymize(problem.workaround ?? '', names)}`);
  return { title: `${problem.ref}: ${anonymize(problem.title, names)}`, body: parts.join('\n\n') };
}

export interface KnownErrorOutcome {
  readonly problem: Problem;
  /** Requesters told now (a retry tells nobody twice). */
  readonly told: number;
  readonly articleRef: string;
}

/**
 * `errorenoto PRB-… <soluzione temporanea>`: the problem becomes a known error (again, to revise
 * the workaround); every open linked incident's requester is told once, and the article is
 * published, or revised when the text changed.
 */
export async function declareKnownError(ctx: UseCaseContext, typed: string, text: string): Promise<KnownErrorOutcome> {
  const found = await findProblemOrThrow(ctx, typed);
  ProblemPolicy.assertMove(ctx.actor, found);
  const workaround = checkText(text, 'description');
  // Serialises with links and retries: the told-once check below sees the other's events.
  const problem = (await ctx.repos.problems.lock(found.id)) ?? found;
  const now = ctx.clock.now();
  const changed = problem.workaround !== workaround;
  let current = await move(
    ctx,
    problem,
    'known_error',
    { workaround, ...(problem.knownErrorAt ? {} : { knownErrorAt: now }) },
    changed ? [event(ctx, problem, 'workaround', problem.workaround, workaround)] : [],
  );
  const { article, outcome } = await publishStaffArticle(ctx, { ...(await articleText(ctx, current)), existingRef: current.kbArticleRef });
  if (outcome === 'published') {
    current = (await ctx.repos.problems.update(current.id, [current.status], { kbArticleId: article.id }, now)) ?? current;
    await ctx.repos.problems.addEvents([event(ctx, current, 'kb_article', null, article.ref)]);
  }
  let told = 0;
  for (const { ticket } of await ctx.repos.problems.linkedTickets(current.id)) if (await tellWorkaround(ctx, current, ticket)) told++;
  return { problem: current, told, articleRef: article.ref };
}

/** A linked change not done yet (neither implemented nor ended some other way) keeps the problem open. */
function pendingChange(linked: readonly LinkedTicket[]): Ticket | undefined {
  return linked.map((x) => x.ticket).find((x) => x.kind === 'change' && isOpen(x.status));
}

export interface ResolveOutcome {
  readonly problem: Problem;
  readonly told: number;
}

/**
 * `risolvi PRB-… <soluzione>`: refused while a linked change is not implemented. The requesters of
 * the open linked incidents are told, and each incident gets a public comment with the solution
 * (it stays its owner's to resolve and its requester's to confirm).
 */
export async function resolveProblem(
  ctx: UseCaseContext,
  typed: string,
  text: string,
  opts: { readonly byChange?: boolean } = {},
): Promise<ResolveOutcome> {
  const found = await findProblemOrThrow(ctx, typed);
  // The implemented change is the proof: whoever gets its button may resolve, not only the owner.
  if (!opts.byChange) ProblemPolicy.assertMove(ctx.actor, found);
  const resolution = checkText(text, 'description');
  const problem = (await ctx.repos.problems.lock(found.id)) ?? found;
  ProblemStateMachine.nextOrThrow(problem, 'resolve');
  const linked = await ctx.repos.problems.linkedTickets(problem.id);
  const change = pendingChange(linked);
  if (change) throw new DomainError('change_not_implemented', { ref: problem.ref, change: change.ref });
  const now = ctx.clock.now();
  const resolved = await move(ctx, problem, 'resolve', { resolution, resolvedAt: now }, [
    event(ctx, problem, 'resolution', problem.resolution, resolution),
  ]);
  let told = 0;
  const authorId = Actor.recordedId(ctx.actor);
  for (const { ticket } of linked) {
    if (ticket.kind === 'change' || !isOpen(ticket.status)) continue;
    if (await toldAlready(ctx, resolved, 'told_resolution', ticket)) continue;
    if (authorId)
      await ctx.repos.tickets.addComment({
        ticketId: ticket.id,
        authorId,
        body: t(ctx.defaultLocale, 'prb.comment_resolved', { ref: resolved.ref, resolution }),
        internal: false,
        createdAt: now,
      });
    await ctx.notifier.toPerson(
      ticket.requesterId,
      (l) => ({ text: t(l, 'prb.notice.resolved', { ticket: ticket.ref, title: ticket.title, ref: resolved.ref, resolution }) }),
      ticketNoticeRef(resolved, 'resolution', ticket),
    );
    await ctx.repos.problems.addEvents([event(ctx, resolved, 'told_resolution', null, ticket.ref)]);
    told++;
  }
  return { problem: resolved, told };
}

/**
 * The button sent when a change linked to the problem is implemented (`PRB-…:RFC-…`): resolves
 * the problem with the change's outcome (or its title) as the solution.
 */
export async function resolveByChange(ctx: UseCaseContext, typedProblem: string, typedChange: string): Promise<ResolveOutcome> {
  const problem = await findProblemOrThrow(ctx, typedProblem);
  const changeRef = TicketRef.parse(typedChange);
  const linked = await ctx.repos.problems.linkedTickets(problem.id);
  const change = linked.find((x) => x.ticket.ref === changeRef && x.ticket.kind === 'change');
  if (!change) throw new DomainError('not_found', { ref: typedChange.trim().slice(0, 20) });
  if (change.ticket.status !== 'implemented' && change.ticket.status !== 'closed')
    throw new DomainError('change_not_implemented', { ref: problem.ref, change: change.ticket.ref });
  const outcome = change.changeOutcome?.trim() || change.ticket.title;
  return resolveProblem(ctx, problem.ref, t(ctx.defaultLocale, 'prb.by_change', { change: change.ticket.ref, outcome }), {
    byChange: true,
  });
}

/** `chiudi PRB-…`. */
export async function closeProblem(ctx: UseCaseContext, typed: string): Promise<Problem> {
  const problem = await findProblemOrThrow(ctx, typed);
  ProblemPolicy.assertMove(ctx.actor, problem);
  return move(ctx, problem, 'close', { closedAt: ctx.clock.now() });
}

/** The open problems (or every one, or those in one status), newest first. */
export async function listProblems(
  ctx: UseCaseContext,
  filter: { readonly all?: boolean; readonly status?: ProblemStatus; readonly limit?: number } = {},
): Promise<Problem[]> {
  ProblemPolicy.assertWorker(ctx.actor);
  const statuses = filter.status ? [filter.status] : filter.all ? undefined : OPEN_PROBLEM_STATUSES;
  return ctx.repos.problems.list({ ...(statuses ? { statuses } : {}), limit: filter.limit ?? 50 });
}
