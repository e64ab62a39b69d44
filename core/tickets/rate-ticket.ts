import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { findTicketOrThrow } from './find-ticket.ts';

/** The requester rates the help 1–5 once the ticket is resolved or closed (may change it). */
export async function rateTicket(ctx: UseCaseContext, typedRef: string, stars: number): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  if (ticket.requesterId !== ctx.actor.personId) throw new DomainError('forbidden');
  if (!Number.isInteger(stars) || stars < 1 || stars > 5) throw new DomainError('invalid_input', { field: 'rating', max: 5 });
  if (ticket.status !== 'resolved' && ticket.status !== 'closed') throw new DomainError('not_rateable', { ref: ticket.ref });
  const now = ctx.clock.now();
  const updated = await ctx.repos.tickets.compareAndSet(
    ticket.id,
    { status: ticket.status, assigneeId: ticket.assigneeId },
    { rating: stars },
    now,
  );
  if (!updated) throw new DomainError('stale', { ref: ticket.ref });
  await ctx.repos.tickets.addEvents([
    {
      ticketId: ticket.id,
      actorId: Actor.recordedId(ctx.actor),
      at: now,
      field: 'rating',
      from: ticket.rating?.toString() ?? null,
      to: String(stars),
      note: null,
    },
  ]);
  return updated;
}
