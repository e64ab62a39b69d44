/**
 * The reliability run (issue 16): `npm run bench -- chaos`.
 *
 * Topology (bench/chaos/topology.ts): a PostgreSQL server the run owns (initdb in a temporary
 * directory, a free port; never the shared 5432) and a Redis of its own; the Telegram, Slack and
 * Discord fakes in this process; two app processes (the `npm start` bundle: HTTP, the Telegram
 * webhook, the Slack Bolt receiver; the first also holds the Discord gateway, one per shard) and
 * two `sportello worker` processes delivering every platform's outbox — each a child in its own
 * process group.
 *
 * Load, all at once: requesters on each platform open tickets through the intake dialog in their
 * DMs (Telegram updates and signed Slack events POSTed to the two apps in turn, a refused or broken
 * request sent again to the other one as the platform would; Discord messages and interactions
 * over the gateway); every volunteer of the platform presses "Prendo io" on each card at once;
 * the winner comments and resolves by command (bench/chaos/lifecycle.ts). Simulated monitoring
 * agents send signed reports, some resent, each agent's disk turning critical (one alert, one
 * incident each; agents-load.ts). A batch of tickets with SLA targets of seconds has re-announces,
 * warnings and breaches falling due during the faults; a batch with targets of hours is brought
 * due by the clock jump (sla-load.ts explains the jump: pending deadlines moved earlier in the
 * database, which the reconciliation sweep must fire, once).
 *
 * Faults, spread over the load by its progress (faults.ts): each platform answering 429 with
 * Retry-After and 500 for a while, a Discord gateway disconnect and resume, `kill -9` of each app
 * and of a worker (restarted), PostgreSQL restarted twice (fast and immediate shutdown), Redis
 * FLUSHALL and Redis restarted empty, the SLA clock jump. Discord's gateway does not hand a new
 * session what a killed process had received, so the Discord load waits (gate.ts) while the
 * process holding the gateway is killed and restarted.
 *
 * Afterwards (figures.ts, message-count.ts): tickets expected vs stored and duplicated, claims
 * with no or several owners, chat messages expected vs delivered and duplicated per platform
 * (outbox rows against what each fake received; Slack posts carry their row in metadata, Discord
 * posts in the nonce), SLA events due but never fired or fired twice, alerts and incidents lost
 * or duplicated. Blind resends of rows in flight in a killed process where the platform offers no
 * check (Telegram) are reported as `in_flight`, not as duplicates. The JSON holds `lost` and
 * `duplicated` per kind, `in_flight`, the faults injected and the load served; the run throws
 * (exits non-zero) on any loss, duplicate or failed step. test/chaos.test.ts runs it small.
 *
 * Tunables (environment): CHAOS_INTAKES (90), CHAOS_REQUESTERS per platform (3), CHAOS_VOLUNTEERS
 * per platform (4), CHAOS_AGENTS (20), CHAOS_REPORTS per agent (8), CHAOS_SETTLE_MS (150000).
 */
import { FULL_RUN, runChaos } from './chaos/run-chaos.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

export function run(): Promise<Record<string, unknown>> {
  return runChaos({
    ...FULL_RUN,
    intakes: env('CHAOS_INTAKES', FULL_RUN.intakes),
    requestersPerPlatform: env('CHAOS_REQUESTERS', FULL_RUN.requestersPerPlatform),
    volunteersPerPlatform: env('CHAOS_VOLUNTEERS', FULL_RUN.volunteersPerPlatform),
    agents: env('CHAOS_AGENTS', FULL_RUN.agents),
    reportsPerAgent: env('CHAOS_REPORTS', FULL_RUN.reportsPerAgent),
    settleMs: env('CHAOS_SETTLE_MS', FULL_RUN.settleMs),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ bench: 'chaos', ...(await run()) }));
  process.exit(0);
}
