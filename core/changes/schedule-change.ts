/**
 * Scheduling a change's window (Rome wall time): checked (ends after it starts, not in the past,
 * at most seven days), conflicts with other planned changes reported (same item or same
 * organisation at the same time), and one silence per configuration item it touches for the
 * window, so the alerts the change will cause are held back. Rescheduling moves the window and
 * replaces the silences.
 */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { formatDate } from '../kernel/format.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { TicketStateMachine } from '../tickets/ticket-status.ts';
import { tellRequesterAndOwner } from './change-notices.ts';
import { ChangePolicy } from './change-policy.ts';
import { windowText } from './change-replies.ts';
import { checkWindow } from './change-window.ts';
import { type Conflict, conflictsOf } from './conflicts.ts';
import { findChangeOrThrow, moveChange } from './find-change.ts';
import { t } from './messages.ts';

export interface ScheduleResult {
  readonly ticket: Ticket;
  readonly rescheduled: boolean;
  readonly conflicts: readonly Conflict[];
  /** The configuration items silenced during the window. */
  readonly itemIds: readonly string[];
}

export async function scheduleChange(
  ctx: UseCaseContext,
  typedRef: string,
  window: { readonly start: Date; readonly end: Date },
): Promise<ScheduleResult> {
  const ticket = await findChangeOrThrow(ctx, typedRef);
  ChangePolicy.assertOwner(ctx.actor, ticket);
  TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, 'schedule');
  const now = ctx.clock.now();
  const l = ctx.actor.locale;
  checkWindow(window, now, { start: formatDate(l, window.start), end: formatDate(l, window.end) });
  const details = await ctx.repos.changes.findDetails(ticket.id);
  if (!details) throw new DomainError('illegal_transition', { action: 'schedule', status: ticket.status });

  const itemIds = await ctx.repos.changes.listItems(ticket.id);
  const others = (await ctx.repos.changes.listCalendar(window.start, window.end)).flatMap((c) =>
    c.windowStart && c.windowEnd && c.ticketId !== ticket.id
      ? [{ ref: c.ref, organisationId: c.organisationId, start: c.windowStart, end: c.windowEnd, itemIds: c.itemIds }]
      : [],
  );
  const conflicts = conflictsOf({ ref: ticket.ref, organisationId: ticket.organisationId, ...window, itemIds }, others);

  await ctx.repos.changes.setWindow(ticket.id, window.start, window.end, now);
  const rescheduled = ticket.status === 'scheduled';
  const event = {
    field: 'window',
    from: details.windowStart && details.windowEnd ? `${details.windowStart.toISOString()}/${details.windowEnd.toISOString()}` : null,
    to: `${window.start.toISOString()}/${window.end.toISOString()}`,
    note: null,
  };
  const updated = await moveChange(ctx, ticket, rescheduled ? undefined : 'schedule', null, { extra: [event] });

  const createdBy = Actor.recordedId(ctx.actor) ?? ticket.assigneeId ?? ticket.requesterId;
  await ctx.repos.monitoring.replaceChangeSilences(
    ticket.id,
    itemIds.map((id) => ({
      organisationId: ticket.organisationId,
      configurationItemId: id,
      startsAt: window.start,
      endsAt: window.end,
      reason: ticket.ref,
      createdBy,
      changeId: ticket.id,
    })),
  );
  await tellRequesterAndOwner(ctx, updated, (rl) => ({
    text: t(rl, 'change.notice.scheduled', { ref: updated.ref, title: updated.title, window: windowText(rl, window.start, window.end) }),
  }));
  return { ticket: updated, rescheduled, conflicts, itemIds };
}
