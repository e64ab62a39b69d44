import type { UseCaseContext } from '../kernel/context.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { isOpen } from '../kernel/ticket.ts';
import { type EngagementStatus, newRequest } from './engagement.ts';
import { t } from './messages.ts';
import type { Vendor } from './model.ts';
import { requesterSideIds, tellEach } from './recipients.ts';
import { notifyModerators } from './request-vendor.ts';
import { recordStep, returnToVolunteers } from './ticket-moves.ts';

const HANDED_BACK_FROM: readonly EngagementStatus[] = ['picked', 'quoted', 'awaiting_second_approval', 'active'];

/**
 * A vendor suspended, revoked or lapsed keeps no open engagement: each one ends as handed back,
 * its ticket leaves the vendor (an open vendor-tier ticket returns to the volunteers' queue), a
 * new request opens for the moderators to propose another vendor, and the nonprofit is told.
 * Finished work (the ticket resolved or closed) stays the vendor's record.
 *
 * @returns the refs of the tickets handed back.
 */
export async function handBackEngagements(ctx: UseCaseContext, vendor: Vendor, reason: string): Promise<string[]> {
  const now = ctx.clock.now();
  const refs: string[] = [];
  for (const e of await ctx.repos.vendors.listEngagements({ vendorId: vendor.id, statuses: HANDED_BACK_FROM })) {
    const ticket = await ctx.repos.tickets.findById(e.ticketId);
    if (!ticket || !isOpen(ticket.status)) continue;
    const ended = await ctx.repos.vendors.updateEngagement(e.id, e.status, { status: 'handed_back', endedAt: now, endReason: reason }, now);
    if (!ended) continue;
    const back = await returnToVolunteers(ctx, ticket, reason);
    await recordStep(ctx, back, e.status, 'handed_back', reason);
    const again = await ctx.repos.vendors.insertEngagement(
      newRequest({
        ticketId: ticket.id,
        organisationId: ticket.organisationId,
        category: e.category,
        region: e.region,
        requestedBy: null,
        requestedAt: now,
      }),
    );
    if (again) {
      await recordStep(ctx, back, null, 'requested', reason);
      await notifyModerators(ctx, back, again, { handedBackFrom: vendor });
    }
    const params = { ref: ticket.ref, vendor: neutralizeMentions(vendor.name), reason: forChannel(reason, 300) };
    await tellEach(ctx.notifier, await requesterSideIds(ctx.repos, ticket), (l) => ({
      text: t(l, 'engagement.notice.handed_back', params),
    }));
    refs.push(ticket.ref);
  }
  return refs;
}
