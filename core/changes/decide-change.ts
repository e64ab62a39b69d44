/**
 * Approving and rejecting a change, one decision per approver slot: the organisation's ICT lead
 * (a moderator standing in when it has none, and for emergencies) and the committee. A normal
 * change is approved once every required slot approved, an emergency one with the first
 * approval; any rejection rejects it. After an emergency change is implemented, a committee
 * member's approval is the review. A second decision on a slot, or on a decided change, is
 * `already_decided`; a change not submitted yet refuses with the state machine's message.
 */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { ictLeadsOf, sendApprovalRequest, sendReviewRequest, tellRequesterAndOwner } from './change-notices.ts';
import { ChangePolicy } from './change-policy.ts';
import { approversText, slotsText } from './change-replies.ts';
import { findChangeOrThrow, moveChange } from './find-change.ts';
import { t } from './messages.ts';
import { type ApprovalDecision, type ApprovalSlot, type ChangeDetails, ChangeRules } from './model.ts';

const UNSUBMITTED = ['new', 'assigned', 'in_progress', 'pending'];
const NOTE_MAX = 500;

export type DecisionResult =
  | {
      readonly kind: 'decided';
      readonly ticket: Ticket;
      readonly slot: ApprovalSlot;
      readonly outcome: 'approved' | 'rejected' | 'pending';
      readonly missing: readonly ApprovalSlot[];
    }
  | { readonly kind: 'reviewed'; readonly ticket: Ticket };

interface Checked {
  readonly ticket: Ticket;
  readonly details: ChangeDetails;
  /** The slot the actor decides, or 'review' for an implemented emergency change. */
  readonly slot: ApprovalSlot | 'review';
}

function illegal(ticket: Ticket, decision: ApprovalDecision): DomainError {
  return new DomainError('illegal_transition', { action: decision === 'approved' ? 'approve' : 'reject', status: ticket.status });
}

/** Everything that can refuse a decision, checked before anything is written (a button asks the reason only if the decision can apply). */
export async function checkChangeDecision(ctx: UseCaseContext, typedRef: string, decision: ApprovalDecision): Promise<Checked> {
  const ticket = await findChangeOrThrow(ctx, typedRef);
  const details = await ctx.repos.changes.findDetails(ticket.id);
  if (!details || UNSUBMITTED.includes(ticket.status)) throw illegal(ticket, decision);

  if (details.changeType === 'emergency' && ticket.status === 'implemented' && decision === 'approved') {
    if (!Actor.has(ctx.actor, 'committee'))
      throw new DomainError('not_approver', { ref: ticket.ref, who: t(ctx.actor.locale, 'change.slot.committee') });
    if (details.reviewedAt) throw new DomainError('already_decided', { ref: ticket.ref });
    return { ticket, details, slot: 'review' };
  }

  const hasLead = (await ictLeadsOf(ctx, ticket.organisationId)).length > 0;
  const required = ChangeRules.requiredSlots(details);
  const mine = ChangePolicy.slots(ctx.actor, ticket, details, hasLead).filter((s) => required.includes(s));
  if (mine.length === 0) throw new DomainError('not_approver', { ref: ticket.ref, who: approversText(ctx.actor.locale, details) });
  if (ticket.status !== 'awaiting_approval') {
    const decided = (await ctx.repos.changes.listApprovals(ticket.id)).length > 0 || details.changeType === 'standard';
    throw decided ? new DomainError('already_decided', { ref: ticket.ref }) : illegal(ticket, decision);
  }
  const approvals = await ctx.repos.changes.listApprovals(ticket.id);
  const open = mine.filter((s) => !approvals.some((a) => a.slot === s));
  const slot = open[0];
  if (!slot) throw new DomainError('already_decided', { ref: ticket.ref });
  return { ticket, details, slot };
}

export async function decideChange(
  ctx: UseCaseContext,
  typedRef: string,
  decision: ApprovalDecision,
  noteTyped: string,
): Promise<DecisionResult> {
  const note = noteTyped.trim();
  if (note.length > NOTE_MAX || (decision === 'rejected' && !note))
    throw new DomainError('invalid_input', { field: 'reason', max: NOTE_MAX });
  const { ticket, details, slot } = await checkChangeDecision(ctx, typedRef, decision);
  const now = ctx.clock.now();
  if (slot === 'review') return review(ctx, ticket, note, now);

  const added = await ctx.repos.changes.addApproval({
    ticketId: ticket.id,
    slot,
    decision,
    approverId: ctx.actor.personId,
    note: note || null,
    at: now,
  });
  if (!added) throw new DomainError('already_decided', { ref: ticket.ref });
  const approvals = await ctx.repos.changes.listApprovals(ticket.id);
  const outcome = ChangeRules.outcome(details, approvals);
  const missing = ChangeRules.requiredSlots(details).filter((s) => !approvals.some((a) => a.slot === s));
  const event = { field: 'approval', from: null, to: `${slot}:${decision}`, note: note || null };
  const updated =
    outcome === 'pending'
      ? await moveChange(ctx, ticket, undefined, null, { extra: [event] })
      : await moveChange(ctx, ticket, outcome === 'approved' ? 'approve' : 'reject', note || null, { extra: [event] });
  await sendApprovalRequest(ctx, updated, details);

  const name = ctx.actor.displayName;
  const { title, ref } = updated;
  await tellRequesterAndOwner(ctx, updated, (l) => ({
    text:
      outcome === 'pending'
        ? t(l, 'change.notice.approved_partial', { name, ref, slot: slotsText(l, [slot]), missing: slotsText(l, missing) })
        : outcome === 'approved'
          ? t(l, 'change.notice.approved', { ref, title, name, note: note ? `: «${note}»` : '' })
          : t(l, 'change.notice.rejected', { ref, title, name, note }),
  }));
  return { kind: 'decided', ticket: updated, slot, outcome, missing };
}

/** The committee's review of an implemented emergency change, recorded once. */
async function review(ctx: UseCaseContext, ticket: Ticket, note: string, now: Date): Promise<DecisionResult> {
  if (!(await ctx.repos.changes.recordReview(ticket.id, ctx.actor.personId, note || null, now)))
    throw new DomainError('already_decided', { ref: ticket.ref });
  const updated = await moveChange(ctx, ticket, undefined, null, {
    extra: [{ field: 'review', from: null, to: 'reviewed', note: note || null }],
  });
  await sendReviewRequest(ctx, updated);
  await tellRequesterAndOwner(ctx, updated, (l) => ({
    text: t(l, 'change.review.done', { ref: updated.ref, name: ctx.actor.displayName, note: note ? ` «${note}»` : '' }),
  }));
  return { kind: 'reviewed', ticket: updated };
}
