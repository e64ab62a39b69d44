import { Notifier } from '../kernel/notifier.ts';
import type { OutboxEntry } from '../kernel/outbox.ts';
import type { Repositories } from '../kernel/ports.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { loadSlaContext } from '../sla/sla-events.ts';
import { type FiredSlaEvent, type FireSlaOptions, stillApplies } from './fire-sla-event.ts';
import { sendSlaNotices } from './sla-notices.ts';

/** Events fired in one transaction at most (default of `fireSlaBatch`). */
export const SLA_BATCH_LIMIT = 200;

/**
 * Fires SLA event `eventId` — and, in the same transaction, up to `limit - 1` other events that
 * are due and that nobody else holds — with every message of every event in one outbox insert.
 * A flood of events due at one instant (a policy change, a worker back after an outage) then
 * costs one transaction per batch instead of one per event; the timers of the events fired
 * here find them fired and end with one query.
 *
 * Exactly once, as `fireSlaEvent`: each event is marked fired by one conditional UPDATE
 * (`fired_at` still null), with its ticket's row and its own row locked. The only waits come
 * first — the own event's ticket (unless `skipBusy`), then the own event's row — and
 * everything after is taken `SKIP LOCKED`: the other due events, then their tickets. So a
 * transaction never waits while holding another's rows, and no cycle of waits can form; a
 * ticket someone is changing keeps its events for their own timers or the next sweep. Only
 * events whose ticket this transaction holds are marked.
 *
 * @example for (const f of await fireSlaBatch(opts, job.data.eventId)) metrics(f)
 */
export async function fireSlaBatch(
  opts: FireSlaOptions,
  eventId: string,
  how: { readonly skipBusy?: boolean; readonly limit?: number } = {},
): Promise<FiredSlaEvent[]> {
  // An obsolete or already fired timer (most of a flood's, once a batch took their events)
  // ends here, with one query and no transaction.
  const pending = await opts.store.sla.findEvent(eventId);
  if (!pending || pending.firedAt) return [];
  return opts.store.transaction(async (repos) => {
    const own = await repos.sla.lockTicket(pending.ticketId, { skipLocked: how.skipBusy === true });
    if (!own) return [];
    // Held by another batch at most, which passes over it (it cannot lock our ticket) and ends
    // without waiting for anything: this wait is short and closes no cycle.
    await repos.sla.lockEvent(eventId);
    const now = opts.clock.now();
    const others = await repos.sla.lockDue(now, (how.limit ?? SLA_BATCH_LIMIT) - 1, [eventId]);
    const tickets = new Map<string, Ticket>([[own.id, own]]);
    const otherTicketIds = [...new Set(others.map((e) => e.ticketId))].filter((id) => id !== own.id);
    for (const t of await repos.sla.lockTickets(otherTicketIds, { skipLocked: true })) tickets.set(t.id, t);
    const ids = [eventId, ...others.filter((e) => tickets.has(e.ticketId)).map((e) => e.id)];
    const events = (await repos.sla.markFiredMany(ids, now)).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    if (events.length === 0) return [];

    const rows: OutboxEntry[] = [];
    const batch = batchRepos(repos, rows);
    const sla = await loadSlaContext(repos);
    const fired: FiredSlaEvent[] = [];
    for (const event of events) {
      const ticket = tickets.get(event.ticketId) as Ticket;
      if (!stillApplies(ticket, event)) {
        fired.push({ event, ticketRef: ticket.ref, outbox: 0 });
        continue;
      }
      const notifier = new Notifier(batch, opts.defaultLocale);
      await sendSlaNotices({ repos: batch, notifier, sla, now }, ticket, event);
      fired.push({ event, ticketRef: ticket.ref, outbox: await notifier.flush(now) });
    }
    await repos.outbox.enqueue(rows, now);
    return fired;
  });
}

/**
 * The transaction's repositories for a batch of firings: the outbox collects the rows (written
 * once, at the end, in firing order), and the lookups every firing repeats — the organisation,
 * the requester and their accounts, the bound channels, the moderators, a vendor and its
 * members — are read once per batch. Nothing in a firing writes those.
 */
function batchRepos(repos: Repositories, rows: OutboxEntry[]): Repositories {
  // Derived from `repos`, not a copy: a store may make its repositories on first use, with
  // getters that a spread would not carry.
  return Object.create(repos, {
    outbox: { value: withMethod(repos.outbox, 'enqueue', async (entries: readonly OutboxEntry[]) => void rows.push(...entries)) },
    people: { value: memoized(repos.people, ['findOrganisation', 'findPerson', 'listIdentities', 'listPeopleWithRole']) },
    channels: { value: memoized(repos.channels, ['list']) },
    vendors: { value: memoized(repos.vendors, ['findVendor', 'memberIds']) },
  }) as Repositories;
}

/** `target` (a class instance) with method `name` replaced. */
function withMethod<T extends object, K extends keyof T & string>(target: T, name: K, fn: T[K]): T {
  return new Proxy(target, {
    get(t, key) {
      if (key === name) return fn;
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** `target` with the read methods `names` answered once per distinct argument list (arrays copied: callers sort them). */
function memoized<T extends object>(target: T, names: readonly (keyof T & string)[]): T {
  const cache = new Map<string, Promise<unknown>>();
  return new Proxy(target, {
    get(t, key) {
      const v = Reflect.get(t, key, t) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(t);
      if (!names.includes(key as keyof T & string)) return fn;
      return (...args: unknown[]) => {
        const k = `${String(key)}\u0000${JSON.stringify(args)}`;
        let hit = cache.get(k);
        if (!hit) {
          hit = fn(...args);
          cache.set(k, hit);
        }
        return hit.then((r) => (Array.isArray(r) ? [...r] : r));
      };
    },
  });
}
