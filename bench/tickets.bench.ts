/**
 * Ticket creation through the core use case (authorisation, id allocation, priority, history,
 * the card in the outbox, one transaction each) against PostgreSQL, beside the same ticket
 * rows inserted with plain SQL in the same run.
 */
import { sql } from 'kysely';
import { Notifier } from '../core/kernel/notifier.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { createTicket } from '../core/tickets/create-ticket.ts';
import { createStack } from '../test/stack.ts';
import { round, summarize, timedPool } from './stats.ts';

const N = Number(process.env.BENCH_TICKETS ?? 2000);
const CONCURRENCY = 8;

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  await stack.dispatcher.stop();
  try {
    const orgId = await stack.org('Associazione Bench ODV', '97999999999');
    const personId = await stack.person({ platform: 'web', externalId: 'bench', name: 'Bench Requester', roles: ['requester'], orgId });
    await stack.bind('volunteers', 'web', 'volontari');
    const person = (await stack.store.people.findPerson(personId))!;
    const actor = await actorForPerson(stack.store, person);

    const viaCore = await timedPool(N, CONCURRENCY, async (i) => {
      await stack.store.transaction(async (repos) => {
        const notifier = new Notifier(repos, 'it');
        await createTicket(
          { repos, clock: stack.clock, actor, notifier, defaultLocale: 'it' },
          { kind: 'incident', title: `Stampante ${i}`, description: 'La stampante non stampa', impact: 2, urgency: 2 },
        );
        await notifier.flush(stack.clock.now());
      });
    });

    const db = stack.tdb.db;
    const viaSql = await timedPool(N, CONCURRENCY, async (i) => {
      // One statement: the ref from the same sequence, the row, nothing else (no history, no card).
      await sql`insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status,
          organisation_id, requester_id, created_at, updated_at)
        values ('INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 6, '0'), 'incident', ${`Stampante ${i}`},
          'La stampante non stampa', 2, 2, 3, 'volunteer', 'new', ${orgId}, ${personId}, now(), now())`.execute(db);
    });

    const core = { tickets_per_s: round((N / viaCore.wallMs) * 1000, 1), ...summarize('core', viaCore.durations) };
    const plain = { sql_tickets_per_s: round((N / viaSql.wallMs) * 1000, 1), ...summarize('sql', viaSql.durations) };
    return {
      tickets: N,
      concurrency: CONCURRENCY,
      ...core,
      ...plain,
      core_vs_sql_ratio: round(plain.sql_tickets_per_s / core.tickets_per_s, 2),
    };
  } finally {
    await stack.close();
  }
}
