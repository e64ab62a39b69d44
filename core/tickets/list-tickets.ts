import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Ticket, TicketStatus } from '../kernel/ticket.ts';

/**
 * Tickets the actor may see, newest first. Volunteers and staff see all (optionally only
 * theirs); vendors' members those engaged to their company; ICT leads their organisation's;
 * requesters their own.
 */
export async function listTickets(
  ctx: UseCaseContext,
  opts: { readonly mine?: boolean; readonly statuses?: readonly TicketStatus[]; readonly limit?: number } = {},
): Promise<Ticket[]> {
  const a = ctx.actor;
  const limit = opts.limit ?? 20;
  const base = { ...(opts.statuses ? { statuses: opts.statuses } : {}), limit };
  if (Actor.has(a, 'volunteer') || Actor.isStaff(a)) {
    return ctx.repos.tickets.list(opts.mine ? { ...base, assigneeId: a.personId } : base);
  }
  // A vendor's members see the tickets engaged to their company (and, as members of a
  // nonprofit too, those below).
  const vendors = Actor.vendors(a);
  if (vendors.length > 0 && Actor.organisations(a).length === 0) {
    return ctx.repos.tickets.list(opts.mine ? { ...base, vendorIds: vendors, assigneeId: a.personId } : { ...base, vendorIds: vendors });
  }
  const leadOf = a.roles.filter((r) => r.role === 'ict_lead' && r.organisationId).map((r) => r.organisationId as string);
  if (leadOf.length > 0 && !opts.mine) return ctx.repos.tickets.list({ ...base, organisationIds: leadOf });
  return ctx.repos.tickets.list({ ...base, requesterId: a.personId });
}
