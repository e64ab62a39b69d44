import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { type Ticket, TicketRef } from '../kernel/ticket.ts';
import { Policy } from './policy.ts';

/**
 * The ticket named by what the user typed, if the actor may see it. An unknown id and another
 * organisation's ticket give the same `not_found`, so ids reveal nothing.
 */
export async function findTicketOrThrow(ctx: UseCaseContext, typed: string): Promise<Ticket> {
  const ref = TicketRef.parse(typed);
  const ticket = ref ? await ctx.repos.tickets.findByRef(ref) : undefined;
  // Both refusals echo what was typed, in the same words: the answer says nothing about
  // whether another organisation has a ticket with that id.
  if (!ticket || !Policy.canRead(ctx.actor, ticket)) throw new DomainError('not_found', { ref: typed.trim().slice(0, 20) });
  return ticket;
}
