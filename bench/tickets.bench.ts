/**
 * Ticket creation through the core use case (authorisation, id allocation, priority, history,
 * SLA events, the card in the outbox, one transaction each) against PostgreSQL, beside the same
 * ticket rows inserted with plain SQL (one autocommitted statement each) in the same run, in
 * alternating rounds. `ratio_to_floor` = core tickets/s ÷ plain SQL tickets/s.
 */
import { readFileSync } from 'node:fs';
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
    // CPU time spent by this process and by its PostgreSQL backends (Linux: /proc/<pid>/schedstat,
    // nanoseconds on a CPU), read between the timed batches: what a ticket costs, whatever else
    // runs on the machine.
    const backends = async () =>
      (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db)).rows.map((r) => r.pid);
    const backendNs = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + schedstatNs(`/proc/${pid}/schedstat`), 0);
    const core = { durations: [] as number[], wallMs: 0, nodeUs: 0, pgNs: 0 };
    const plain = { durations: [] as number[], wallMs: 0, nodeUs: 0, pgNs: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      const from = r * PER_ROUND;
      for (const [into, task] of [
        [core, viaCore],
        [plain, viaSql],
      ] as const) {
        const pids = await backends();
        const pg0 = backendNs(pids);
        const node0 = process.cpuUsage();
        const batch = await timedPool(PER_ROUND, CONCURRENCY, (i) => task(2 * N + from + i));
        const node = process.cpuUsage(node0);
        into.pgNs += backendNs(pids) - pg0;
        into.nodeUs += node.user + node.system;
        into.durations.push(...batch.durations);
        into.wallMs += batch.wallMs;
      }
    }

    // The floor is the product's own ticket row: checked on the first of each.
    const columns = sql`kind, description, category, impact, urgency, priority, tier, status, pending_on, organisation_id,
      requester_id, assignee_id, vendor_id, configuration_item_id, idempotency_key, rating, resolved_at, closed_at`;
    const rowOf = async (title: string) =>
      JSON.stringify((await sql`select ${columns} from tickets where title = ${title}`.execute(db)).rows[0] ?? null);
    const [ours, floors] = await Promise.all([rowOf('Stampante 0'), rowOf(`Stampante ${N}`)]);
    if (ours !== floors) throw new Error(`the floor's ticket row is not the product's: ${floors} against ${ours}`);
    const timed = PER_ROUND * ROUNDS;
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
      // CPU per ticket in ms: this process (the bench driver included) and the pool's backends.
      core_node_cpu_ms: round(core.nodeUs / 1000 / timed, 3),
      core_pg_cpu_ms: round(core.pgNs / 1e6 / timed, 3),
      sql_node_cpu_ms: round(plain.nodeUs / 1000 / timed, 3),
      sql_pg_cpu_ms: round(plain.pgNs / 1e6 / timed, 3),
    };
  } finally {
    await stack.close();
  }
}

/** Nanoseconds a process has spent on a CPU; 0 where /proc has no such file (not Linux, gone). */
function schedstatNs(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}
