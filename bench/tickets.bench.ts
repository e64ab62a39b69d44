/**
 * Ticket creation through the core use case (authorisation, id allocation, priority, history,
 * SLA events, the card in the outbox, one transaction each) against PostgreSQL, beside the same
 * ticket rows inserted with plain SQL (one autocommitted statement each) in the same run, in
 * alternating rounds. `ratio_to_floor` = core tickets/s ÷ plain SQL tickets/s.
 */
import { sql } from 'kysely';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { createStack } from '../test/stack.ts';
import { round, summarize, timedPool } from './stats.ts';

const N = Number(process.env.BENCH_TICKETS ?? 2000);
const CONCURRENCY = 8;
const ROUNDS = 4;
const PER_ROUND = Math.max(1, Math.round(N / ROUNDS));
const WARM_UP = 100;

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  await stack.dispatcher.stop();
  try {
    const orgId = await stack.org('Associazione Bench ODV', '97999999999');
    const personId = await stack.person({ platform: 'web', externalId: 'bench', name: 'Bench Requester', roles: ['requester'], orgId });
    await stack.bind('volunteers', 'web', 'volontari');
    const person = (await stack.store.people.findPerson(personId))!;
    const actor = await actorForPerson(stack.store, person);

    const viaCore = async (i: number) => {
      await stack.store.transaction(async (repos) => {
        const notifier = new Notifier(repos, 'it');
        await createTicket(
          { repos, clock: stack.clock, actor, notifier, defaultLocale: 'it' },
          { kind: 'incident', title: `Stampante ${i}`, description: 'La stampante non stampa', impact: 2, urgency: 2 },
        );
        await notifier.flush(stack.clock.now());
      });
    };
    const db = stack.tdb.db;
    const viaSql = async (i: number) => {
      // One statement: the ref from the same sequence, the row, nothing else (no history, no card).
      await sql`insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status,
          organisation_id, requester_id, created_at, updated_at)
        values ('INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 6, '0'), 'incident', ${`Stampante ${i}`},
          'La stampante non stampa', 2, 2, 3, 'volunteer', 'new', ${orgId}, ${personId}, now(), now())`.execute(db);
    };

    // Both warmed up first (JIT, the pool's connections), then timed in alternating rounds, so
    // the load of whatever else runs on the machine weighs on both alike.
    await timedPool(WARM_UP, CONCURRENCY, viaCore);
    await timedPool(WARM_UP, CONCURRENCY, (i) => viaSql(N + i));
    const core = { durations: [] as number[], wallMs: 0 };
    const plain = { durations: [] as number[], wallMs: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const from = r * PER_ROUND;
      for (const [into, task] of [
        [core, viaCore],
        [plain, viaSql],
      ] as const) {
        const batch = await timedPool(PER_ROUND, CONCURRENCY, (i) => task(2 * N + from + i));
        into.durations.push(...batch.durations);
        into.wallMs += batch.wallMs;
      }
    }

    const tickets_per_s = round((PER_ROUND * ROUNDS * 1000) / core.wallMs, 1);
    const sql_tickets_per_s = round((PER_ROUND * ROUNDS * 1000) / plain.wallMs, 1);
    return {
      tickets: PER_ROUND * ROUNDS,
      concurrency: CONCURRENCY,
      tickets_per_s,
      ...summarize('core', core.durations),
      sql_tickets_per_s,
      ...summarize('sql', plain.durations),
      ratio_to_floor: round(tickets_per_s / sql_tickets_per_s, 2),
    };
  } finally {
    await stack.close();
  }
}
