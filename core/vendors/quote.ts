import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { type Engagement, EngagementFlow, formatAmount } from './engagement.ts';
import { t } from './messages.ts';
import { Vendor } from './model.ts';
import { applied, ticketAndEngagement } from './propose-and-pick.ts';
import { ictLeadIds, moderatorIds, requesterSideIds, tellEach } from './recipients.ts';
import { engageVendor, moveToVendorTier, recordStep } from './ticket-moves.ts';
import { VendorPolicy } from './vendor-policy.ts';

export const QUOTE_NOTE_MAX = 1000;
export const QUOTE_DAYS_MAX = 365;

async function engagedVendor(ctx: UseCaseContext, ticket: Ticket, e: Engagement): Promise<Vendor> {
  const vendor = e.vendorId ? await ctx.repos.vendors.findVendor(e.vendorId) : undefined;
  if (!vendor) throw new DomainError('engagement_state', { ref: ticket.ref, action: 'quote', state: e.status });
  return vendor;
}

const quoteParams = (l: Locale, ticket: Ticket, vendor: Vendor, e: Pick<Engagement, 'quote'>) => ({
  ref: ticket.ref,
  vendor: neutralizeMentions(vendor.name),
  amount: e.quote ? formatAmount(l, e.quote.amountCents) : '—',
  days: e.quote?.days ?? 0,
  note: e.quote ? forChannel(e.quote.note, 500) : '',
});

const decisionButtons = (l: Locale, ref: string) => [
  { actionId: 'vendor.approve', value: ref, label: t(l, 'button.approve_quote'), style: 'primary' as const },
  { actionId: 'vendor.decline', value: ref, label: t(l, 'button.decline_quote'), style: 'danger' as const },
];

/**
 * The engaged vendor's member sends a quote: amount, working days, a note. Only while the
 * vendor is certified and the request waits for a quote (one quote per engagement: after a
 * rejection the nonprofit asks again). The ICT lead gets it with Approve / Reject.
 */
export async function sendQuote(
  ctx: UseCaseContext,
  typedRef: string,
  q: { readonly amountCents: number; readonly days: number; readonly note: string },
): Promise<Engagement> {
  const { ticket, engagement: e } = await ticketAndEngagement(ctx, typedRef);
  const vendor = await engagedVendor(ctx, ticket, e);
  const now = ctx.clock.now();
  VendorPolicy.assertQuote(ctx.actor, vendor, now);
  EngagementFlow.assert(e, 'quote', ticket.ref);
  const note = q.note.trim();
  if (!Number.isInteger(q.days) || q.days < 1 || q.days > QUOTE_DAYS_MAX)
    throw new DomainError('invalid_input', { field: 'days', max: QUOTE_DAYS_MAX });
  if (!note || note.length > QUOTE_NOTE_MAX) throw new DomainError('invalid_input', { field: 'comment', max: QUOTE_NOTE_MAX });
  const quote = { amountCents: q.amountCents, days: q.days, note, by: ctx.actor.personId, at: now };
  const next = await applied(
    ctx,
    e,
    ticket,
    'quote',
    await ctx.repos.vendors.updateEngagement(e.id, 'picked', { status: 'quoted', quote }, now),
  );
  await recordStep(ctx, ticket, 'picked', 'quoted', `${formatAmount('it', q.amountCents)}, ${q.days}`);

  const leads = await ictLeadIds(ctx.repos, ticket.organisationId);
  await tellEach(ctx.notifier, leads, (l) => ({
    title: t(l, 'quote.title', { ref: ticket.ref }),
    text: t(l, 'quote.to_lead', quoteParams(l, ticket, vendor, next)),
    buttons: decisionButtons(l, ticket.ref),
  }));
  if (!leads.includes(ticket.requesterId)) {
    await ctx.notifier.toPerson(ticket.requesterId, (l) => ({
      text: t(l, leads.length ? 'quote.to_requester' : 'quote.no_lead', quoteParams(l, ticket, vendor, next)),
    }));
  }
  if (leads.length === 0)
    await tellEach(ctx.notifier, await moderatorIds(ctx.repos), (l) => ({
      text: t(l, 'quote.no_lead_staff', quoteParams(l, ticket, vendor, next)),
    }));
  return next;
}

/**
 * The quote is approved or rejected. The ICT lead decides a quote (only them: not the
 * requester, not staff); above the organisation's spending cap a moderator gives the second
 * approval. Approved, the ticket moves to the vendor tier and the vendor SLA starts. Repeated or
 * late presses (approve twice, reject after approval) change nothing and say why.
 */
export async function decideQuote(ctx: UseCaseContext, typedRef: string, approve: boolean, reason = ''): Promise<Engagement> {
  const { ticket, engagement: e } = await ticketAndEngagement(ctx, typedRef);
  const a = ctx.actor;
  // Nobody approves their own company's quote, whatever other role they hold.
  if (e.vendorId && VendorPolicy.isMember(a, e.vendorId)) throw new DomainError('forbidden');
  const lead = VendorPolicy.isIctLead(a, ticket.organisationId);
  const second = e.status === 'awaiting_second_approval' && Actor.has(a, 'moderator');
  // Two approvals are two people: whoever approved first cannot also approve second.
  if (second && approve && e.approvedBy === a.personId) throw new DomainError('forbidden');
  if (!second) {
    if (!lead && Actor.has(a, 'moderator')) EngagementFlow.assert(e, approve ? 'second_approve' : 'decline', ticket.ref);
    VendorPolicy.assertApproveQuote(a, ticket);
  }
  const step = approve ? (second ? 'second_approve' : 'approve_quote') : 'decline';
  EngagementFlow.assert(e, step, ticket.ref);
  if (second) VendorPolicy.assertSecondApproval(a);
  const vendor = await engagedVendor(ctx, ticket, e);
  const now = ctx.clock.now();
  if (!approve) return decline(ctx, ticket, e, vendor, reason);
  // An approval starts paid work: the vendor must still be certified at this moment.
  if (!Vendor.isCertified(vendor, now)) throw new DomainError('vendor_not_certified', { name: vendor.name });

  if (!second) {
    const cap = await ctx.repos.vendors.budgetCap(ticket.organisationId);
    if (cap !== undefined && (e.quote?.amountCents ?? 0) > cap) {
      const next = await applied(
        ctx,
        e,
        ticket,
        step,
        await ctx.repos.vendors.updateEngagement(e.id, 'quoted', { status: 'awaiting_second_approval', approvedBy: a.personId }, now),
      );
      await recordStep(ctx, ticket, 'quoted', 'awaiting_second_approval');
      const params = (l: Locale) => ({ ...quoteParams(l, ticket, vendor, next), cap: formatAmount(l, cap) });
      await tellEach(ctx.notifier, await moderatorIds(ctx.repos), (l) => ({
        title: t(l, 'quote.title', { ref: ticket.ref }),
        text: t(l, 'quote.second_approval', params(l)),
        buttons: decisionButtons(l, ticket.ref),
      }));
      await tellEach(
        ctx.notifier,
        await requesterSideIds(ctx.repos, ticket),
        (l) => ({ text: t(l, 'quote.over_cap', params(l)) }),
        a.personId,
      );
      return next;
    }
  }
  const patch = second
    ? { status: 'active' as const, secondApprovedBy: a.personId, startedAt: now }
    : { status: 'active' as const, approvedBy: a.personId, startedAt: now };
  const next = await applied(ctx, e, ticket, step, await ctx.repos.vendors.updateEngagement(e.id, e.status, patch, now));
  await startWork(ctx, ticket, next, vendor);
  return next;
}

async function decline(ctx: UseCaseContext, ticket: Ticket, e: Engagement, vendor: Vendor, reasonTyped: string): Promise<Engagement> {
  const now = ctx.clock.now();
  const reason = reasonTyped.trim().slice(0, 500);
  const next = await applied(
    ctx,
    e,
    ticket,
    'decline',
    await ctx.repos.vendors.updateEngagement(e.id, e.status, { status: 'declined', endedAt: now, endReason: reason || null }, now),
  );
  // Rejected, the vendor no longer sees the ticket.
  const left = await engageVendor(ctx, ticket, null);
  await recordStep(ctx, left, e.status, 'declined', reason || null);
  const params = (l: Locale) => ({ ...quoteParams(l, ticket, vendor, e), reason: reason ? forChannel(reason, 300) : '—' });
  await tellEach(ctx.notifier, await ctx.repos.vendors.memberIds(vendor.id), (l) => ({ text: t(l, 'quote.declined_vendor', params(l)) }));
  await tellEach(
    ctx.notifier,
    await requesterSideIds(ctx.repos, ticket),
    (l) => ({ text: t(l, 'quote.declined', params(l)) }),
    ctx.actor.personId,
  );
  return next;
}

/** Approved: the ticket moves to the vendor tier, the vendor's members are asked to take it. */
async function startWork(ctx: UseCaseContext, ticket: Ticket, e: Engagement, vendor: Vendor): Promise<void> {
  const previousOwner = ticket.assigneeId;
  const vendorTicket = await moveToVendorTier(ctx, ticket, `${vendor.ref} ${vendor.name}`);
  await recordStep(ctx, vendorTicket, e.secondApprovedBy ? 'awaiting_second_approval' : 'quoted', 'active');
  const params = (l: Locale) => quoteParams(l, vendorTicket, vendor, e);
  await tellEach(ctx.notifier, await ctx.repos.vendors.memberIds(vendor.id), (l) => ({
    text: t(l, 'engagement.started.vendor', params(l)),
    buttons: [
      { actionId: 'ticket.claim', value: vendorTicket.ref, label: t(l, 'button.claim'), style: 'primary' },
      { actionId: 'ticket.details', value: vendorTicket.ref, label: t(l, 'button.details') },
    ],
  }));
  await tellEach(
    ctx.notifier,
    await requesterSideIds(ctx.repos, vendorTicket),
    (l) => ({ text: t(l, 'engagement.started.nonprofit', params(l)) }),
    ctx.actor.personId,
  );
  if (previousOwner) await ctx.notifier.toPerson(previousOwner, (l) => ({ text: t(l, 'engagement.started.volunteer', params(l)) }));
  await ctx.notifier.toChannels('committee', (l) => ({ text: t(l, 'engagement.started.committee', params(l)) }));
}
