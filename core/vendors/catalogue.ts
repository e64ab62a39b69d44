import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { vendorByRef } from './decide-vendor.ts';
import { type Offer, type OfferKind, RegisterRef, Vendor, type VendorCategory } from './model.ts';
import type { OfferHit } from './ports.ts';
import { VendorPolicy } from './vendor-policy.ts';

export const OFFER_TITLE_MAX = 120;
export const OFFER_TEXT_MAX = 500;
export const QUERY_MAX = 200;

export interface OfferInput {
  /** The vendor the offer is for: needed only when the actor is not a member of exactly one vendor. */
  readonly vendorRef?: string;
  readonly kind: OfferKind;
  readonly category: VendorCategory;
  readonly title: string;
  readonly priceTerms: string;
  readonly conditions: string;
}

/** The vendor an actor acts for: the one named, or the one they are a member of. */
async function actingVendor(ctx: UseCaseContext, vendorRef: string | undefined): Promise<Vendor> {
  if (vendorRef) return vendorByRef(ctx, vendorRef);
  const mine = ctx.actor.roles.filter((r) => r.role === 'vendor' && r.vendorId).map((r) => r.vendorId as string);
  if (mine.length === 0 && !ctx.actor.roles.some((r) => r.role === 'moderator')) throw new DomainError('forbidden');
  const vendor = mine.length === 1 && mine[0] ? await ctx.repos.vendors.findVendor(mine[0]) : undefined;
  if (!vendor) throw new DomainError('invalid_input', { field: 'vendors', max: 1 });
  return vendor;
}

/**
 * A vendor's member (or a moderator for it) publishes an offer: a service or a solution, its
 * field, its price terms and the conditions reserved to nonprofits. Only a certified vendor
 * publishes; a lapsed, suspended or revoked vendor's offers stay stored but hidden.
 */
export async function publishOffer(ctx: UseCaseContext, input: OfferInput): Promise<{ offer: Offer; vendor: Vendor }> {
  const vendor = await actingVendor(ctx, input.vendorRef);
  VendorPolicy.assertPublish(ctx.actor, vendor.id);
  const now = ctx.clock.now();
  if (!Vendor.isCertified(vendor, now)) throw new DomainError('vendor_not_certified', { name: vendor.name });
  const title = input.title.trim();
  const priceTerms = input.priceTerms.trim();
  const conditions = input.conditions.trim();
  if (!title || title.length > OFFER_TITLE_MAX) throw new DomainError('invalid_input', { field: 'title', max: OFFER_TITLE_MAX });
  if (!priceTerms || priceTerms.length > OFFER_TEXT_MAX) throw new DomainError('invalid_input', { field: 'amount', max: OFFER_TEXT_MAX });
  if (!conditions || conditions.length > OFFER_TEXT_MAX)
    throw new DomainError('invalid_input', { field: 'description', max: OFFER_TEXT_MAX });
  const offer = await ctx.repos.vendors.insertOffer({
    ref: await ctx.repos.vendors.nextRef('offer'),
    vendorId: vendor.id,
    kind: input.kind,
    category: input.category,
    title,
    priceTerms,
    conditions,
    createdBy: ctx.actor.personId === 'system' ? null : ctx.actor.personId,
    createdAt: now,
  });
  return { offer, vendor };
}

/** Withdraws an offer (its vendor's members, or a moderator). */
export async function withdrawOffer(ctx: UseCaseContext, typedRef: string): Promise<Offer> {
  const ref = RegisterRef.parse('offer', typedRef);
  const offer = ref ? await ctx.repos.vendors.findOfferByRef(ref) : undefined;
  if (!offer || offer.withdrawnAt) throw new DomainError('case_not_found', { ref: typedRef.trim().slice(0, 20) });
  VendorPolicy.assertPublish(ctx.actor, offer.vendorId);
  await ctx.repos.vendors.withdrawOffer(offer.id, ctx.clock.now());
  return offer;
}

/** `catalogo <parole>`: the offers of certified vendors matching the words, best first (Italian search). */
export async function searchCatalogue(ctx: UseCaseContext, query: string, limit = 8): Promise<OfferHit[]> {
  VendorPolicy.assertRegisterReader(ctx.actor);
  const q = query.trim();
  if (!q || q.length > QUERY_MAX) throw new DomainError('invalid_input', { field: 'description', max: QUERY_MAX });
  return ctx.repos.vendors.searchOffers(q, ctx.clock.now(), limit);
}
