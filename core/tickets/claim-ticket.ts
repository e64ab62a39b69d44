import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { rescheduleSla } from '../sla/sla-events.ts';
import { findTicketOrThrow } from './find-ticket.ts';
import { t } from './messages.ts';
import { Policy } from './policy.ts';
import { announceTicket, sendDetailsToOwner } from './ticket-notices.ts';

/**
 * A volunteer takes a new ticket. Atomic: the status/assignee compare-and-set lets exactly one
 * of any number of simultaneous claims win; the others get `already_claimed` naming the owner.
 * The card is edited to show the owner, the requester is told, the owner gets the details.
 */
export async function claimTicket(ctx: UseCaseContext, typedRef: string): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  Policy.assertClaim(ctx.actor, ticket);
  const now = ctx.clock.now();
  const claimed =
    ticket.status === 'new' && ticket.assigneeId === null
      ? await ctx.repos.tickets.compareAndSet(
          ticket.id,
          { status: 'new', assigneeId: null },
          { status: 'assigned', assigneeId: ctx.actor.personId },
          now,
        )
      : undefined;
  if (!claimed) {
    const current = (await ctx.repos.tickets.findById(ticket.id)) ?? ticket;
    if (current.assigneeId === ctx.actor.personId) return current;
    const owner = current.assigneeId ? await ctx.repos.people.findPerson(current.assigneeId) : undefined;
    if (owner) throw new DomainError('already_claimed', { ref: current.ref, name: owner.displayName });
    throw new DomainError('illegal_transition', { action: 'claim', status: current.status });
  }
  await ctx.repos.tickets.addEvents([
    { ticketId: ticket.id, actorId: Actor.recordedId(ctx.actor), at: now, field: 'status', from: 'new', to: 'assigned', note: null },
    {
      ticketId: ticket.id,
      actorId: Actor.recordedId(ctx.actor),
      at: now,
      field: 'assignee',
      from: null,
      to: ctx.actor.personId,
      note: null,
    },
  ]);
  await rescheduleSla(ctx, claimed);
  await announceTicket(ctx, claimed);
  await sendDetailsToOwner(ctx, claimed, ctx.actor.personId);
  await ctx.notifier.toPerson(claimed.requesterId, (locale) => ({
    text: t(locale, 'notice.claimed', { ref: claimed.ref, name: ctx.actor.displayName }),
  }));
  return claimed;
}
