/**
 * The vendors feature's port: the register, members, the catalogue, engagements, reviews,
 * complaints and the organisations' spending caps. `db/vendor.repository.ts` implements it.
 * State changes are compare-and-set on the current status, so of two concurrent or repeated
 * actions (approve twice, quote twice) exactly one applies.
 */
import type { Engagement, EngagementStatus } from './engagement.ts';
import type { Complaint, Offer, RegisterRefKind, Review, Vendor, VendorStatus } from './model.ts';

export type NewVendor = Omit<Vendor, 'id' | 'ref' | 'createdAt' | 'updatedAt'>;

export interface VendorFilter {
  readonly statuses?: readonly VendorStatus[];
  readonly category?: string;
  /** Only vendors certified at this instant (status certified, not past their expiry). */
  readonly certifiedAt?: Date;
}

export interface OfferHit {
  readonly offer: Offer;
  readonly vendor: Vendor;
  readonly rank: number;
}

export type EngagementPatch = Partial<
  Pick<
    Engagement,
    | 'status'
    | 'category'
    | 'region'
    | 'proposedVendorIds'
    | 'proposedBy'
    | 'vendorId'
    | 'pickedBy'
    | 'quote'
    | 'approvedBy'
    | 'secondApprovedBy'
    | 'startedAt'
    | 'endedAt'
    | 'endReason'
  >
>;

export interface ReviewSummary {
  readonly count: number;
  /** Null without reviews. */
  readonly average: number | null;
}

export interface VendorRepository {
  /** The next human id of a kind; never the same twice. */
  nextRef(kind: RegisterRefKind): Promise<string>;

  insertVendor(v: NewVendor & { readonly ref: string }, at: Date): Promise<Vendor>;
  findVendor(id: string): Promise<Vendor | undefined>;
  findVendorByRef(ref: string): Promise<Vendor | undefined>;
  findVendorByVat(vatNumber: string): Promise<Vendor | undefined>;
  /** By name. */
  listVendors(filter: VendorFilter): Promise<Vendor[]>;
  /** Applies `patch` only while the vendor is in one of `from`; undefined otherwise. */
  updateVendor(
    id: string,
    from: readonly VendorStatus[],
    patch: Partial<Pick<Vendor, 'status' | 'certifiedUntil'>>,
    at: Date,
  ): Promise<Vendor | undefined>;
  /** Certified vendors whose certification ends at or before `until`, soonest first. */
  expiringVendors(until: Date, limit: number): Promise<Vendor[]>;

  /** Gives `personId` the vendor role for the company; false when they already hold it. */
  addMember(vendorId: string, personId: string, by: string | null, reason: string, at: Date): Promise<boolean>;
  /** People holding the vendor role for the company. */
  memberIds(vendorId: string): Promise<string[]>;

  insertOffer(o: Omit<Offer, 'id' | 'withdrawnAt'>): Promise<Offer>;
  findOfferByRef(ref: string): Promise<Offer | undefined>;
  withdrawOffer(id: string, at: Date): Promise<boolean>;
  listOffers(vendorId: string): Promise<Offer[]>;
  /**
   * Offers matching `query` — Italian full-text search (stemmed, accents folded) with a
   * trigram fallback for typos — of vendors certified at `now`, best first.
   */
  searchOffers(query: string, now: Date, limit: number): Promise<OfferHit[]>;

  /** Inserts a live engagement; undefined when the ticket already has one. */
  insertEngagement(e: Omit<Engagement, 'id' | 'updatedAt'>): Promise<Engagement | undefined>;
  findEngagement(id: string): Promise<Engagement | undefined>;
  /** The ticket's live engagement (or, with `any`, its latest one). */
  findEngagementForTicket(ticketId: string, opts?: { readonly any?: boolean }): Promise<Engagement | undefined>;
  listEngagements(filter: { readonly vendorId?: string; readonly statuses?: readonly EngagementStatus[] }): Promise<Engagement[]>;
  /** Applies `patch` only while the engagement is `from`; undefined when it moved meanwhile. */
  updateEngagement(id: string, from: EngagementStatus, patch: EngagementPatch, at: Date): Promise<Engagement | undefined>;

  /** Inserts the engagement's review; undefined when it already has one. */
  insertReview(r: Omit<Review, 'id'>): Promise<Review | undefined>;
  findReview(engagementId: string): Promise<Review | undefined>;
  /** Adds the comment to a review that has none; false otherwise. */
  commentReview(id: string, comment: string): Promise<boolean>;
  reviewSummaries(vendorIds: readonly string[]): Promise<Map<string, ReviewSummary>>;

  insertComplaint(c: Omit<Complaint, 'id' | 'status' | 'decision' | 'closedBy' | 'closedAt'>): Promise<Complaint>;
  findComplaintByRef(ref: string): Promise<Complaint | undefined>;
  /** Closes an open complaint with the committee's decision; undefined when it was not open. */
  closeComplaint(id: string, decision: string, by: string | null, at: Date): Promise<Complaint | undefined>;
  /** Complaints about a subject: how many, and how many still open. */
  countComplaints(subjectId: string): Promise<{ readonly total: number; readonly open: number }>;

  /** The organisation's spending cap per engagement, in cents; undefined when it has none. */
  budgetCap(organisationId: string): Promise<number | undefined>;
  setBudgetCap(organisationId: string, cents: number | null, by: string | null, at: Date): Promise<void>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly vendors: VendorRepository;
  }
}
