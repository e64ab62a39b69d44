/**
 * Conversation throughput: N simulated requesters complete the whole (shorter) intake concurrently
 * through the engine (no platform: replies stay in the outbox). Beside it, in the same run, the
 * floor: the rows the engine wrote, written directly with plain SQL, one statement per table,
 * one transaction per message (each message: the delivery mark, the dialog state, the reply in
 * the outbox; the last: the ticket, its history, its SLA events, the dialog deleted, the reply and
 * the card), so `ratio_to_floor` (engine ÷ floor throughput) shows what the engine adds. Both
 * are first warmed up, untimed, with WARMUP other requesters: a server's pool is warm (each new
 * connection loads the text-search dictionaries and plans its first prepared statements), and
 * without it the engine, run first, paid that for the floor too.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Inbound } from '../core/kernel/message.ts';
import { createStack } from '../test/stack.ts';
import { round, summarize } from './stats.ts';

const REQUESTERS = Number(process.env.BENCH_REQUESTERS ?? 200);
/** The shorter intake: the first message says kind, device, title and description; impact, urgency and Confirm follow. */
const MESSAGES_PER_INTAKE = 4;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 40);
/**
 * 200 other requesters at a person's pace: each reads the answer and takes 1–3 s to send the next
 * message (spread evenly, the same in every run), the first messages spread over 2 s. The timed
 * run has every requester send again the instant it is answered: its latency is mostly the queue
 * of up to 200 waiting messages (mean ≈ 200 ÷ messages/s while all are busy), the floor's too.
 */
const THINK_MS = (requester: number, message: number) => 1000 + ((requester * 7919 + message * 104_729) % 2000);

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  await stack.dispatcher.stop();
  try {
    const orgId = await stack.org('Associazione Bench ODV', '97999999998');
    await stack.bind('volunteers', 'web', 'volontari');
    for (let i = 0; i < REQUESTERS; i++)
      await stack.person({ platform: 'web', externalId: `req${i}`, name: `Richiedente ${i}`, roles: ['requester'], orgId });
    for (let i = 0; i < WARMUP; i++)
      await stack.person({ platform: 'web', externalId: `warm${i}`, name: `Riscaldamento ${i}`, roles: ['requester'], orgId });
    for (let i = 0; i < REQUESTERS; i++)
      await stack.person({ platform: 'web', externalId: `paced${i}`, name: `Richiedente calmo ${i}`, roles: ['requester'], orgId });

    const perMessage: number[] = [];
    const send = async (from: string, e: Pick<Inbound, 'text' | 'action'>) => {
      const t0 = performance.now();
      await stack.engine.handle({
        platform: 'web',
        deliveryId: randomUUID(),
        conversation: { id: from, kind: 'dm' },
        sender: { externalId: from },
        ...e,
      });
      perMessage.push(performance.now() - t0);
    };
    let dialogState = '';
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const intakes = (prefix: string, n: number, think?: (requester: number, message: number) => number) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const who = `${prefix}${i}`;
          if (think) await pause((i * 2000) / n);
          await send(who, { text: 'La stampante non stampa più da stamattina' });
          if (think) await pause(think(i, 1));
          await send(who, { action: { id: 'intake.impact', value: '2' } });
          if (think) await pause(think(i, 2));
          await send(who, { action: { id: 'intake.urgency', value: '2' } });
          const dialog = await stack.tdb.db
            .selectFrom('dialogs')
            .select('state')
            .where('key', 'like', `web:${who}:%`)
            .executeTakeFirstOrThrow();
          if (i === 0 && !think) dialogState = JSON.stringify(dialog.state);
          if (think) await pause(think(i, 3));
          await send(who, { action: { id: 'intake.confirm', value: (dialog.state as { dialogId: string }).dialogId } });
        }),
      );
    await intakes('warm', WARMUP);
    perMessage.length = 0;
    const t0 = performance.now();
    await intakes('req', REQUESTERS);
    const engineMs = performance.now() - t0;
    const timed = [...perMessage];
    perMessage.length = 0;
    await intakes('paced', REQUESTERS, THINK_MS);
    const paced = [...perMessage];
    const db = stack.tdb.db;
    const tickets = Number((await sql<{ n: number }>`select count(*)::int as n from tickets`.execute(db)).rows[0]!.n);
    if (tickets !== 2 * REQUESTERS + WARMUP) throw new Error(`expected ${2 * REQUESTERS + WARMUP} tickets, got ${tickets}`);

    // The floor writes what the engine wrote for one requester, row for row: the replies and the
    // card as they are in the outbox, a dialog state of the intake's size, the ticket's SLA events.
    const sample = await db
      .selectFrom('tickets')
      .innerJoin('identities', 'identities.person_id', 'tickets.requester_id')
      .select(['tickets.id', 'tickets.created_at'])
      .where('identities.external_id', '=', 'req0')
      .executeTakeFirstOrThrow();
    const sla = (
      await sql<{
        target: string;
        kind: string;
        due_at: Date;
      }>`select target, kind, due_at from sla_events where ticket_id = ${sample.id}`.execute(db)
    ).rows;
    const offsets = sla.map((e) => `${(e.due_at.getTime() - sample.created_at.getTime()) / 1000} seconds`);
    const replies = await sql<{
      message: string;
      channel: boolean;
    }>`select message::text as message, address->>'kind' = 'channel' as channel
      from outbox where address->>'conversationId' in ('req0', 'volontari') order by seq`.execute(db);
    const dm = replies.rows.filter((r) => !r.channel).map((r) => r.message);
    const card = replies.rows.find((r) => r.channel)?.message;
    if (dm.length !== MESSAGES_PER_INTAKE || !card) throw new Error(`expected ${MESSAGES_PER_INTAKE} replies and a card for req0`);

    const direct: number[] = [];
    const personIds = await db.selectFrom('identities').select(['external_id', 'person_id']).where('platform', '=', 'web').execute();
    const idOf = new Map(personIds.map((r) => [r.external_id, r.person_id]));
    const floor = (prefix: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const who = `${prefix}${i}`;
          const key = `direct:${who}`;
          const address = JSON.stringify({ platform: 'web', kind: 'dm', conversationId: `direct-${who}` });
          const channel = JSON.stringify({ platform: 'web', kind: 'channel', conversationId: 'volontari-direct' });
          for (let m = 0; m < MESSAGES_PER_INTAKE; m++) {
            const s = performance.now();
            await db.transaction().execute(async (trx) => {
              await sql`insert into inbound_deliveries (platform, delivery_id, seen_at) values ('web', ${randomUUID()}, now())`.execute(
                trx,
              );
              if (m < MESSAGES_PER_INTAKE - 1) {
                await sql`insert into dialogs (key, state, expires_at) values (${key}, ${dialogState}::jsonb, now() + interval '2 hours')
                on conflict (key) do update set state = excluded.state, expires_at = excluded.expires_at`.execute(trx);
                await sql`insert into outbox (platform, address, message, status, attempts, next_attempt_at, created_at)
                values ('web', ${address}::jsonb, ${dm[m]}::jsonb, 'pending', 0, now(), now())`.execute(trx);
              } else {
                const { rows } = await sql<{
                  id: string;
                }>`insert into tickets (ref, kind, title, description, category, impact, urgency, priority, tier, status,
                  organisation_id, requester_id, idempotency_key, created_at, updated_at)
                values ('INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 6, '0'), 'incident', 'La stampante non stampa più da stamattina',
                  'La stampante non stampa più da stamattina', 'printer', 2, 2, 3, 'volunteer', 'new', ${orgId}, ${idOf.get(who)!},
                  ${`direct:${who}`}, now(), now()) returning id`.execute(trx);
                const ticketId = rows[0]!.id;
                await sql`insert into ticket_events (ticket_id, actor_id, at, field, from_value, to_value) values (${ticketId}, ${idOf.get(who)!}, now(), 'status', null, 'new')`.execute(
                  trx,
                );
                await sql`insert into sla_events (ticket_id, target, kind, due_at, created_at)
                select ${ticketId}, e.target, e.kind, now() + e.after::interval, now()
                from unnest(${sla.map((e) => e.target)}::text[], ${sla.map((e) => e.kind)}::text[], ${offsets}::text[]) as e(target, kind, after)`.execute(
                  trx,
                );
                await sql`delete from dialogs where key = ${key}`.execute(trx);
                await sql`insert into outbox (platform, address, message, status, attempts, next_attempt_at, created_at)
                values ('web', ${address}::jsonb, ${dm[m]}::jsonb, 'pending', 0, now(), now()),
                  ('web', ${channel}::jsonb, ${card}::jsonb, 'pending', 0, now(), now())`.execute(trx);
              }
            });
            direct.push(performance.now() - s);
          }
        }),
      );
    await floor('warm', WARMUP);
    direct.length = 0;
    const d0 = performance.now();
    await floor('req', REQUESTERS);
    const directMs = performance.now() - d0;

    const engineTps = round((REQUESTERS / engineMs) * 1000, 1);
    const directTps = round((REQUESTERS / directMs) * 1000, 1);
    return {
      requesters: REQUESTERS,
      messages: timed.length,
      tickets_per_s: engineTps,
      messages_per_s: round((timed.length / engineMs) * 1000, 1),
      ...summarize('message', timed),
      ...summarize('paced_message', paced),
      direct_tickets_per_s: directTps,
      direct_messages_per_s: round((direct.length / directMs) * 1000, 1),
      ...summarize('direct_message', direct),
      sla_events_per_ticket: sla.length,
      ratio_to_floor: round(engineTps / directTps, 2),
    };
  } finally {
    await stack.close();
  }
}
