/**
 * Conversation throughput: N simulated requesters complete the whole (shorter) intake concurrently
 * through the engine (no platform: replies stay in the outbox). Beside it, in the same run,
 * the same database writes done directly (per message: the delivery mark, the dialog upsert,
 * the reply in the outbox; at the end the ticket, its history and its card), so the ratio
 * shows what the engine adds.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Inbound } from '../core/kernel/message.ts';
import { createStack } from '../test/stack.ts';
import { round, summarize } from './stats.ts';

const REQUESTERS = Number(process.env.BENCH_REQUESTERS ?? 200);
/** The shorter intake: the first message says kind, device, title and description; impact, urgency and Confirm follow. */
const MESSAGES_PER_INTAKE = 4;

export async function run(): Promise<Record<string, number | string>> {
  const stack = await createStack();
  await stack.dispatcher.stop();
  try {
    const orgId = await stack.org('Associazione Bench ODV', '97999999998');
    await stack.bind('volunteers', 'web', 'volontari');
    for (let i = 0; i < REQUESTERS; i++)
      await stack.person({ platform: 'web', externalId: `req${i}`, name: `Richiedente ${i}`, roles: ['requester'], orgId });

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
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: REQUESTERS }, async (_, i) => {
        const who = `req${i}`;
        await send(who, { text: 'La stampante non stampa più da stamattina' });
        await send(who, { action: { id: 'intake.impact', value: '2' } });
        await send(who, { action: { id: 'intake.urgency', value: '2' } });
        const dialog = await stack.tdb.db
          .selectFrom('dialogs')
          .select('state')
          .where('key', 'like', `web:${who}:%`)
          .executeTakeFirstOrThrow();
        await send(who, { action: { id: 'intake.confirm', value: (dialog.state as { dialogId: string }).dialogId } });
      }),
    );
    const engineMs = performance.now() - t0;
    const tickets = Number((await sql<{ n: number }>`select count(*)::int as n from tickets`.execute(stack.tdb.db)).rows[0]!.n);
    if (tickets !== REQUESTERS) throw new Error(`expected ${REQUESTERS} tickets, got ${tickets}`);

    const db = stack.tdb.db;
    const direct: number[] = [];
    const personIds = await db.selectFrom('identities').select(['external_id', 'person_id']).where('platform', '=', 'web').execute();
    const idOf = new Map(personIds.map((r) => [r.external_id, r.person_id]));
    const d0 = performance.now();
    await Promise.all(
      Array.from({ length: REQUESTERS }, async (_, i) => {
        const who = `req${i}`;
        const key = `direct:${who}`;
        const address = JSON.stringify({ platform: 'web', kind: 'dm', conversationId: who });
        for (let m = 0; m < MESSAGES_PER_INTAKE; m++) {
          const s = performance.now();
          await db.transaction().execute(async (trx) => {
            await sql`insert into inbound_deliveries (platform, delivery_id, seen_at) values ('web', ${randomUUID()}, now())`.execute(trx);
            await sql`insert into outbox (platform, address, message, status, attempts, next_attempt_at, created_at)
              values ('web', ${address}::jsonb, '{"text":"ok"}'::jsonb, 'pending', 0, now(), now())`.execute(trx);
            if (m < MESSAGES_PER_INTAKE - 1) {
              await sql`insert into dialogs (key, state, expires_at) values (${key}, ${JSON.stringify({ step: m })}::jsonb, now() + interval '2 hours')
                on conflict (key) do update set state = excluded.state, expires_at = excluded.expires_at`.execute(trx);
            } else {
              const { rows } = await sql<{
                id: string;
              }>`insert into tickets (ref, kind, title, description, impact, urgency, priority, tier, status,
                  organisation_id, requester_id, created_at, updated_at)
                values ('INC-' || lpad(nextval('ticket_ref_inc_seq')::text, 6, '0'), 'incident', 'Stampante ferma', 'La stampante non stampa',
                  2, 2, 3, 'volunteer', 'new', ${orgId}, ${idOf.get(who)!}, now(), now()) returning id`.execute(trx);
              await sql`insert into ticket_events (ticket_id, actor_id, at, field, from_value, to_value) values (${rows[0]!.id}, ${idOf.get(who)!}, now(), 'status', null, 'new')`.execute(
                trx,
              );
              await sql`insert into outbox (platform, address, message, status, attempts, next_attempt_at, created_at)
                values ('web', ${JSON.stringify({ platform: 'web', kind: 'channel', conversationId: 'volontari' })}::jsonb, '{"text":"card"}'::jsonb, 'pending', 0, now(), now())`.execute(
                trx,
              );
              await sql`delete from dialogs where key = ${key}`.execute(trx);
            }
          });
          direct.push(performance.now() - s);
        }
      }),
    );
    const directMs = performance.now() - d0;

    const engineTps = round((REQUESTERS / engineMs) * 1000, 1);
    const directTps = round((REQUESTERS / directMs) * 1000, 1);
    return {
      requesters: REQUESTERS,
      messages: perMessage.length,
      tickets_per_s: engineTps,
      messages_per_s: round((perMessage.length / engineMs) * 1000, 1),
      ...summarize('message', perMessage),
      direct_tickets_per_s: directTps,
      ...summarize('direct_message', direct),
      engine_overhead_ratio: round(directTps / engineTps, 2),
    };
  } finally {
    await stack.close();
  }
}
