import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Role } from '../kernel/person.ts';
import type { Ticket, TicketKind } from '../kernel/ticket.ts';
import type { TicketAction } from './ticket-status.ts';

/**
 * Who may do what. Every use case asks here before touching data, so every adapter and the CLI
 * get the same answers. Failing checks throw `not_found` where revealing existence would leak
 * another organisation's tickets, `forbidden` otherwise.
 */
export const Policy = {
  /**
   * Volunteers, moderators and the committee see every ticket; members see their org's; a
   * vendor's members see only the tickets engaged to their company.
   */
  canRead(actor: Actor, ticket: Ticket): boolean {
    if (Actor.isStaff(actor) || Actor.has(actor, 'volunteer')) return true;
    if (ticket.requesterId === actor.personId) return true;
    if (Policy.isEngagedVendor(actor, ticket)) return true;
    return Actor.organisations(actor).includes(ticket.organisationId);
  },

  /** A member of the vendor company engaged on the ticket. */
  isEngagedVendor(actor: Actor, ticket: Ticket): boolean {
    return ticket.vendorId !== null && Actor.vendors(actor).includes(ticket.vendorId);
  },

  assertRead(actor: Actor, ticket: Ticket): void {
    if (!Policy.canRead(actor, ticket)) throw new DomainError('not_found', { ref: ticket.ref });
  },

  /**
   * Opening a ticket for `organisationId` needs membership of it (or staff acting for it);
   * volunteers also open changes (RFCs) for the organisations they work for.
   */
  assertCreate(actor: Actor, organisationId: string, kind?: TicketKind): void {
    if (Actor.isStaff(actor) || Actor.organisations(actor).includes(organisationId)) return;
    if (kind === 'change' && Actor.has(actor, 'volunteer')) return;
    throw new DomainError('forbidden');
  },

  /**
   * Public comments: anyone who can read; internal notes: volunteers and staff, and on a
   * vendor-tier ticket the engaged vendor's members.
   */
  assertComment(actor: Actor, ticket: Ticket, internal: boolean): void {
    Policy.assertRead(actor, ticket);
    if (!internal || Policy.isWorker(actor, ticket) || Actor.has(actor, 'volunteer')) return;
    if (ticket.tier === 'vendor' && Policy.isEngagedVendor(actor, ticket)) return;
    throw new DomainError('forbidden');
  },

  /**
   * The owner works a ticket while still certified for its tier — a volunteer on the volunteer
   * tier (a revoked volunteer loses the tickets they held), a member of the engaged vendor on
   * the vendor tier; moderators and the committee may step in on any ticket.
   */
  isWorker(actor: Actor, ticket: Ticket): boolean {
    if (Actor.isStaff(actor)) return true;
    if (ticket.assigneeId !== actor.personId) return false;
    return ticket.tier === 'vendor' ? Policy.isEngagedVendor(actor, ticket) : Actor.has(actor, 'volunteer');
  },

  /** Volunteers claim volunteer-tier tickets; only the engaged vendor's members claim vendor-tier ones. */
  assertClaim(actor: Actor, ticket: Ticket): void {
    Policy.assertRead(actor, ticket);
    if (ticket.tier === 'vendor') {
      if (!Policy.isEngagedVendor(actor, ticket)) throw new DomainError('forbidden');
      return;
    }
    if (!Actor.has(actor, 'volunteer')) throw new DomainError('not_volunteer');
  },

  /**
   * The requester side (requester, org ICT lead) confirms, reopens and cancels; the owner (or a
   * moderator) moves the work; ICT leads and the committee approve changes. Rating the help is
   * the requester's own (`rate-ticket.ts`).
   */
  assertTransition(actor: Actor, ticket: Ticket, action: TicketAction): void {
    Policy.assertRead(actor, ticket);
    const requesterSide =
      ticket.requesterId === actor.personId || actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === ticket.organisationId);
    switch (action) {
      case 'claim':
        return Policy.assertClaim(actor, ticket);
      case 'confirm':
      case 'reopen':
        if (requesterSide || Actor.isStaff(actor)) return;
        break;
      case 'cancel':
        if (requesterSide || Policy.isWorker(actor, ticket)) return;
        break;
      case 'approve':
      case 'reject':
        if (actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === ticket.organisationId) || Actor.has(actor, 'committee'))
          return;
        break;
      default:
        if (Policy.isWorker(actor, ticket)) return;
        throw new DomainError('not_owner', { ref: ticket.ref });
    }
    throw new DomainError('forbidden');
  },

  /** The committee certifies everyone; moderators may grant the org-level roles. */
  assertGrant(actor: Actor, role: Role): void {
    if (Actor.has(actor, 'committee')) return;
    if (Actor.has(actor, 'moderator') && (role === 'requester' || role === 'ict_lead')) return;
    throw new DomainError('forbidden');
  },

  assertBindChannel(actor: Actor): void {
    if (!Actor.isStaff(actor)) throw new DomainError('forbidden');
  },
};
