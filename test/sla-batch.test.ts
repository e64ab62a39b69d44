/**
 * The batched SLA firing (core/escalation/fire-sla-batch.ts) on PostgreSQL: a flood of due
 * events fired by many concurrent timer jobs — each event once, each with its messages — and a
 * redelivered job firing nothing.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireSlaBatch } from '../core/escalation/fire-sla-batch.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Ticket } from '../core/kernel/ticket.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { seedOrganisation, seedPerson, T0 } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, lockWaiters, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let org: Organisation;
let requester: Person;
const now = new Date('2025-03-10T10:00:00.000Z');
const opts = () => ({ store, clock: { now: () => now }, defaultLocale: 'it' as const });

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  org = await seedOrganisation(store);
  requester = await seedPerson(store);
  await store.people.linkIdentity({ platform: 'web', externalId: 'giulia', personId: requester.id, lastSeenAt: T0 });
  for (const purpose of ['volunteers', 'committee'] as const)
    await store.channels.bind({
      purpose,
      platform: 'web',
      conversationId: purpose,
      threadId: null,
      organisationId: null,
      boundBy: null,
      boundAt: T0,
    });
});

afterAll(async () => {
  await tdb?.drop();
});

async function tickets(n: number): Promise<Ticket[]> {
  const out: Ticket[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      await store.tickets.insert({
        ref: await store.tickets.nextRef('incident'),
        kind: 'incident',
        title: `Stampante ${i}`,
        description: 'Non stampa',
        category: null,
        impact: 2,
        urgency: 2,
        priority: 3,
        tier: 'volunteer',
        organisationId: org.id,
        requesterId: requester.id,
        configurationItemId: null,
        idempotencyKey: null,
        createdAt: T0,
      }),
    );
  return out;
}

/** One due response breach per ticket; returns the event ids. */
async function dueBreaches(ts: readonly Ticket[]): Promise<string[]> {
  const ids: string[] = [];
  for (const t of ts) {
    await store.sla.rewrite(t.id, [], [{ target: 'response', kind: 'breach', dueAt: new Date(now.getTime() - 60_000) }], T0);
    ids.push((await store.sla.listEvents(t.id))[0]!.id);
  }
  return ids;
}

const outboxRows = async () => Number((await sql<{ n: string }>`select count(*) as n from outbox`.execute(tdb.db)).rows[0]?.n);

describe('fireSlaBatch', () => {
  it('fires a flood once per event across concurrent jobs, each with its messages, in batches', async () => {
    const ids = await dueBreaches(await tickets(40));
    const before = await outboxRows();
    // Every timer job at once, twice over (redelivered), batches of at most 7.
    const runs = await Promise.all([...ids, ...ids].map((id) => fireSlaBatch(opts(), id, { limit: 7 })));
    const fired = runs.flat().map((f) => f.event.id);
    expect(fired.sort()).toEqual([...ids].sort());
    expect(Math.max(...runs.map((r) => r.length))).toBeLessThanOrEqual(7);
    expect(runs.filter((r) => r.length > 1).length).toBeGreaterThan(0); // some did fire others' events
    // A breach: the volunteers and committee channels, and the requester.
    expect(runs.flat().every((f) => f.outbox === 3)).toBe(true);
    expect((await outboxRows()) - before).toBe(3 * ids.length);
    for (const id of ids) expect((await store.sla.findEvent(id))?.firedAt).toEqual(now);
    // Redelivered once more after the flood: nothing fires, nothing is written.
    expect(await fireSlaBatch(opts(), ids[0]!)).toEqual([]);
    expect((await outboxRows()) - before).toBe(3 * ids.length);
  });

  it('a warning fired in the same batch as its breach still says when the target falls due', async () => {
    const [t] = await tickets(1);
    await store.sla.rewrite(
      t!.id,
      [],
      [
        { target: 'response', kind: 'warn_75', dueAt: new Date(now.getTime() - 120_000) },
        { target: 'response', kind: 'breach', dueAt: new Date(now.getTime() - 60_000) },
      ],
      T0,
    );
    const warning = (await store.sla.listEvents(t!.id)).find((e) => e.kind === 'warn_75')!;
    const fired = await fireSlaBatch(opts(), warning.id);
    expect(fired.map((f) => f.event.kind).sort()).toEqual(['breach', 'warn_75']);
    const texts = (
      await sql<{ text: string }>`select message->>'text' as text from outbox where message->>'text' like ${`%${t!.ref}%scade%`}`.execute(
        tdb.db,
      )
    ).rows.map((r) => r.text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).not.toContain('scade —');
  });

  it('leaves the events of a ticket someone holds to their own timer, which waits for it', async () => {
    const [busy, free] = await tickets(2);
    const [busyEvent, freeEvent] = await dueBreaches([busy!, free!]);
    let fromOther: string[] = [];
    let own: Promise<string[]> | undefined;
    await store.transaction(async (repos) => {
      await repos.sla.lockTicket(busy!.id); // a use case changing the ticket
      fromOther = (await fireSlaBatch(opts(), freeEvent!)).map((f) => f.event.id);
      own = fireSlaBatch(opts(), busyEvent!).then((r) => r.map((f) => f.event.id));
      // Its own timer waits for the ticket rather than passing over it.
      let settled = false;
      void own.then(() => (settled = true));
      await lockWaiters(tdb.db, 1, () => settled);
      expect(settled).toBe(false);
    });
    expect(fromOther).toEqual([freeEvent]);
    expect(await own).toEqual([busyEvent]);
  });
});
