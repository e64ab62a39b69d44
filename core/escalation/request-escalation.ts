import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { requestVendor } from '../vendors/request-vendor.ts';
import { ESCALATION_FIELD } from './sla-notices.ts';

/**
 * The "Ask for a vendor" button offered after a volunteer-tier breach: the requester (or the
 * org's ICT lead, or a moderator) accepts the offer. It opens the vendor request (the moderators
 * get it with the automatic match to confirm) and records the acceptance in the ticket's history
 * (`escalation: offered → requested`), once.
 *
 * @returns `already: true` when a request was under way (nothing is written); `suggested: true`
 * when a volunteer pressed it (the requester was asked instead).
 */
export async function requestEscalation(
  ctx: UseCaseContext,
  typedRef: string,
): Promise<{ ticket: Ticket; already: boolean; suggested: boolean }> {
  const outcome = await requestVendor(ctx, typedRef, { category: null, region: null });
  const { ticket } = outcome;
  if (outcome.kind !== 'requested') return { ticket, already: outcome.kind === 'already', suggested: outcome.kind === 'suggested' };
  const history = (await ctx.repos.tickets.listEvents(ticket.id)).filter((e) => e.field === ESCALATION_FIELD);
  await ctx.repos.tickets.addEvents([
    {
      ticketId: ticket.id,
      actorId: Actor.recordedId(ctx.actor),
      at: ctx.clock.now(),
      field: ESCALATION_FIELD,
      from: history[history.length - 1]?.to ?? null,
      to: 'requested',
      note: null,
    },
  ]);
  return { ticket, already: false, suggested: false };
}
