import { type Kysely, sql } from 'kysely';
import type { Engagement, EngagementStatus } from '../core/vendors/engagement.ts';
import type { Complaint, Offer, RegisterRefKind, Review, Vendor, VendorStatus } from '../core/vendors/model.ts';
import { RegisterRef } from '../core/vendors/model.ts';
import type {
  EngagementPatch,
  NewVendor,
  OfferHit,
  ReviewSummary,
  VendorFilter,
  VendorRepository as VendorRepositoryPort,
} from '../core/vendors/ports.ts';
import type { Database } from './schema.ts';
import type { VendorTables } from './vendor.tables.ts';
import { engagementColumns, toComplaint, toEngagement, toOffer, toReview, toVendor } from './vendor-rows.ts';
import { searchOffers } from './vendor-search.ts';

const SEQUENCE: Readonly<Record<RegisterRefKind, string>> = {
  vendor: 'vendor_ref_seq',
  offer: 'vendor_offer_ref_seq',
  complaint: 'vendor_complaint_ref_seq',
};

/**
 * The register, members, catalogue, engagements, reviews, complaints and spending caps on
 * PostgreSQL. Status changes are conditional updates (`where status = <expected>`), so of two
 * concurrent or repeated actions one applies and the other finds nothing to update.
 */
export class VendorRepository implements VendorRepositoryPort {
  private readonly db: Kysely<Database & VendorTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<VendorTables>();
  }

  async nextRef(kind: RegisterRefKind): Promise<string> {
    const { rows } = await sql<{ n: string }>`select nextval(${SEQUENCE[kind]}) as n`.execute(this.db);
    return RegisterRef.format(kind, Number(rows[0]?.n));
  }

  async insertVendor(v: NewVendor & { readonly ref: string }, at: Date): Promise<Vendor> {
    const row = await this.db
      .insertInto('vendors')
      .values({
        ref: v.ref,
        name: v.name,
        vat_number: v.vatNumber,
        regions: [...v.regions],
        categories: [...v.categories],
        contacts: v.contacts,
        status: v.status,
        certified_until: v.certifiedUntil,
        applied_by: v.appliedBy,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toVendor(row);
  }

  async findVendor(id: string): Promise<Vendor | undefined> {
    const row = await this.db.selectFrom('vendors').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toVendor(row) : undefined;
  }

  async findVendorByRef(ref: string): Promise<Vendor | undefined> {
    const row = await this.db.selectFrom('vendors').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row ? toVendor(row) : undefined;
  }

  async findVendorByVat(vatNumber: string): Promise<Vendor | undefined> {
    const row = await this.db.selectFrom('vendors').selectAll().where('vat_number', '=', vatNumber).executeTakeFirst();
    return row ? toVendor(row) : undefined;
  }

  async listVendors(filter: VendorFilter): Promise<Vendor[]> {
    let q = this.db.selectFrom('vendors').selectAll();
    if (filter.statuses) q = filter.statuses.length ? q.where('status', 'in', filter.statuses) : q.where(sql<boolean>`false`);
    if (filter.category) q = q.where(sql<boolean>`${filter.category} = any(categories)`);
    if (filter.certifiedAt) q = q.where('status', '=', 'certified').where('certified_until', '>', filter.certifiedAt);
    return (await q.orderBy('name').orderBy('ref').execute()).map(toVendor);
  }

  async updateVendor(
    id: string,
    from: readonly VendorStatus[],
    patch: Partial<Pick<Vendor, 'status' | 'certifiedUntil'>>,
    at: Date,
  ): Promise<Vendor | undefined> {
    if (from.length === 0) return undefined;
    const row = await this.db
      .updateTable('vendors')
      .set({
        updated_at: at,
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.certifiedUntil !== undefined ? { certified_until: patch.certifiedUntil } : {}),
      })
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    return row ? toVendor(row) : undefined;
  }

  async expiringVendors(until: Date, limit: number): Promise<Vendor[]> {
    const rows = await this.db
      .selectFrom('vendors')
      .selectAll()
      .where('status', '=', 'certified')
      .where('certified_until', '<=', until)
      .orderBy('certified_until')
      .limit(limit)
      .execute();
    return rows.map(toVendor);
  }

  async addMember(vendorId: string, personId: string, by: string | null, reason: string, at: Date): Promise<boolean> {
    const r = await this.db
      .insertInto('role_grants')
      .values({
        person_id: personId,
        role: 'vendor',
        organisation_id: null,
        vendor_id: vendorId,
        granted_by: by,
        granted_at: at,
        reason,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
      })
      // The unique index on active grants: already a member inserts nothing.
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async memberIds(vendorId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('role_grants')
      .select('person_id')
      .where('role', '=', 'vendor')
      .where('vendor_id', '=', vendorId)
      .where('revoked_at', 'is', null)
      .orderBy('granted_at')
      .execute();
    return [...new Set(rows.map((r) => r.person_id))];
  }

  async insertOffer(o: Omit<Offer, 'id' | 'withdrawnAt'>): Promise<Offer> {
    const row = await this.db
      .insertInto('vendor_offers')
      .values({
        ref: o.ref,
        vendor_id: o.vendorId,
        kind: o.kind,
        category: o.category,
        title: o.title,
        price_terms: o.priceTerms,
        conditions: o.conditions,
        created_by: o.createdBy,
        created_at: o.createdAt,
        withdrawn_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOffer(row);
  }

  async findOfferByRef(ref: string): Promise<Offer | undefined> {
    const row = await this.db.selectFrom('vendor_offers').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row ? toOffer(row) : undefined;
  }

  async withdrawOffer(id: string, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('vendor_offers')
      .set({ withdrawn_at: at })
      .where('id', '=', id)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async listOffers(vendorId: string): Promise<Offer[]> {
    const rows = await this.db
      .selectFrom('vendor_offers')
      .selectAll()
      .where('vendor_id', '=', vendorId)
      .orderBy('created_at')
      .orderBy('ref')
      .execute();
    return rows.map(toOffer);
  }

  searchOffers(query: string, now: Date, limit: number): Promise<OfferHit[]> {
    return searchOffers(this.db, query, now, limit);
  }

  async insertEngagement(e: Omit<Engagement, 'id' | 'updatedAt'>): Promise<Engagement | undefined> {
    const row = await this.db
      .insertInto('engagements')
      .values({
        ticket_id: e.ticketId,
        organisation_id: e.organisationId,
        status: e.status,
        category: e.category,
        region: e.region,
        requested_by: e.requestedBy,
        requested_at: e.requestedAt,
        proposed_vendor_ids: [...e.proposedVendorIds],
        proposed_by: e.proposedBy,
        vendor_id: e.vendorId,
        picked_by: e.pickedBy,
        quote_amount_cents: e.quote?.amountCents ?? null,
        quote_days: e.quote?.days ?? null,
        quote_note: e.quote?.note ?? null,
        quoted_by: e.quote?.by ?? null,
        quoted_at: e.quote?.at ?? null,
        approved_by: e.approvedBy,
        second_approved_by: e.secondApprovedBy,
        started_at: e.startedAt,
        ended_at: e.endedAt,
        end_reason: e.endReason,
        updated_at: e.requestedAt,
      })
      // One live engagement per ticket (a partial unique index): a second request inserts nothing.
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toEngagement(row) : undefined;
  }

  async findEngagement(id: string): Promise<Engagement | undefined> {
    const row = await this.db.selectFrom('engagements').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEngagement(row) : undefined;
  }

  async findEngagementForTicket(ticketId: string, opts: { readonly any?: boolean } = {}): Promise<Engagement | undefined> {
    let q = this.db.selectFrom('engagements').selectAll().where('ticket_id', '=', ticketId);
    if (!opts.any) q = q.where('status', 'in', ['requested', 'proposed', 'picked', 'quoted', 'awaiting_second_approval', 'active']);
    const row = await q.orderBy('requested_at', 'desc').orderBy('updated_at', 'desc').limit(1).executeTakeFirst();
    return row ? toEngagement(row) : undefined;
  }

  async listEngagements(filter: { readonly vendorId?: string; readonly statuses?: readonly EngagementStatus[] }): Promise<Engagement[]> {
    let q = this.db.selectFrom('engagements').selectAll();
    if (filter.vendorId) q = q.where('vendor_id', '=', filter.vendorId);
    if (filter.statuses) q = filter.statuses.length ? q.where('status', 'in', filter.statuses) : q.where(sql<boolean>`false`);
    return (await q.orderBy('requested_at').execute()).map(toEngagement);
  }

  async updateEngagement(id: string, from: EngagementStatus, patch: EngagementPatch, at: Date): Promise<Engagement | undefined> {
    const row = await this.db
      .updateTable('engagements')
      .set(engagementColumns(patch, at))
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
    return row ? toEngagement(row) : undefined;
  }

  async insertReview(r: Omit<Review, 'id'>): Promise<Review | undefined> {
    const row = await this.db
      .insertInto('vendor_reviews')
      .values({
        engagement_id: r.engagementId,
        vendor_id: r.vendorId,
        organisation_id: r.organisationId,
        author_id: r.authorId,
        rating: r.rating,
        comment: r.comment,
        created_at: r.createdAt,
      })
      .onConflict((oc) => oc.column('engagement_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toReview(row) : undefined;
  }

  async findReview(engagementId: string): Promise<Review | undefined> {
    const row = await this.db.selectFrom('vendor_reviews').selectAll().where('engagement_id', '=', engagementId).executeTakeFirst();
    return row ? toReview(row) : undefined;
  }

  async commentReview(id: string, comment: string): Promise<boolean> {
    const r = await this.db
      .updateTable('vendor_reviews')
      .set({ comment })
      .where('id', '=', id)
      .where('comment', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async reviewSummaries(vendorIds: readonly string[]): Promise<Map<string, ReviewSummary>> {
    const out = new Map<string, ReviewSummary>();
    if (vendorIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('vendor_reviews')
      .select(['vendor_id', sql<number>`count(*)::int`.as('n'), sql<number>`avg(rating)::float8`.as('average')])
      .where('vendor_id', 'in', vendorIds)
      .groupBy('vendor_id')
      .execute();
    for (const r of rows) out.set(r.vendor_id, { count: r.n, average: Math.round(r.average * 10) / 10 });
    return out;
  }

  async insertComplaint(c: Omit<Complaint, 'id' | 'status' | 'decision' | 'closedBy' | 'closedAt'>): Promise<Complaint> {
    const row = await this.db
      .insertInto('complaints')
      .values({
        ref: c.ref,
        subject_kind: c.subjectKind,
        subject_id: c.subjectId,
        subject_label: c.subjectLabel,
        reason: c.reason,
        filed_by: c.filedBy,
        filed_at: c.filedAt,
        status: 'open',
        decision: null,
        closed_by: null,
        closed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toComplaint(row);
  }

  async findComplaintByRef(ref: string): Promise<Complaint | undefined> {
    const row = await this.db.selectFrom('complaints').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row ? toComplaint(row) : undefined;
  }

  async closeComplaint(id: string, decision: string, by: string | null, at: Date): Promise<Complaint | undefined> {
    const row = await this.db
      .updateTable('complaints')
      .set({ status: 'closed', decision, closed_by: by, closed_at: at })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returningAll()
      .executeTakeFirst();
    return row ? toComplaint(row) : undefined;
  }

  async countComplaints(subjectId: string): Promise<{ readonly total: number; readonly open: number }> {
    const row = await this.db
      .selectFrom('complaints')
      .select([sql<number>`count(*)::int`.as('total'), sql<number>`count(*) filter (where status = 'open')::int`.as('open')])
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    return { total: row.total, open: row.open };
  }

  async budgetCap(organisationId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('vendor_budget_caps')
      .select('cap_cents')
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    return row?.cap_cents;
  }

  async setBudgetCap(organisationId: string, cents: number | null, by: string | null, at: Date): Promise<void> {
    if (cents === null) {
      await this.db.deleteFrom('vendor_budget_caps').where('organisation_id', '=', organisationId).execute();
      return;
    }
    await this.db
      .insertInto('vendor_budget_caps')
      .values({ organisation_id: organisationId, cap_cents: cents, set_by: by, set_at: at })
      .onConflict((oc) => oc.column('organisation_id').doUpdateSet({ cap_cents: cents, set_by: by, set_at: at }))
      .execute();
  }
}
