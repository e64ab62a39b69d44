import { categoryOfKind, categoryOfText } from '../cmdb/model.ts';
import type { Turn } from '../kernel/turn.ts';
import { createTicket } from '../tickets/create-ticket.ts';
import type { IntakeState } from './dialog-state.ts';
import { t } from './messages.ts';

/** The ticket's category: from the chosen item's kind, else from the device, title and description words. */
export function ticketCategory(s: IntakeState): string | null {
  const ofKind = s.itemKind ? categoryOfKind(s.itemKind) : null;
  return ofKind ?? categoryOfText(s.device ?? '') ?? categoryOfText(`${s.title ?? ''} ${s.description ?? ''}`);
}

/** Confirm pressed: the ticket is created (once per dialog, by its idempotency key). */
export async function submitIntake(turn: Turn, s: IntakeState): Promise<void> {
  const ctx = turn.ctx;
  if (!s.kind || !s.impact || !s.urgency || !s.title || !s.description) return;
  const { ticket } = await createTicket(ctx, {
    kind: s.kind,
    title: s.title,
    // A device that matched none of the organisation's items stays in the requester's words.
    description: s.device && !s.itemId ? `${s.description}\n\n${t(turn.locale, 'details.device')}: ${s.device}` : s.description,
    impact: s.impact,
    urgency: s.urgency,
    configurationItemId: s.itemId ?? null,
    // What it is about, so repeated incidents can be grouped: the chosen item's kind, else the words.
    category: ticketCategory(s),
    idempotencyKey: `intake:${turn.inbound.platform}:${turn.person.id}:${s.dialogId}`,
  });
  await ctx.repos.dialogs.delete(turn.dialogKey);
  // The offer declined before this ticket: the deflection funnel counts what it led to.
  if (s.offerId) await ctx.repos.community.linkOfferTicket(s.offerId, ticket.id);
  turn.reply({
    text: t(turn.locale, 'intake.created', { ref: ticket.ref, priority: `P${ticket.priority}` }),
    fields: [
      { label: t(turn.locale, 'card.status'), value: t(turn.locale, `status.${ticket.status}`) },
      { label: t(turn.locale, 'card.priority'), value: `P${ticket.priority}` },
    ],
  });
}
