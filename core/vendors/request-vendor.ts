import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { Button } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { isOpen, type Ticket } from '../kernel/ticket.ts';
import { loadSlaContext } from '../sla/sla-events.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { type Engagement, newRequest } from './engagement.ts';
import { type MatchCandidate, matchVendors } from './match-vendors.ts';
import { t } from './messages.ts';
import { REGIONS, type Vendor, type VendorCategory } from './model.ts';
import { moderatorIds, tellEach } from './recipients.ts';
import { recordStep } from './ticket-moves.ts';
import { VendorPolicy } from './vendor-policy.ts';
import { vendorStats } from './vendor-stats.ts';

export type RequestOutcome =
  | { readonly kind: 'requested'; readonly ticket: Ticket; readonly engagement: Engagement }
  | { readonly kind: 'already'; readonly ticket: Ticket; readonly engagement: Engagement | undefined }
  /** A volunteer suggested it: the nonprofit was asked. */
  | { readonly kind: 'suggested'; readonly ticket: Ticket };

/**
 * Asks for a vendor on a ticket: by the nonprofit's side (requester, ICT lead) or a moderator for
 * them — from `fornitore <id>` or the "Ask for a vendor" button after a volunteer-tier breach. A
 * volunteer's `fornitore <id>` is a suggestion: the requester gets the offer, with the button. A
 * ticket has one live request at a time; asking again says where it stands. The moderators get
 * the request with the automatic match to confirm.
 */
export async function requestVendor(
  ctx: UseCaseContext,
  typedRef: string,
  want: { readonly category: VendorCategory | null; readonly region: string | null },
): Promise<RequestOutcome> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  if (!isOpen(ticket.status)) throw new DomainError('illegal_transition', { action: 'request_vendor', status: ticket.status });
  const requesterSide = VendorPolicy.isRequesterSide(ctx.actor, ticket);
  if (!requesterSide && !Actor.isStaff(ctx.actor) && Actor.has(ctx.actor, 'volunteer')) return suggest(ctx, ticket);
  VendorPolicy.assertRequest(ctx.actor, ticket);
  const live = await ctx.repos.vendors.findEngagementForTicket(ticket.id);
  if (live || ticket.tier === 'vendor') return { kind: 'already', ticket, engagement: live };
  const now = ctx.clock.now();
  const engagement = await ctx.repos.vendors.insertEngagement(
    newRequest({
      ticketId: ticket.id,
      organisationId: ticket.organisationId,
      category: want.category,
      region: want.region,
      requestedBy: Actor.recordedId(ctx.actor),
      requestedAt: now,
    }),
  );
  // Two requests at once: the other one won, and this one says so.
  if (!engagement) return { kind: 'already', ticket, engagement: await ctx.repos.vendors.findEngagementForTicket(ticket.id) };
  await recordStep(ctx, ticket, null, 'requested', want.category);
  await notifyModerators(ctx, ticket, engagement);
  return { kind: 'requested', ticket, engagement };
}

async function suggest(ctx: UseCaseContext, ticket: Ticket): Promise<RequestOutcome> {
  await recordStep(ctx, ticket, null, 'suggested');
  const escalate = (l: Locale): Button => ({
    actionId: 'ticket.escalate',
    value: ticket.ref,
    label: t(l, 'button.ask_vendor'),
    style: 'primary',
  });
  await ctx.notifier.toPerson(ticket.requesterId, (l) => ({
    text: t(l, 'engagement.suggested', { ref: ticket.ref, name: neutralizeMentions(ctx.actor.displayName) }),
    buttons: [escalate(l)],
  }));
  return { kind: 'suggested', ticket };
}

/** The certified vendors that fit the request, best first (the proposal a moderator confirms). */
export async function automaticMatch(
  ctx: Pick<UseCaseContext, 'repos' | 'clock'>,
  e: Pick<Engagement, 'category' | 'region'>,
): Promise<Vendor[]> {
  const now = ctx.clock.now();
  const sla = await loadSlaContext(ctx.repos);
  const certified = await ctx.repos.vendors.listVendors({ certifiedAt: now, ...(e.category ? { category: e.category } : {}) });
  const candidates: MatchCandidate[] = [];
  for (const vendor of certified) candidates.push({ vendor, stats: await vendorStats(ctx.repos, vendor, now, sla) });
  return matchVendors(candidates, { category: e.category, region: e.region }, now).map((c) => c.vendor);
}

/** Tells every moderator about a request (a new one, or one handed back), with the automatic match. */
export async function notifyModerators(
  ctx: UseCaseContext,
  ticket: Ticket,
  e: Engagement,
  opts: { readonly handedBackFrom?: Vendor } = {},
): Promise<void> {
  const [org, match] = await Promise.all([ctx.repos.people.findOrganisation(ticket.organisationId), automaticMatch(ctx, e)]);
  const refs = match.map((v) => v.ref);
  const params = (l: Locale) => ({
    ref: ticket.ref,
    priority: ticket.priority,
    org: neutralizeMentions(org?.name ?? '?'),
    title: forChannel(ticket.title, 80),
    category: e.category ? t(l, `category.${e.category}`) : t(l, 'engagement.any_category'),
    region: e.region ? (REGIONS[e.region] ?? e.region) : t(l, 'engagement.any_region'),
    match: match.map((v) => `${v.ref} ${neutralizeMentions(v.name)}`).join(', '),
    vendor: opts.handedBackFrom ? neutralizeMentions(opts.handedBackFrom.name) : '',
  });
  await tellEach(
    ctx.notifier,
    await moderatorIds(ctx.repos),
    (l) => ({
      text: [
        t(l, opts.handedBackFrom ? 'engagement.moderators.handed_back' : 'engagement.moderators.request', params(l)),
        match.length ? t(l, 'engagement.moderators.match', params(l)) : t(l, 'engagement.moderators.no_match', params(l)),
      ].join('\n'),
      ...(match.length
        ? {
            buttons: [
              {
                actionId: 'vendor.propose',
                value: `${ticket.ref}:${refs.join(',')}`,
                label: t(l, 'button.confirm_match'),
                style: 'primary' as const,
              },
            ],
          }
        : {}),
    }),
    ctx.actor.personId,
  );
}
