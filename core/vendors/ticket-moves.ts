/**
 * What an engagement does to its ticket, each time with its history and, when the tier
 * changes, the SLA rescheduled and the card redrawn: the picked vendor may read it; on approval
 * the ticket moves to the vendor tier (back in a queue, now the vendor's, with the vendor SLA
 * starting); declined or handed back, the vendor loses it.
 */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { isOpen, type Ticket, type TicketEvent } from '../kernel/ticket.ts';
import { rescheduleSla } from '../sla/sla-events.ts';
import type { TicketPatch } from '../tickets/ports.ts';
import { announceTicket } from '../tickets/ticket-notices.ts';

/** The history field of an engagement's steps (`vendor: requested → proposed → …`). */
export const VENDOR_FIELD = 'vendor';

export async function recordStep(
  ctx: UseCaseContext,
  ticket: Ticket,
  from: string | null,
  to: string,
  note: string | null = null,
): Promise<void> {
  await ctx.repos.tickets.addEvents([
    { ticketId: ticket.id, actorId: Actor.recordedId(ctx.actor), at: ctx.clock.now(), field: VENDOR_FIELD, from, to, note },
  ]);
}

async function patchTicket(ctx: UseCaseContext, ticket: Ticket, patch: TicketPatch, events: (t: Ticket) => TicketEvent[]): Promise<Ticket> {
  const now = ctx.clock.now();
  const updated = await ctx.repos.tickets.compareAndSet(ticket.id, { status: ticket.status, assigneeId: ticket.assigneeId }, patch, now);
  if (!updated) throw new DomainError('stale', { ref: ticket.ref });
  await ctx.repos.tickets.addEvents(events(updated));
  return updated;
}

/** The picked vendor's members may read the ticket from now on. */
export function engageVendor(ctx: UseCaseContext, ticket: Ticket, vendorId: string | null): Promise<Ticket> {
  return patchTicket(ctx, ticket, { vendorId }, () => []);
}

/**
 * The quote is approved: the ticket moves to the vendor tier, back to `new` and nobody's (the
 * vendor's members claim it), so the vendor's first-response and resolution clocks start now.
 */
export async function moveToVendorTier(ctx: UseCaseContext, ticket: Ticket, note: string): Promise<Ticket> {
  if (!isOpen(ticket.status)) throw new DomainError('illegal_transition', { action: 'approve_quote', status: ticket.status });
  return changeTier(ctx, ticket, 'vendor', ticket.vendorId, note);
}

/** The vendor is gone (suspended, revoked, lapsed): an open ticket returns to the volunteers' queue. */
export async function returnToVolunteers(ctx: UseCaseContext, ticket: Ticket, note: string): Promise<Ticket> {
  if (ticket.tier === 'vendor' && isOpen(ticket.status)) return changeTier(ctx, ticket, 'volunteer', null, note);
  return ticket.vendorId === null ? ticket : engageVendor(ctx, ticket, null);
}

async function changeTier(
  ctx: UseCaseContext,
  ticket: Ticket,
  tier: 'vendor' | 'volunteer',
  vendorId: string | null,
  note: string,
): Promise<Ticket> {
  const actorId = Actor.recordedId(ctx.actor);
  const now = ctx.clock.now();
  const updated = await patchTicket(ctx, ticket, { tier, vendorId, status: 'new', assigneeId: null, pendingOn: null }, (u) => [
    { ticketId: u.id, actorId, at: now, field: 'tier', from: ticket.tier, to: tier, note },
    ...(ticket.status !== 'new' ? [{ ticketId: u.id, actorId, at: now, field: 'status', from: ticket.status, to: 'new', note }] : []),
    ...(ticket.assigneeId ? [{ ticketId: u.id, actorId, at: now, field: 'assignee', from: ticket.assigneeId, to: null, note: null }] : []),
  ]);
  await rescheduleSla(ctx, updated);
  await announceTicket(ctx, updated);
  return updated;
}
