/** The change named by what the user typed, and the one way a change moves through its states. */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket, TicketEvent } from '../kernel/ticket.ts';
import { rescheduleSla } from '../sla/sla-events.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import type { TicketPatch } from '../tickets/ports.ts';
import { announceTicket } from '../tickets/ticket-notices.ts';
import { type TicketAction, TicketStateMachine } from '../tickets/ticket-status.ts';

/** An RFC the actor may read; anything else (unknown, another organisation's, not a change) is `not_found`. */
export async function findChangeOrThrow(ctx: UseCaseContext, typed: string): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typed);
  if (ticket.kind !== 'change') throw new DomainError('not_found', { ref: typed.trim().slice(0, 20) });
  return ticket;
}

type ExtraEvent = Pick<TicketEvent, 'field' | 'from' | 'to' | 'note'>;

/**
 * Moves a change (compare-and-set on status and owner: a concurrent move makes this one fail
 * with `stale`), records the history, reschedules its SLA events — the same pauses as every
 * ticket move — and refreshes its card. `action` undefined keeps the status and records only `extra`.
 */
export async function moveChange(
  ctx: UseCaseContext,
  ticket: Ticket,
  action: TicketAction | undefined,
  note: string | null,
  opts: { readonly patch?: TicketPatch; readonly extra?: readonly ExtraEvent[] } = {},
): Promise<Ticket> {
  const to = action ? TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, action) : ticket.status;
  const now = ctx.clock.now();
  const updated = await ctx.repos.tickets.compareAndSet(
    ticket.id,
    { status: ticket.status, assigneeId: ticket.assigneeId },
    { status: to, ...opts.patch },
    now,
  );
  if (!updated) throw new DomainError('stale', { ref: ticket.ref });
  const actorId = Actor.recordedId(ctx.actor);
  // What happened (an approval, a new window) before the move it caused.
  await ctx.repos.tickets.addEvents([
    ...(opts.extra ?? []).map((e) => ({ ticketId: ticket.id, actorId, at: now, ...e })),
    ...(to !== ticket.status ? [{ ticketId: ticket.id, actorId, at: now, field: 'status', from: ticket.status, to, note }] : []),
  ]);
  await rescheduleSla(ctx, updated);
  await announceTicket(ctx, updated);
  return updated;
}
