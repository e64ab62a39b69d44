import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { Vendor } from './model.ts';

/**
 * Who may do what with vendors. Every use case of the feature asks here; ticket visibility
 * itself (a vendor sees only the tickets engaged to its company) is the tickets' read policy.
 */
export const VendorPolicy = {
  /** The nonprofit's side of a ticket: its requester and its organisation's ICT leads. */
  isRequesterSide(actor: Actor, ticket: Ticket): boolean {
    return ticket.requesterId === actor.personId || VendorPolicy.isIctLead(actor, ticket.organisationId);
  },

  isIctLead(actor: Actor, organisationId: string): boolean {
    return actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === organisationId);
  },

  isMember(actor: Actor, vendorId: string): boolean {
    return Actor.vendors(actor).includes(vendorId);
  },

  /** Anyone taking part (a member of a nonprofit, a volunteer, a vendor, staff) reads the register. */
  assertRegisterReader(actor: Actor): void {
    if (actor.roles.length === 0) throw new DomainError('forbidden');
  },

  /** The requester side asks for a vendor; moderators may ask on their behalf. */
  assertRequest(actor: Actor, ticket: Ticket): void {
    if (VendorPolicy.isRequesterSide(actor, ticket) || Actor.isStaff(actor)) return;
    throw new DomainError('forbidden');
  },

  /** Moderators propose vendors (the automatic match is only a suggestion they confirm). */
  assertPropose(actor: Actor): void {
    if (!Actor.has(actor, 'moderator')) throw new DomainError('forbidden');
  },

  /** The nonprofit picks among the proposed vendors. */
  assertPick(actor: Actor, ticket: Ticket): void {
    if (!VendorPolicy.isRequesterSide(actor, ticket)) throw new DomainError('forbidden');
  },

  /** A member of the engaged company quotes, and only while the company is certified. */
  assertQuote(actor: Actor, vendor: Vendor, now: Date): void {
    if (!VendorPolicy.isMember(actor, vendor.id)) throw new DomainError('forbidden');
    if (!Vendor.isCertified(vendor, now)) throw new DomainError('vendor_not_certified', { name: vendor.name });
  },

  /** Only the nonprofit's ICT lead approves or rejects a quote (not the requester, not staff). */
  assertApproveQuote(actor: Actor, ticket: Ticket): void {
    if (!VendorPolicy.isIctLead(actor, ticket.organisationId)) throw new DomainError('forbidden');
  },

  /** Above the organisation's spending cap, a moderator's second approval. */
  assertSecondApproval(actor: Actor): void {
    if (!Actor.has(actor, 'moderator')) throw new DomainError('forbidden');
  },

  /** The nonprofit reviews the vendor it engaged. */
  assertReview(actor: Actor, ticket: Ticket): void {
    if (!VendorPolicy.isRequesterSide(actor, ticket)) throw new DomainError('forbidden');
  },

  /** A vendor's members publish its offers; moderators may publish for it. */
  assertPublish(actor: Actor, vendorId: string): void {
    if (VendorPolicy.isMember(actor, vendorId) || Actor.has(actor, 'moderator')) return;
    throw new DomainError('forbidden');
  },

  /** A member adds colleagues; moderators and the committee add anyone. */
  assertAddMember(actor: Actor, vendorId: string): void {
    if (VendorPolicy.isMember(actor, vendorId) || Actor.isStaff(actor)) return;
    throw new DomainError('forbidden');
  },

  /** Only the committee certifies, renews, suspends, reinstates, revokes and closes cases. */
  assertCommittee(actor: Actor): void {
    if (!Actor.has(actor, 'committee')) throw new DomainError('forbidden');
  },

  /** The committee's ledger: moderators, the committee and observers read it. */
  assertStaffOrObserver(actor: Actor): void {
    if (!Actor.isStaff(actor) && !Actor.has(actor, 'observer')) throw new DomainError('forbidden');
  },

  /** Spending caps and per-vendor figures (complaints included): moderators and the committee. */
  assertStaff(actor: Actor): void {
    if (!Actor.isStaff(actor)) throw new DomainError('forbidden');
  },
};
