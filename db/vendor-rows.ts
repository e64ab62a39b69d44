/** Rows of the register's tables as core's domain values, and an engagement patch as columns (shared by the repository and the search). */
import type { Selectable, Updateable } from 'kysely';
import type { Engagement } from '../core/vendors/engagement.ts';
import type { Complaint, Offer, Review, Vendor } from '../core/vendors/model.ts';
import type { EngagementPatch } from '../core/vendors/ports.ts';
import type { ComplaintsTable, EngagementsTable, VendorOffersTable, VendorReviewsTable, VendorsTable } from './vendor.tables.ts';

export const toVendor = (r: Selectable<VendorsTable>): Vendor => ({
  id: r.id,
  ref: r.ref,
  name: r.name,
  vatNumber: r.vat_number,
  regions: r.regions,
  categories: r.categories,
  contacts: r.contacts,
  status: r.status,
  certifiedUntil: r.certified_until,
  appliedBy: r.applied_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toOffer = (r: Selectable<VendorOffersTable>): Offer => ({
  id: r.id,
  ref: r.ref,
  vendorId: r.vendor_id,
  kind: r.kind,
  category: r.category,
  title: r.title,
  priceTerms: r.price_terms,
  conditions: r.conditions,
  createdBy: r.created_by,
  createdAt: r.created_at,
  withdrawnAt: r.withdrawn_at,
});

export const toEngagement = (r: Selectable<EngagementsTable>): Engagement => ({
  id: r.id,
  ticketId: r.ticket_id,
  organisationId: r.organisation_id,
  status: r.status,
  category: r.category,
  region: r.region,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  proposedVendorIds: r.proposed_vendor_ids,
  proposedBy: r.proposed_by,
  vendorId: r.vendor_id,
  pickedBy: r.picked_by,
  quote:
    r.quote_amount_cents !== null && r.quote_days !== null && r.quoted_by !== null && r.quoted_at !== null
      ? { amountCents: r.quote_amount_cents, days: r.quote_days, note: r.quote_note ?? '', by: r.quoted_by, at: r.quoted_at }
      : null,
  approvedBy: r.approved_by,
  secondApprovedBy: r.second_approved_by,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
  updatedAt: r.updated_at,
});

export const toReview = (r: Selectable<VendorReviewsTable>): Review => ({
  id: r.id,
  engagementId: r.engagement_id,
  vendorId: r.vendor_id,
  organisationId: r.organisation_id,
  authorId: r.author_id,
  rating: r.rating,
  comment: r.comment,
  createdAt: r.created_at,
});

export const toComplaint = (r: Selectable<ComplaintsTable>): Complaint => ({
  id: r.id,
  ref: r.ref,
  subjectKind: r.subject_kind,
  subjectId: r.subject_id,
  subjectLabel: r.subject_label,
  reason: r.reason,
  filedBy: r.filed_by,
  filedAt: r.filed_at,
  status: r.status,
  decision: r.decision,
  closedBy: r.closed_by,
  closedAt: r.closed_at,
});

/** Only the keys present in the patch, so an absent key leaves its column alone. */
export function engagementColumns(p: EngagementPatch, at: Date): Updateable<EngagementsTable> {
  const u: Updateable<EngagementsTable> = { updated_at: at };
  if (p.status !== undefined) u.status = p.status;
  if (p.category !== undefined) u.category = p.category;
  if (p.region !== undefined) u.region = p.region;
  if (p.proposedVendorIds !== undefined) u.proposed_vendor_ids = [...p.proposedVendorIds];
  if (p.proposedBy !== undefined) u.proposed_by = p.proposedBy;
  if (p.vendorId !== undefined) u.vendor_id = p.vendorId;
  if (p.pickedBy !== undefined) u.picked_by = p.pickedBy;
  if (p.quote !== undefined) {
    u.quote_amount_cents = p.quote?.amountCents ?? null;
    u.quote_days = p.quote?.days ?? null;
    u.quote_note = p.quote?.note ?? null;
    u.quoted_by = p.quote?.by ?? null;
    u.quoted_at = p.quote?.at ?? null;
  }
  if (p.approvedBy !== undefined) u.approved_by = p.approvedBy;
  if (p.secondApprovedBy !== undefined) u.second_approved_by = p.secondApprovedBy;
  if (p.startedAt !== undefined) u.started_at = p.startedAt;
  if (p.endedAt !== undefined) u.ended_at = p.endedAt;
  if (p.endReason !== undefined) u.end_reason = p.endReason;
  return u;
}
