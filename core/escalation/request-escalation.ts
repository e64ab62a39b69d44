import { DomainError } from '../kernel/errors.ts';
import { Actor } from '../kernel/actor.ts';
import { isFinal, type Ticket } from '../kernel/ticket.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { ESCALATION_FIELD } from './sla-notices.ts';

/**
 * The requester (or the org's ICT lead, or a moderator) accepts the offer to hand a ticket to
 * the vendor tier. The vendor flow comes later: for now the request is recorded in the ticket's
 * history (`escalation: offered → requested`), once, for the moderators to act on.
 *
 * @returns `already: true` when the request had been recorded before (nothing is written).
 */
export async function requestEscalation(ctx: UseCaseContext, typedRef: string): Promise<{ ticket: Ticket; already: boolean }> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  const a = ctx.actor;
  const requesterSide =
    ticket.requesterId === a.personId || a.roles.some((r) => r.role === 'ict_lead' && r.organisationId === ticket.organisationId);
  if (!requesterSide && !Actor.isStaff(a)) throw new DomainError('forbidden');
  if (isFinal(ticket.status)) throw new DomainError('illegal_transition', { action: 'escalate', status: ticket.status });
  const history = (await ctx.repos.tickets.listEvents(ticket.id)).filter((e) => e.field === ESCALATION_FIELD);
  if (ticket.tier === 'vendor' || history.some((e) => e.to === 'requested')) return { ticket, already: true };
  await ctx.repos.tickets.addEvents([
    {
      ticketId: ticket.id,
      actorId: Actor.isSystem(a) ? null : a.personId,
      at: ctx.clock.now(),
      field: ESCALATION_FIELD,
      from: history[history.length - 1]?.to ?? null,
      to: 'requested',
      note: null,
    },
  ]);
  return { ticket, already: false };
}
