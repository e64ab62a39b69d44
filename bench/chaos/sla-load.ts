/**
 * SLA timers coming due during the run, and a clock jump.
 *
 * Two batches of tickets, opened by one requester (on Telegram) outside the chat load and never
 * claimed, so every event of their plan fires: P5 with a 24×7 policy of seconds (response 8 s,
 * resolution 16 s by default: re-announce, report, warnings and breaches fall due while the faults happen),
 * and P4 with one of hours (response 60 min, resolution 120 min), which would fire nothing during
 * the run.
 *
 * The clock jump: the system clock cannot be moved under running processes, so the run does what
 * a jump of the wall clock by JUMP_HOURS means to the product: every pending deadline of the P4
 * batch is moved that much earlier in `sla_events` (the table is the truth for every deadline).
 * Their timers in the queue still point at the old times; the reconciliation sweep (every worker,
 * every minute, and at each worker's start) must fire them, each once, and the old timers must
 * find them fired. The chat load's own tickets (P2, business hours) are not moved: their
 * requesters are mid-dialog, and the dialog driver reads their next message.
 *
 * Counted afterwards: events due by the end that never fired, events fired twice (two fired rows
 * of one ticket, target and kind), and tickets whose notices differ in number from the rest of
 * their batch (see `figures`).
 */
import { type Kysely, sql } from 'kysely';
import { Notifier } from '../../core/kernel/notifier.ts';
import type { Priority } from '../../core/kernel/ticket.ts';
import { resolveActor } from '../../core/people/resolve-actor.ts';
import { createTicket } from '../../core/tickets/create-ticket.ts';
import type { KyselyStore } from '../../db/kysely-store.ts';
import type { Database } from '../../db/schema.ts';
import { retrying } from './lifecycle.ts';

const SHORT: Priority = 5;
const LONG: Priority = 4;
export const JUMP_HOURS = 3;

export interface SlaFigures {
  readonly tickets: number;
  readonly events_due: number;
  readonly events_fired: number;
  readonly jumped: number;
  readonly never_fired: number;
  readonly fired_twice: number;
  readonly notices: number;
}

export class SlaBatch {
  readonly ids: string[] = [];
  jumped = 0;
  private seq = 0;

  constructor(
    private readonly store: KyselyStore,
    private readonly db: Kysely<Database>,
    private readonly requester: { readonly platform: 'telegram'; readonly externalId: string },
  ) {}

  /** The two policies (before the processes start, though every process reads them afresh). */
  static async policies(store: KyselyStore, responseS: number): Promise<void> {
    const at = new Date();
    await store.sla.savePolicy(
      { tier: 'volunteer', priority: SHORT, responseMinutes: responseS / 60, resolutionMinutes: (2 * responseS) / 60, allHours: true },
      null,
      at,
    );
    await store.sla.savePolicy(
      { tier: 'volunteer', priority: LONG, responseMinutes: 60, resolutionMinutes: 120, allHours: true },
      null,
      at,
    );
  }

  /** Opens `count` tickets of the short (seconds) or long (hours) policy. */
  async open(count: number, which: 'short' | 'long'): Promise<void> {
    const priority = which === 'short' ? SHORT : LONG;
    // Impact 3 (one person) with urgency 3 is P5, with urgency 2 P4.
    const impact = 3;
    const urgency = which === 'short' ? 3 : 2;
    for (let i = 0; i < count; i++) {
      const n = ++this.seq;
      const clock = { now: () => new Date() };
      // Opened while faults fire (PostgreSQL may be restarting): tried again, the idempotency
      // key making a retry after an unheard commit find the ticket instead of opening another.
      const ticket = await retrying(() =>
        this.store.transaction(async (repos) => {
          const { actor } = await resolveActor(repos, clock, this.requester, 'it');
          const notifier = new Notifier(repos, 'it');
          const r = await createTicket(
            { repos, clock, actor, notifier, defaultLocale: 'it' },
            {
              kind: 'incident',
              title: `Scadenza di prova ${n} P${priority}`,
              description: 'Ticket del lotto SLA della prova di affidabilità',
              impact,
              urgency,
              idempotencyKey: `chaos-sla-${n}`,
            },
          );
          await notifier.flush(clock.now());
          return r.ticket;
        }),
      );
      this.ids.push(ticket.id);
    }
  }

  /** The wall clock jumps JUMP_HOURS forward for the long batch: its pending deadlines move that much earlier. */
  async jump(): Promise<number> {
    const r = await sql`
      update sla_events e set due_at = e.due_at - make_interval(hours => ${JUMP_HOURS})
      from tickets t
      where t.id = e.ticket_id and e.ticket_id = any(${this.ids}) and e.fired_at is null and t.priority = ${LONG}`.execute(this.db);
    this.jumped += Number(r.numAffectedRows ?? 0);
    return this.jumped;
  }

  /** Events of the batch due by now and not fired (what the settle waits for); -1 when the database cannot answer. */
  async pendingDue(): Promise<number> {
    const r = await sql<{ n: number }>`
      select count(*)::int as n from sla_events where ticket_id = any(${this.ids}) and fired_at is null and due_at <= now()`
      .execute(this.db)
      .catch(() => undefined);
    return r?.rows[0]?.n ?? -1;
  }

  /** The last deadline of the batch still to come. */
  async lastDue(): Promise<Date | undefined> {
    const r = await sql<{ at: Date | null }>`select max(due_at) as at from sla_events where ticket_id = any(${this.ids})`.execute(this.db);
    return r.rows[0]?.at ?? undefined;
  }

  async figures(report: (line: string) => void): Promise<SlaFigures> {
    const db = this.db;
    const events = (
      await sql<{ due: number; fired: number; never: number; twice: number }>`
        select
          (select count(*)::int from sla_events where ticket_id = any(${this.ids}) and due_at <= now()) as due,
          (select count(*)::int from sla_events where ticket_id = any(${this.ids}) and fired_at is not null) as fired,
          (select count(*)::int from sla_events where ticket_id = any(${this.ids}) and due_at <= now() and fired_at is null) as never,
          (select coalesce(sum(n - 1), 0)::int from (
             select count(*) as n from sla_events where ticket_id = any(${this.ids}) and fired_at is not null
             group by ticket_id, target, kind having count(*) > 1) x) as twice`.execute(db)
    ).rows[0]!;
    // Every ticket of a batch is treated alike (never claimed, every event fired), so each gets
    // the same notices: the posts naming it (rows with a ref upsert its card). A ticket with more
    // than the batch's usual count had a firing twice, one with fewer a firing lost. (Texts cannot
    // tell: with targets of seconds the 75 % and 90 % warnings both say "less than a minute left",
    // and one transaction may fire both.)
    const perTicket = (
      await sql<{ ref: string; priority: number; n: number }>`
        select t.ref, t.priority, count(o.id)::int as n
        from tickets t left join outbox o on position(t.ref in o.message->>'text') > 0 and o.ref is null
        where t.id = any(${this.ids}) group by t.ref, t.priority`.execute(db)
    ).rows;
    let noticesTwice = 0;
    let noticesMissing = 0;
    for (const priority of new Set(perTicket.map((x) => x.priority))) {
      const group = perTicket.filter((x) => x.priority === priority);
      const usual = mode(group.map((x) => x.n));
      for (const x of group) {
        if (x.n !== usual) report(`SLA notices of ${x.ref}: ${x.n}, the batch's usual ${usual}`);
        if (x.n > usual) noticesTwice += x.n - usual;
        else noticesMissing += usual - x.n;
      }
    }
    return {
      tickets: this.ids.length,
      events_due: events.due,
      events_fired: events.fired,
      jumped: this.jumped,
      never_fired: events.never + noticesMissing,
      fired_twice: events.twice + noticesTwice,
      notices: perTicket.reduce((a, x) => a + x.n, 0),
    };
  }
}

/** The most frequent value (the smallest of equals). */
function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
}
