import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { forChannel } from '../kernel/sanitize.ts';
import { isFinal, type Ticket } from '../kernel/ticket.ts';
import { rescheduleSla } from '../sla/sla-events.ts';
import { findTicketOrThrow } from './find-ticket.ts';
import { t } from './messages.ts';
import { Policy } from './policy.ts';
import { cardRef } from './ticket-card.ts';

export const COMMENT_MAX = 4000;

/**
 * Adds a comment. A public comment reaches the other side: the requester side's goes to the owner
 * (or, while unclaimed, under the card in the volunteers channel, masked); the owner's goes to
 * the requester. An internal note stays with the workers. A requester answering a ticket on
 * hold puts it back in progress, so the SLA clock resumes.
 */
export async function addComment(ctx: UseCaseContext, typedRef: string, body: string, internal = false): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  Policy.assertComment(ctx.actor, ticket, internal);
  const text = body.trim();
  if (!text || text.length > COMMENT_MAX) throw new DomainError('invalid_input', { field: 'comment', max: COMMENT_MAX });
  if (isFinal(ticket.status)) throw new DomainError('illegal_transition', { action: 'comment', status: ticket.status });

  const now = ctx.clock.now();
  await ctx.repos.tickets.addComment({ ticketId: ticket.id, authorId: ctx.actor.personId, body: text, internal, createdAt: now });
  if (internal) return ticket;

  const who = ctx.actor.displayName;
  // The requester's side: the requester, and members of their organisation (its ICT lead)
  // who are not working the ticket. Their words go to the owner; the workers' to the requester.
  const fromRequester =
    ticket.requesterId === ctx.actor.personId ||
    (!Policy.isWorker(ctx.actor, ticket) && Actor.organisations(ctx.actor).includes(ticket.organisationId));
  let current = ticket;
  if (fromRequester && ticket.status === 'pending' && ticket.pendingOn === 'requester') {
    current =
      (await ctx.repos.tickets.compareAndSet(
        ticket.id,
        { status: 'pending', assigneeId: ticket.assigneeId },
        { status: 'in_progress', pendingOn: null },
        now,
      )) ?? ticket;
    if (current !== ticket) {
      await ctx.repos.tickets.addEvents([
        {
          ticketId: ticket.id,
          actorId: Actor.recordedId(ctx.actor),
          at: now,
          field: 'status',
          from: 'pending',
          to: 'in_progress',
          note: 'requester replied',
        },
      ]);
      await rescheduleSla(ctx, current);
    }
  }
  if (fromRequester && ticket.assigneeId) {
    await ctx.notifier.toPerson(ticket.assigneeId, (l) => ({ text: t(l, 'notice.comment', { ref: ticket.ref, name: who, body: text }) }));
  } else if (fromRequester) {
    await ctx.notifier.toChannels(
      'volunteers',
      // A shared channel: no requester name, masked body.
      (l) => ({ text: t(l, 'notice.requester_comment', { ref: ticket.ref, body: forChannel(text, 500) }) }),
      { organisationId: ticket.organisationId, threadRef: cardRef(ticket) },
    );
  } else if (ticket.requesterId !== ctx.actor.personId) {
    await ctx.notifier.toPerson(ticket.requesterId, (l) => ({ text: t(l, 'notice.comment', { ref: ticket.ref, name: who, body: text }) }));
  }
  return current;
}
