import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { type Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { rescheduleSla } from '../sla/sla-events.ts';
import { findTicketOrThrow } from './find-ticket.ts';
import { t } from './messages.ts';
import { Policy } from './policy.ts';
import type { TicketPatch } from './ports.ts';
import { announceTicket } from './ticket-notices.ts';
import { type TicketAction, TicketStateMachine } from './ticket-status.ts';

/** Actions that cannot be taken without saying why (shown to the other side). */
const NOTE_REQUIRED: ReadonlySet<TicketAction> = new Set(['hold', 'resolve']);

export type StatusAction = Exclude<TicketAction, 'claim'>;

/**
 * Moves a ticket through its state machine on behalf of the actor: checks the policy and the
 * transition, applies it atomically (a concurrent change makes this one fail cleanly), records
 * the history, refreshes the card, and tells the other side.
 */
export async function changeTicketStatus(ctx: UseCaseContext, typedRef: string, action: StatusAction, note?: string): Promise<Ticket> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  Policy.assertTransition(ctx.actor, ticket, action);
  const to = TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, action);
  const text = note?.trim() ?? '';
  if (NOTE_REQUIRED.has(action) && !text) throw new DomainError('note_required', { ref: ticket.ref });

  const now = ctx.clock.now();
  const patch: TicketPatch = { status: to, ...effects(action, ctx.actor.personId, now) };
  const updated = await ctx.repos.tickets.compareAndSet(ticket.id, { status: ticket.status, assigneeId: ticket.assigneeId }, patch, now);
  if (!updated) throw new DomainError('stale', { ref: ticket.ref });

  await ctx.repos.tickets.addEvents([
    { ticketId: ticket.id, actorId: Actor.recordedId(ctx.actor), at: now, field: 'status', from: ticket.status, to, note: text || null },
    ...(patch.assigneeId !== undefined && patch.assigneeId !== ticket.assigneeId
      ? [
          {
            ticketId: ticket.id,
            actorId: Actor.recordedId(ctx.actor),
            at: now,
            field: 'assignee',
            from: ticket.assigneeId,
            to: patch.assigneeId,
            note: null,
          },
        ]
      : []),
  ]);
  await rescheduleSla(ctx, updated);
  if (text && !Actor.isSystem(ctx.actor) && (action === 'resolve' || action === 'hold' || action === 'reopen')) {
    await ctx.repos.tickets.addComment({ ticketId: ticket.id, authorId: ctx.actor.personId, body: text, internal: false, createdAt: now });
  }
  await announceTicket(ctx, updated);
  await tellOtherSide(ctx, updated, action, text);
  return updated;
}

function effects(action: StatusAction, actorId: string, now: Date): TicketPatch {
  switch (action) {
    case 'unclaim':
      return { assigneeId: null, pendingOn: null };
    case 'hold':
      return { pendingOn: 'requester' };
    case 'resume':
      return { pendingOn: null };
    case 'resolve':
      return { pendingOn: null, resolvedAt: now };
    case 'reopen':
      return { resolvedAt: null };
    case 'confirm':
    case 'close':
      return { closedAt: now };
    case 'cancel':
      return { closedAt: now, pendingOn: null };
    default:
      void actorId;
      return {};
  }
}

async function tellOtherSide(ctx: UseCaseContext, ticket: Ticket, action: StatusAction, note: string): Promise<void> {
  const who = ctx.actor.displayName;
  const toRequester = (compose: (l: Locale) => OutMessage) =>
    ticket.requesterId !== ctx.actor.personId ? ctx.notifier.toPerson(ticket.requesterId, compose) : Promise.resolve(false);
  const toOwner = (compose: (l: Locale) => OutMessage) =>
    ticket.assigneeId && ticket.assigneeId !== ctx.actor.personId
      ? ctx.notifier.toPerson(ticket.assigneeId, compose)
      : Promise.resolve(false);
  switch (action) {
    case 'hold':
      await toRequester((l) => ({ text: t(l, 'notice.on_hold', { ref: ticket.ref, name: who, note }) }));
      return;
    case 'resolve':
      await toRequester((l) => ({
        text: t(l, 'notice.resolved', { ref: ticket.ref, name: who, note }),
        buttons: [
          { actionId: 'ticket.confirm', value: ticket.ref, label: t(l, 'button.confirm'), style: 'primary' },
          { actionId: 'ticket.reopen', value: ticket.ref, label: t(l, 'button.reopen') },
        ],
      }));
      return;
    case 'confirm':
    case 'close':
      await toOwner((l) => ({ text: t(l, 'notice.closed', { ref: ticket.ref }) }));
      return;
    case 'reopen':
      await toOwner((l) => ({ text: t(l, 'notice.reopened', { ref: ticket.ref, note: note || '—' }) }));
      return;
    case 'resume':
    case 'start':
      await toRequester((l) => ({ text: t(l, 'notice.in_progress', { ref: ticket.ref, name: who }) }));
      return;
    case 'unclaim':
      await toRequester((l) => ({ text: t(l, 'notice.unclaimed', { ref: ticket.ref }) }));
      return;
    case 'cancel':
      await toRequester((l) => ({ text: t(l, 'notice.cancelled', { ref: ticket.ref, name: who }) }));
      await toOwner((l) => ({ text: t(l, 'notice.cancelled', { ref: ticket.ref, name: who }) }));
      return;
    default:
      return;
  }
}
