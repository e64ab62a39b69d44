import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { findTicketOrThrow } from './find-ticket.ts';

/**
 * The owner of a resolved ticket says how long it took (may correct it); the reports' volunteer
 * hours add these up, so a ticket nobody answered for counts as "time not given", never a guess.
 */
export async function recordEffort(ctx: UseCaseContext, typedRef: string, minutes: number): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  if (ticket.assigneeId !== ctx.actor.personId && !Actor.isStaff(ctx.actor)) throw new DomainError('not_owner', { ref: ticket.ref });
  if (ticket.status !== 'resolved' && ticket.status !== 'closed')
    throw new DomainError('illegal_transition', { action: 'effort', status: ticket.status });
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 10_080)
    throw new DomainError('invalid_input', { field: 'effort', max: 10_080 });
  await ctx.repos.tickets.setEffort(ticket.id, minutes);
  await ctx.repos.tickets.addEvents([
    {
      ticketId: ticket.id,
      actorId: Actor.recordedId(ctx.actor),
      at: ctx.clock.now(),
      field: 'effort',
      from: null,
      to: String(minutes),
      note: null,
    },
  ]);
  return ticket;
}
