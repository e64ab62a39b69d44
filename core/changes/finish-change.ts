/**
 * The end of a change's work: implemented (with its outcome) or failed (with what went wrong and
 * how it was backed out). Either way the silences of its window end at that moment (the future
 * ones go), so the alerts of its items are live again; an implemented emergency change goes to
 * the committee for review, and the owners of the problems it is linked to are told they can
 * now resolve them.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { TicketStateMachine } from '../tickets/ticket-status.ts';
import { sendReviewRequest, tellLinkedProblems, tellRequesterAndOwner } from './change-notices.ts';
import { ChangePolicy } from './change-policy.ts';
import { findChangeOrThrow, moveChange } from './find-change.ts';
import { t } from './messages.ts';

const TEXT_MAX = 1000;

export async function implementChange(
  ctx: UseCaseContext,
  typedRef: string,
  outcomeTyped: string,
): Promise<{ ticket: Ticket; problems: number }> {
  const outcome = outcomeTyped.trim();
  if (outcome.length > TEXT_MAX) throw new DomainError('invalid_input', { field: 'comment', max: TEXT_MAX });
  const ticket = await findChangeOrThrow(ctx, typedRef);
  ChangePolicy.assertOwner(ctx.actor, ticket);
  TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, 'implement');
  const now = ctx.clock.now();
  if (outcome) await ctx.repos.changes.setOutcome(ticket.id, outcome, null, now);
  const updated = await moveChange(ctx, ticket, 'implement', outcome || null);
  await ctx.repos.monitoring.endChangeSilences(ticket.id, now);
  const details = await ctx.repos.changes.findDetails(ticket.id);
  if (details?.changeType === 'emergency') await sendReviewRequest(ctx, updated);
  const name = ctx.actor.displayName;
  await tellRequesterAndOwner(ctx, updated, (l) => ({
    text: t(l, 'change.notice.implemented', { ref: updated.ref, title: updated.title, name, note: outcome ? `: «${outcome}»` : '' }),
  }));
  const problems = await tellLinkedProblems(ctx, updated);
  return { ticket: updated, problems };
}

/** `reasonTyped` is "what went wrong [| how it was backed out]"; without the back-out, the reason stands for both. */
export async function failChange(ctx: UseCaseContext, typedRef: string, reasonTyped: string): Promise<Ticket> {
  const [reasonPart = '', ...rest] = reasonTyped.split('|');
  const reason = reasonPart.trim();
  const backout = rest.join('|').trim() || reason;
  if (!reason || reasonTyped.length > TEXT_MAX) throw new DomainError('invalid_input', { field: 'reason', max: TEXT_MAX });
  const ticket = await findChangeOrThrow(ctx, typedRef);
  ChangePolicy.assertOwner(ctx.actor, ticket);
  TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, 'fail');
  const now = ctx.clock.now();
  await ctx.repos.changes.setOutcome(ticket.id, reason, backout, now);
  const updated = await moveChange(ctx, ticket, 'fail', reason, { patch: { closedAt: now } });
  await ctx.repos.monitoring.endChangeSilences(ticket.id, now);
  await tellRequesterAndOwner(ctx, updated, (l) => ({
    text: t(l, 'change.notice.failed', { ref: updated.ref, title: updated.title, note: reason }),
  }));
  return updated;
}
