import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { isOpen, type Ticket } from '../kernel/ticket.ts';
import { findTicketOrThrow } from './find-ticket.ts';
import { t } from './messages.ts';
import { Policy } from './policy.ts';
import { announceTicket, sendDetailsToOwner } from './ticket-notices.ts';

/**
 * The owner (or a moderator) hands a ticket to another certified volunteer, by handle — on the
 * vendor tier, to a colleague at the engaged vendor.
 */
export async function handOverTicket(ctx: UseCaseContext, typedRef: string, toHandle: string, note = ''): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  Policy.assertTransition(ctx.actor, ticket, 'unclaim');
  if (!ticket.assigneeId || !isOpen(ticket.status))
    throw new DomainError('illegal_transition', { action: 'handover', status: ticket.status });
  const target = await ctx.repos.people.findPersonByHandle(toHandle.replace(/^@/, '').toLowerCase());
  if (!target) throw new DomainError('person_not_found', { handle: toHandle });
  const grants = await ctx.repos.people.activeGrants(target.id);
  if (ticket.tier === 'vendor') {
    if (!grants.some((g) => g.role === 'vendor' && g.vendorId !== null && g.vendorId === ticket.vendorId))
      throw new DomainError('forbidden');
  } else if (!grants.some((g) => g.role === 'volunteer')) throw new DomainError('not_volunteer');

  const now = ctx.clock.now();
  const updated = await ctx.repos.tickets.compareAndSet(
    ticket.id,
    { status: ticket.status, assigneeId: ticket.assigneeId },
    { assigneeId: target.id },
    now,
  );
  if (!updated) throw new DomainError('stale', { ref: ticket.ref });
  await ctx.repos.tickets.addEvents([
    {
      ticketId: ticket.id,
      actorId: Actor.recordedId(ctx.actor),
      at: now,
      field: 'assignee',
      from: ticket.assigneeId,
      to: target.id,
      note: note || null,
    },
  ]);
  await announceTicket(ctx, updated);
  await sendDetailsToOwner(ctx, updated, target.id);
  await ctx.notifier.toPerson(target.id, (l) => ({
    text: t(l, 'notice.handed_over_to_you', { ref: ticket.ref, name: ctx.actor.displayName, note: note || '—' }),
  }));
  await ctx.notifier.toPerson(ticket.requesterId, (l) => ({
    text: t(l, 'notice.claimed', { ref: ticket.ref, name: target.displayName }),
  }));
  return updated;
}
