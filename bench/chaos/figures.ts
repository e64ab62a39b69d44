/**
 * The counting after the run: tickets, claims, chat messages per platform, SLA events, alerts —
 * expected against what the database and the fakes hold — into the run's JSON. Throws (the run
 * exits non-zero) on anything lost or duplicated, or a step of the load that failed.
 */
import { sql } from 'kysely';
import { nonceOf } from '../../bots/discord/discord-sender.ts';
import { OUTBOX_EVENT_TYPE } from '../../bots/slack/slack-sender.ts';
import type { AgentFleet } from './agents-load.ts';
import type { ChatDriver } from './chat-driver.ts';
import type { DiscordDriver } from './discord-driver.ts';
import { type Faults, failedCalls } from './faults.ts';
import { INTAKE_TITLE, type LoadCounters } from './lifecycle.ts';
import { type Created, countMessages, type MessageFigures } from './message-count.ts';
import { progress } from './processes.ts';
import type { ChaosOptions } from './run-chaos.ts';
import type { SlaBatch } from './sla-load.ts';
import type { Topology } from './topology.ts';
import type { Webhooks } from './webhooks.ts';

export interface RunRecord {
  readonly o: ChaosOptions;
  readonly drivers: readonly ChatDriver<unknown>[];
  readonly discord: DiscordDriver;
  readonly load: Record<string, LoadCounters>;
  readonly faults: Faults;
  readonly errors: readonly string[];
  readonly since: Date;
  readonly sla: SlaBatch;
  readonly fleet: AgentFleet;
  readonly started: number;
  readonly loadMs: number;
  readonly settleMs: number;
  readonly webhooks: readonly Webhooks[];
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** The messages each fake created, as the counting needs them. */
function created(t: Topology, discord: DiscordDriver): Record<'telegram' | 'slack' | 'discord', Created[]> {
  const telegram = t.telegram.calls
    .filter((c) => (c.method === 'sendMessage' || c.method === 'sendPhoto') && c.status === 200)
    .map((c) => ({ id: String((c.result as { message_id: number }).message_id), chat: String(c.payload.chat_id), keyed: false }));
  const slack = t.slack.calls
    .filter((c) => c.ok && (c.method === 'chat.postMessage' || c.method === 'chat.postEphemeral'))
    .map((c, i) =>
      c.method === 'chat.postMessage'
        ? {
            id: String(c.args.ts),
            chat: String(c.args.channel),
            keyed: (c.args.metadata as { event_type?: string } | undefined)?.event_type === OUTBOX_EVENT_TYPE,
          }
        : { id: `ephemeral-${i}`, chat: String(c.args.user), keyed: false },
    );
  for (const m of t.discord.messages.values())
    if (!m.interaction_token && typeof m.nonce !== 'string')
      progress(`discord message without nonce in ${m.channel_id}: ${m.content.slice(0, 120)}`);
  const discordCreated = [...t.discord.messages.values()].map((m) =>
    m.interaction_token
      ? { id: m.id, chat: discord.pressedBy.get(m.interaction_token) ?? m.interaction_token, keyed: false }
      : { id: m.id, chat: m.channel_id, keyed: typeof m.nonce === 'string' },
  );
  return { telegram, slack, discord: discordCreated };
}

export async function figures(t: Topology, r: RunRecord): Promise<Record<string, unknown>> {
  const { db, store } = t;
  const intakesConfirmed = Object.values(r.load).reduce((s, l) => s + l.intakes_confirmed, 0);

  // Tickets of the chat load (their titles say so), and claims.
  const tickets = await db.selectFrom('tickets').select(['title', 'assignee_id']).where('title', 'like', `${INTAKE_TITLE} %`).execute();
  const titles = new Set(tickets.map((x) => x.title));
  const unclaimed = tickets.filter((x) => x.assignee_id === null).length;
  const multiOwner =
    (
      await sql<{ n: number }>`
        select count(*)::int as n from (
          select ticket_id from ticket_events where field = 'assignee' and from_value is null group by ticket_id having count(*) > 1
        ) x`.execute(db)
    ).rows[0]?.n ?? 0;

  // Messages, per platform.
  const inFlight = await store.outbox.inFlightResends(r.since);
  const rejected = failedCalls(t);
  const made = created(t, r.discord);
  // A Discord nonce names its row only through a hash: check that every keyed message's nonce is one of ours.
  const discordRows = await db.selectFrom('outbox').select('id').where('platform', '=', 'discord').execute();
  const nonces = new Set(discordRows.map((x) => nonceOf(x.id)));
  const strangers = [...t.discord.messages.values()].filter((m) => typeof m.nonce === 'string' && !nonces.has(m.nonce)).length;
  const messages: Record<string, MessageFigures> = {};
  for (const p of ['telegram', 'slack', 'discord'] as const)
    messages[p] = await countMessages(db, p, made[p], rejected[p] ?? 0, inFlight[p] ?? 0, progress);
  const per = (key: 'lost' | 'duplicated' | 'in_flight') => Object.fromEntries(Object.entries(messages).map(([p, m]) => [p, m[key]]));

  const slaFigures = await r.sla.figures(progress);
  const alertFigures = await r.fleet.figures(db);

  const lost = {
    tickets: Math.max(0, intakesConfirmed - titles.size),
    claims: unclaimed,
    messages: per('lost'),
    sla_events: slaFigures.never_fired,
    alerts: alertFigures.lost,
  };
  const duplicated = {
    tickets: tickets.length - titles.size,
    claims: multiOwner,
    messages: { ...per('duplicated'), discord: (per('duplicated').discord ?? 0) + strangers },
    sla_events: slaFigures.fired_twice,
    alerts: alertFigures.duplicated,
  };
  const total = (x: typeof lost | typeof duplicated) =>
    x.tickets + x.claims + sum(x.messages as Record<string, number>) + x.sla_events + x.alerts;
  const d = t.discord;
  const result = {
    platforms: ['telegram (webhook)', 'slack (Bolt HTTP receiver)', 'discord (gateway)'],
    size: {
      intakes: r.o.intakes,
      requesters_per_platform: r.o.requestersPerPlatform,
      volunteers_per_platform: r.o.volunteersPerPlatform,
      agents: r.o.agents,
      reports_per_agent: r.o.reportsPerAgent,
      sla_tickets: slaFigures.tickets,
    },
    load_s: seconds(r.loadMs),
    settle_s: seconds(r.settleMs),
    wall_s: seconds(Date.now() - r.started),
    load: {
      ...r.load,
      webhook_retries: r.webhooks.reduce((s, w) => s + w.retried, 0),
      agent_reports: alertFigures.reports_sent,
      agent_reports_resent: alertFigures.reports_resent,
      sla_events_fired: slaFigures.events_fired,
      errors: r.errors.length,
    },
    faults: {
      ...r.faults,
      rejected_calls: rejected,
      discord_gateway: { identifies: d.identifies, resumes: d.resumes, replayed: d.replayed },
      restarts: Object.fromEntries([...t.apps, ...t.workers, t.redis].map((c) => [c.name, c.starts - 1])),
      postgres_restarts: t.pg.starts - 1,
      sla_events_jumped: slaFigures.jumped,
    },
    tickets: { expected: intakesConfirmed, stored: tickets.length, distinct: titles.size },
    messages,
    sla: slaFigures,
    alerts: alertFigures,
    in_flight: { ...per('in_flight'), total: sum(per('in_flight') as Record<string, number>) },
    lost,
    duplicated,
    lost_total: total(lost),
    duplicated_total: total(duplicated),
  };
  if (r.errors.length) progress(`errors:\n  ${r.errors.slice(0, 10).join('\n  ')}`);
  if (result.lost_total !== 0 || result.duplicated_total !== 0 || r.errors.length) {
    progress(JSON.stringify(result));
    throw new Error(
      `chaos: lost ${result.lost_total}, duplicated ${result.duplicated_total}, load errors ${r.errors.length}: ` +
        JSON.stringify({ lost, duplicated, in_flight: result.in_flight, errors: r.errors.slice(0, 5) }),
    );
  }
  return result;
}
