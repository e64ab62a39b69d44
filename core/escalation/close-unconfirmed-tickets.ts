import { Actor } from '../kernel/actor.ts';
import { type Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Store } from '../kernel/ports.ts';
import { rescheduleSla } from '../sla/sla-events.ts';
import { announceTicket } from '../tickets/ticket-notices.ts';
import { t } from './messages.ts';

const DAY_MS = 86_400_000;

/**
 * Closes tickets resolved more than `afterDays` days ago that the requester never confirmed
 * (nor reopened), one transaction each: status, history (by the system), the card, a plain
 * word to the requester and a note to the owner. A ticket changed meanwhile is left alone.
 *
 * @returns the refs closed.
 */
export async function closeUnconfirmedTickets(
  opts: { readonly store: Store; readonly clock: Clock; readonly defaultLocale: Locale },
  afterDays: number,
): Promise<string[]> {
  const { store, clock } = opts;
  const cutoff = new Date(clock.now().getTime() - afterDays * DAY_MS);
  const due = (await store.tickets.list({ statuses: ['resolved'] })).filter((x) => x.resolvedAt && x.resolvedAt <= cutoff);
  const closed: string[] = [];
  for (const ticket of due) {
    const done = await store.transaction(async (repos) => {
      const now = clock.now();
      const updated = await repos.tickets.compareAndSet(
        ticket.id,
        { status: 'resolved', assigneeId: ticket.assigneeId },
        { status: 'closed', closedAt: now },
        now,
      );
      if (!updated) return false;
      await repos.tickets.addEvents([
        {
          ticketId: ticket.id,
          actorId: null,
          at: now,
          field: 'status',
          from: 'resolved',
          to: 'closed',
          note: `auto-close after ${afterDays} days`,
        },
      ]);
      await rescheduleSla({ repos, clock }, updated);
      const notifier = new Notifier(repos, opts.defaultLocale);
      await announceTicket({ repos, clock, notifier, actor: Actor.system(), defaultLocale: opts.defaultLocale }, updated);
      await notifier.toPerson(updated.requesterId, (l) => ({ text: t(l, 'sla.auto_closed', { ref: updated.ref, days: afterDays }) }));
      if (updated.assigneeId) await notifier.toPerson(updated.assigneeId, (l) => ({ text: t(l, 'notice.closed', { ref: updated.ref }) }));
      await notifier.flush(now);
      return true;
    });
    if (done) closed.push(ticket.ref);
  }
  return closed;
}
