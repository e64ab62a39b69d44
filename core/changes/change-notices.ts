/**
 * Who hears about a change, and when: the approval request (privately to the organisation's ICT
 * leads — to the moderators when it has none — and in the committee channel when the committee
 * must or may approve), edited once decided; the requester and the owner told each outcome; the
 * committee asked to review an emergency change; the owners of the problems a change resolves.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { changeFacts } from './change-facts.ts';
import { approvalRequest, reviewRequest } from './change-replies.ts';
import { t } from './messages.ts';
import { type ChangeDetails, ChangeRules } from './model.ts';

/** The organisation's active ICT leads. */
export async function ictLeadsOf(ctx: UseCaseContext, organisationId: string): Promise<string[]> {
  const grants = await ctx.repos.people.listGrants({ role: 'ict_lead', activeOnly: true });
  return [...new Set(grants.filter((g) => g.organisationId === organisationId).map((g) => g.personId))];
}

const approvalRef = (ref: string) => `approval:${ref}`;
const reviewRef = (ref: string) => `review:${ref}`;

/**
 * Sends (or, by its stable reference, edits) the approval request: to the ICT leads privately —
 * to the moderators when the organisation has none —, and to the committee channel when the
 * committee must approve (shared infrastructure) or may (an emergency).
 */
export async function sendApprovalRequest(ctx: UseCaseContext, ticket: Ticket, details: ChangeDetails): Promise<void> {
  const facts = await changeFacts(ctx.repos, ticket);
  const compose = (l: Locale) => approvalRequest(l, facts);
  const leads = await ictLeadsOf(ctx, ticket.organisationId);
  const people = leads.length ? leads : (await ctx.repos.people.listPeopleWithRole('moderator')).map((p) => p.id);
  for (const id of people) await ctx.notifier.toPerson(id, compose, approvalRef(ticket.ref));
  if (ChangeRules.requiredSlots(details).includes('committee'))
    await ctx.notifier.toChannels('committee', compose, { ref: approvalRef(ticket.ref) });
}

/** The committee's review request after an emergency change, or (edited) the review done. */
export async function sendReviewRequest(ctx: UseCaseContext, ticket: Ticket): Promise<void> {
  const facts = await changeFacts(ctx.repos, ticket);
  await ctx.notifier.toChannels('committee', (l) => reviewRequest(l, facts), { ref: reviewRef(ticket.ref) });
}

/** Tells the requester and the owner (not whoever acted). */
export async function tellRequesterAndOwner(ctx: UseCaseContext, ticket: Ticket, compose: (l: Locale) => OutMessage): Promise<void> {
  const people = new Set([ticket.requesterId, ...(ticket.assigneeId ? [ticket.assigneeId] : [])]);
  people.delete(ctx.actor.personId);
  for (const id of people) await ctx.notifier.toPerson(id, compose);
}

/**
 * After a change is implemented: each problem it is linked to can now be resolved. Its owner is
 * told privately (the volunteers channel when it has none), with the button the problems feature
 * answers (`problem.resolve_by_change`, value `PRB-…:RFC-…`).
 */
export async function tellLinkedProblems(ctx: UseCaseContext, ticket: Ticket): Promise<number> {
  const problems = await ctx.repos.changes.linkedProblems(ticket.id);
  for (const p of problems) {
    const compose = (l: Locale): OutMessage => ({
      text: t(l, 'change.notice.problem_resolvable', { ref: ticket.ref, problem: p.ref, title: neutralizeMentions(p.title) }),
      buttons: [
        {
          actionId: 'problem.resolve_by_change',
          value: `${p.ref}:${ticket.ref}`,
          label: t(l, 'change.button.resolve_problem', { problem: p.ref }),
          style: 'primary',
        },
      ],
    });
    if (p.ownerId) await ctx.notifier.toPerson(p.ownerId, compose);
    else await ctx.notifier.toChannels('volunteers', compose, { organisationId: p.organisationId ?? ticket.organisationId });
  }
  return problems.length;
}
