import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Store } from '../kernel/ports.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { SlaClock } from '../sla/sla-clock.ts';
import type { SlaEventRecord } from '../sla/sla-event-kind.ts';
import { loadSlaContext } from '../sla/sla-events.ts';
import { sendSlaNotices } from './sla-notices.ts';

export interface FireSlaOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

export interface FiredSlaEvent {
  readonly event: SlaEventRecord;
  readonly ticketRef: string;
  /** Outbox rows written (0 when the event no longer applied and was only marked). */
  readonly outbox: number;
}

/**
 * Fires one SLA event: in one transaction, marks it fired — `fired_at` is set only if nobody
 * did, so of any number of workers, timer jobs and sweeps racing for it exactly one goes on —
 * and writes its messages to the outbox. The ticket's row is locked first, in the same order the
 * use cases take it, so a change that rewrites the ticket's events either runs before (and the
 * event is gone: nothing fires) or after (and sees it fired). An unknown or already fired id
 * returns undefined: that is how an obsolete timer ends. With `skipBusy` (the sweep), a ticket
 * locked by someone else is passed over instead of waited for: whoever holds it is firing or
 * rewriting its events, and the next sweep sees what remains.
 *
 * @example await fireSlaEvent({ store, clock, defaultLocale: 'it' }, job.data.eventId)
 */
export async function fireSlaEvent(
  opts: FireSlaOptions,
  eventId: string,
  how: { readonly skipBusy?: boolean } = {},
): Promise<FiredSlaEvent | undefined> {
  return opts.store.transaction(async (repos) => {
    const pending = await repos.sla.findEvent(eventId);
    if (!pending || pending.firedAt) return undefined;
    const ticket = await repos.sla.lockTicket(pending.ticketId, { skipLocked: how.skipBusy === true });
    // Busy (the sweep skips locked tickets) or gone: leave the event unfired for the next try.
    // Marking it fired here would commit a firing that sends nothing.
    if (!ticket) return undefined;
    const now = opts.clock.now();
    const event = await repos.sla.markFired(eventId, now);
    if (!event) return undefined;
    // Rewrites keep unfired events in step with the ticket; this only guards against a stray row.
    if (!stillApplies(ticket, event)) return { event, ticketRef: ticket.ref, outbox: 0 };
    const notifier = new Notifier(repos, opts.defaultLocale);
    await sendSlaNotices({ repos, notifier, sla: await loadSlaContext(repos), now }, ticket, event);
    return { event, ticketRef: ticket.ref, outbox: await notifier.flush(now) };
  });
}

export function stillApplies(ticket: Ticket, event: SlaEventRecord): boolean {
  if (event.target === 'resolution') return SlaClock.resolutionPhase(ticket.status) === 'counting';
  return ticket.status === 'new' && (event.target === 'response' || ticket.assigneeId === null);
}
