import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { loadSlaContext } from '../sla/sla-events.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { vendorByRef } from './decide-vendor.ts';
import { type Engagement, EngagementFlow } from './engagement.ts';
import { t } from './messages.ts';
import { Vendor } from './model.ts';
import { requesterSideIds, tellEach } from './recipients.ts';
import { automaticMatch } from './request-vendor.ts';
import { engageVendor, recordStep } from './ticket-moves.ts';
import { VendorPolicy } from './vendor-policy.ts';
import { vendorLine } from './vendor-replies.ts';
import { vendorStats } from './vendor-stats.ts';

export const MAX_PROPOSED = 3;

/** The ticket (as the actor may see it) and its live engagement, or `no_engagement`. */
export async function ticketAndEngagement(ctx: UseCaseContext, typedRef: string): Promise<{ ticket: Ticket; engagement: Engagement }> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  const engagement = await ctx.repos.vendors.findEngagementForTicket(ticket.id);
  if (!engagement) throw new DomainError('no_engagement', { ref: ticket.ref });
  return { ticket, engagement };
}

/** The engagement after a compare-and-set; a lost race reads as the stage it reached meanwhile. */
export async function applied(
  ctx: UseCaseContext,
  e: Engagement,
  ticket: Ticket,
  step: Parameters<typeof EngagementFlow.assert>[1],
  next: Engagement | undefined,
): Promise<Engagement> {
  if (next) return next;
  const now = (await ctx.repos.vendors.findEngagement(e.id)) ?? e;
  throw new DomainError('engagement_state', { ref: ticket.ref, action: step, state: now.status });
}

/**
 * A moderator proposes up to three certified vendors — named, or the automatic match confirmed
 * (`auto`) — and the nonprofit gets them, each with its record and a button to pick it.
 * Proposing again before the nonprofit picks replaces the proposal.
 */
export async function proposeVendors(
  ctx: UseCaseContext,
  typedRef: string,
  vendorRefs: readonly string[] | 'auto',
): Promise<{ ticket: Ticket; vendors: Vendor[] }> {
  VendorPolicy.assertPropose(ctx.actor);
  const { ticket, engagement: e } = await ticketAndEngagement(ctx, typedRef);
  EngagementFlow.assert(e, 'propose', ticket.ref);
  const now = ctx.clock.now();
  const vendors =
    vendorRefs === 'auto' ? await automaticMatch(ctx, e) : await Promise.all([...new Set(vendorRefs)].map((r) => vendorByRef(ctx, r)));
  if (vendors.length === 0 || vendors.length > MAX_PROPOSED)
    throw new DomainError('invalid_input', { field: 'vendors', max: MAX_PROPOSED });
  for (const v of vendors) if (!Vendor.isCertified(v, now)) throw new DomainError('vendor_not_certified', { name: v.name });
  const next = await ctx.repos.vendors.updateEngagement(
    e.id,
    e.status,
    { status: 'proposed', proposedVendorIds: vendors.map((v) => v.id), proposedBy: Actor.recordedId(ctx.actor) },
    now,
  );
  await applied(ctx, e, ticket, 'propose', next);
  await recordStep(ctx, ticket, e.status, 'proposed', vendors.map((v) => v.ref).join(', '));

  const sla = await loadSlaContext(ctx.repos);
  const lines = await Promise.all(vendors.map(async (v) => ({ v, stats: await vendorStats(ctx.repos, v, now, sla) })));
  await tellEach(ctx.notifier, await requesterSideIds(ctx.repos, ticket), (l: Locale) => ({
    title: t(l, 'engagement.proposed.title', { ref: ticket.ref }),
    text: [
      t(l, 'engagement.proposed.text', { ref: ticket.ref, title: forChannel(ticket.title, 80) }),
      '',
      ...lines.map(({ v, stats }) => vendorLine(l, v, stats)),
    ].join('\n'),
    buttons: vendors.map((v) => ({
      actionId: 'vendor.pick',
      value: `${ticket.ref}:${v.ref}`,
      label: t(l, 'button.pick', { name: v.name.slice(0, 30) }),
    })),
  }));
  return { ticket, vendors };
}

/**
 * The nonprofit picks one of the proposed vendors: from now on the vendor's members see the
 * ticket (and only it), and are asked for a quote.
 */
export async function pickVendor(ctx: UseCaseContext, typedRef: string, vendorRef: string): Promise<{ ticket: Ticket; vendor: Vendor }> {
  const { ticket, engagement: e } = await ticketAndEngagement(ctx, typedRef);
  VendorPolicy.assertPick(ctx.actor, ticket);
  EngagementFlow.assert(e, 'pick', ticket.ref);
  const vendor = await vendorByRef(ctx, vendorRef);
  // A forged choice of a vendor nobody proposed changes nothing.
  if (!e.proposedVendorIds.includes(vendor.id)) throw new DomainError('forbidden');
  const now = ctx.clock.now();
  if (!Vendor.isCertified(vendor, now)) throw new DomainError('vendor_not_certified', { name: vendor.name });
  const next = await ctx.repos.vendors.updateEngagement(
    e.id,
    'proposed',
    { status: 'picked', vendorId: vendor.id, pickedBy: Actor.recordedId(ctx.actor) },
    now,
  );
  await applied(ctx, e, ticket, 'pick', next);
  const engaged = await engageVendor(ctx, ticket, vendor.id);
  await recordStep(ctx, engaged, 'proposed', 'picked', vendor.ref);

  const org = await ctx.repos.people.findOrganisation(ticket.organisationId);
  await tellEach(ctx.notifier, await ctx.repos.vendors.memberIds(vendor.id), (l) => ({
    title: t(l, 'engagement.picked.vendor_title', { ref: ticket.ref }),
    text: t(l, 'engagement.picked.vendor', {
      ref: ticket.ref,
      org: neutralizeMentions(org?.name ?? '?'),
      priority: ticket.priority,
      title: forChannel(ticket.title, 120),
      description: forChannel(ticket.description, 400),
    }),
    buttons: [{ actionId: 'ticket.details', value: ticket.ref, label: t(l, 'button.details') }],
  }));
  await tellEach(
    ctx.notifier,
    await requesterSideIds(ctx.repos, ticket),
    (l) => ({ text: t(l, 'engagement.picked.nonprofit', { ref: ticket.ref, vendor: neutralizeMentions(vendor.name) }) }),
    ctx.actor.personId,
  );
  return { ticket: engaged, vendor };
}
