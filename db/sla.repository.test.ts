import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Ticket } from '../core/kernel/ticket.ts';
import type { SlaEventRecord } from '../core/sla/sla-event-kind.ts';
import { DEFAULT_SLA_SETTINGS } from '../core/sla/sla-policy.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, lockWaiters, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let org: Organisation;
let requester: Person;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  org = await seedOrganisation(store);
  requester = await seedPerson(store);
});

afterAll(async () => {
  await tdb?.drop();
});

async function ticket(): Promise<Ticket> {
  return store.tickets.insert({
    ref: await store.tickets.nextRef('incident'),
    kind: 'incident',
    title: 'Rete giù',
    description: 'Nessuno naviga',
    category: null,
    impact: 1,
    urgency: 1,
    priority: 1,
    tier: 'volunteer',
    organisationId: org.id,
    requesterId: requester.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt: T0,
  });
}

describe('SlaRepository', () => {
  it('stores policy rows and settings, replacing them on save', async () => {
    expect(await store.sla.listPolicies()).toEqual([]);
    expect(await store.sla.getSettings()).toBeUndefined();
    const row = { tier: 'volunteer' as const, priority: 2 as const, responseMinutes: 0.5, resolutionMinutes: 90, allHours: true };
    await store.sla.savePolicy(row, null, T0);
    await store.sla.savePolicy({ ...row, responseMinutes: 30 }, requester.id, at(1));
    expect(await store.sla.listPolicies()).toEqual([{ ...row, responseMinutes: 30 }]);
    const settings = { ...DEFAULT_SLA_SETTINGS, localHolidays: ['12-07', '2026-06-24'], reannounceAfter: 0.4 };
    await store.sla.saveSettings(DEFAULT_SLA_SETTINGS, null, T0);
    await store.sla.saveSettings(settings, requester.id, at(1));
    expect(await store.sla.getSettings()).toEqual(settings);
  });

  it('policiesAndSettings reads what listPolicies and getSettings read, with or without rows', async () => {
    const both = async () => ({ policies: await store.sla.listPolicies(), settings: await store.sla.getSettings() });
    expect(await store.sla.policiesAndSettings()).toEqual(await both());
    const row = { tier: 'vendor' as const, priority: 2 as const, responseMinutes: 45, resolutionMinutes: 600, allHours: true };
    await store.sla.savePolicy(row, null, T0);
    await store.sla.savePolicy({ ...row, tier: 'volunteer', priority: 5 }, null, T0);
    expect((await store.sla.policiesAndSettings()).policies).toHaveLength(3);
    expect(await store.sla.policiesAndSettings()).toEqual(await both());
    await store.sla.saveSettings({ ...DEFAULT_SLA_SETTINGS, reannounceAfter: 0.4 }, null, T0);
    expect((await store.sla.policiesAndSettings()).settings?.reannounceAfter).toBe(0.4);
    expect(await store.sla.policiesAndSettings()).toEqual(await both());
  });

  it('rewrites unfired events only, and refuses two pending events of one kind', async () => {
    const t = await ticket();
    await store.sla.rewrite(
      t.id,
      [],
      [
        { target: 'response', kind: 'warn_75', dueAt: at(45) },
        { target: 'response', kind: 'breach', dueAt: at(60) },
      ],
      T0,
    );
    const [warn, breach] = await store.sla.listEvents(t.id);
    expect(warn).toMatchObject({ ticketId: t.id, target: 'response', kind: 'warn_75', dueAt: at(45), firedAt: null, queuedAt: null });
    await store.sla.markFired(warn!.id, at(45));
    await store.sla.rewrite(t.id, [warn!.id, breach!.id], [{ target: 'response', kind: 'breach', dueAt: at(90) }], at(50));
    const after = await store.sla.listEvents(t.id);
    expect(after.map((e) => [e.kind, e.dueAt.getTime(), e.firedAt !== null])).toEqual([
      ['warn_75', at(45).getTime(), true], // fired: kept
      ['breach', at(90).getTime(), false],
    ]);
    await expect(store.sla.rewrite(t.id, [], [{ target: 'response', kind: 'breach', dueAt: at(95) }], at(50))).rejects.toMatchObject({
      code: '23505',
      constraint: 'sla_events_ticket_key',
    });
    // Only pending events are unique per ticket, clock and kind: fired ones may repeat (a new tier).
    const pending = (await store.sla.listEvents(t.id)).find((e) => e.firedAt === null)!;
    await store.sla.markFired(pending.id, at(90));
    await store.sla.rewrite(t.id, [], [{ target: 'response', kind: 'breach', dueAt: at(95) }], at(91));
    const breach2 = (await store.sla.listEvents(t.id)).find((e) => e.firedAt === null)!;
    await store.sla.markFired(breach2.id, at(95));
    expect((await store.sla.listEvents(t.id)).map((e) => [e.kind, e.firedAt !== null])).toEqual([
      ['warn_75', true],
      ['breach', true],
      ['breach', true],
    ]);
  });

  it('markFired hands an event to exactly one of many racing callers', async () => {
    const t = await ticket();
    await store.sla.rewrite(t.id, [], [{ target: 'resolution', kind: 'breach', dueAt: at(1) }], T0);
    const [e] = await store.sla.listEvents(t.id);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => store.sla.markFired(e!.id, at(2 + i))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.sla.findEvent(e!.id))?.firedAt).not.toBeNull();
  });

  it('lists due unfired events oldest first; hands timers out once across concurrent pumps; releases them', async () => {
    const t = await ticket();
    const base = new Date('2030-01-01T00:00:00Z').getTime();
    const m = (min: number) => new Date(base + min * 60_000);
    await store.sla.rewrite(
      t.id,
      [],
      [
        { target: 'unclaimed', kind: 'reannounce', dueAt: m(30) },
        { target: 'response', kind: 'warn_75', dueAt: m(10) },
        { target: 'response', kind: 'warn_90', dueAt: m(20) },
        { target: 'response', kind: 'breach', dueAt: m(600) },
      ],
      m(0),
    );
    const mine = (es: SlaEventRecord[]) => es.filter((e) => e.ticketId === t.id);
    expect(mine(await store.sla.listDue(m(25), 100)).map((e) => e.kind)).toEqual(['warn_75', 'warn_90']);

    const [a, b] = await Promise.all([store.sla.claimForTimers(m(60), m(0), 2), store.sla.claimForTimers(m(60), m(0), 2)]);
    const claimed = mine([...a, ...b])
      .map((e) => e.kind)
      .sort();
    expect(claimed).toEqual(['reannounce', 'warn_75', 'warn_90']); // the breach is beyond the horizon
    expect(mine(await store.sla.claimForTimers(m(60), m(0), 10))).toEqual([]);
    expect(await store.sla.releaseTimers([mine(a)[0]?.id ?? mine(b)[0]!.id])).toBe(1);
    expect(mine(await store.sla.claimForTimers(m(60), m(1), 10))).toHaveLength(1);
    expect(await store.sla.releaseTimers()).toBeGreaterThanOrEqual(3);
  });

  it('locks the ticket row until the transaction ends', async () => {
    const t = await ticket();
    let second: Promise<number> | undefined;
    let released = 0;
    let secondLocked = false;
    await store.transaction(async (repos) => {
      expect((await repos.sla.lockTicket(t.id))?.ref).toBe(t.ref);
      second = store.transaction(async (r2) => {
        await r2.sla.lockTicket(t.id);
        secondLocked = true;
        return Date.now();
      });
      // Released once the second transaction waits for the lock (or took it anyway: the check below fails).
      await lockWaiters(tdb.db, 1, () => secondLocked);
      released = Date.now();
    });
    expect(await second!).toBeGreaterThanOrEqual(released);
  });

  it('batched firing: due events locked SKIP LOCKED go to one caller each, busy tickets are passed over, markFiredMany fences', async () => {
    // Due in 1990, before any other test's events: these are the oldest due rows.
    const due = new Date('1990-01-01T00:00:00Z');
    const now = new Date('1990-01-02T00:00:00Z');
    const ts = [await ticket(), await ticket(), await ticket()];
    for (const t of ts) await store.sla.rewrite(t.id, [], [{ target: 'response', kind: 'breach', dueAt: due }], T0);
    const ids = (await Promise.all(ts.map((t) => store.sla.listEvents(t.id)))).map((es) => es[0]!.id);
    const oldest = (es: SlaEventRecord[]) => es.filter((e) => ids.includes(e.id)).map((e) => e.id);

    let taken: string[] = [];
    let otherTook: string[] = [];
    let busy: Ticket[] = [];
    await store.transaction(async (repos) => {
      taken = oldest(await repos.sla.lockDue(now, 2, [ids[2]!]));
      expect(taken).toHaveLength(2);
      expect(taken).not.toContain(ids[2]);
      expect((await repos.sla.lockTickets([ts[0]!.id])).map((t) => t.id)).toEqual([ts[0]!.id]);
      // Another transaction meanwhile: the rows held here are passed over, not waited for;
      // the tickets held here are passed over too.
      await store.transaction(async (r2) => {
        otherTook = oldest(await r2.sla.lockDue(now, 10, []));
        busy = await r2.sla.lockTickets([ts[0]!.id, ts[2]!.id], { skipLocked: true });
      });
    });
    expect(otherTook).toEqual([ids[2]]);
    expect(busy.map((t) => t.id)).toEqual([ts[2]!.id]);

    const both = await Promise.all([store.sla.markFiredMany(ids, now), store.sla.markFiredMany(ids, now)]);
    expect(
      both
        .flat()
        .map((e) => e.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(await store.sla.markFiredMany(ids, now)).toEqual([]);
  });

  it('claims a scheduled run once', async () => {
    const results = await Promise.all([1, 2, 3].map(() => store.sla.claimRun('digest', '2026-03-02', T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.sla.claimRun('digest', '2026-03-03', T0)).toBe(true);
  });
});

describe('SlaRepository.openTicketsOverview', () => {
  it('counts open tickets and flags late and at-risk ones from the events of their live targets', async () => {
    const own = await createTestDatabase();
    const s = new KyselyStore(own.db);
    try {
      const o = await seedOrganisation(s);
      const p = await seedPerson(s);
      const now = at(24 * 60);
      /** A ticket in `status` after the status `path`, with SLA events (`fired`: fired at `now`). */
      const make = async (
        status: Ticket['status'],
        path: Ticket['status'][],
        events: {
          target: 'response' | 'resolution' | 'unclaimed';
          kind: 'warn_75' | 'warn_90' | 'breach' | 'reannounce';
          due: number;
          fired?: boolean;
        }[],
      ) => {
        const t = await s.tickets.insert({
          ref: await s.tickets.nextRef('incident'),
          kind: 'incident',
          title: 'T',
          description: 'D',
          category: null,
          impact: 2,
          urgency: 2,
          priority: 3,
          tier: 'volunteer',
          organisationId: o.id,
          requesterId: p.id,
          configurationItemId: null,
          idempotencyKey: null,
          createdAt: T0,
        });
        let from: Ticket['status'] = 'new';
        await s.tickets.addEvents([{ ticketId: t.id, actorId: null, at: T0, field: 'status', from: null, to: 'new', note: null }]);
        for (const [i, to] of path.entries()) {
          await s.tickets.addEvents([{ ticketId: t.id, actorId: null, at: at(i + 1), field: 'status', from, to, note: null }]);
          from = to;
        }
        if (status !== 'new') await s.tickets.compareAndSet(t.id, { status: 'new', assigneeId: null }, { status }, at(path.length));
        await s.sla.rewrite(
          t.id,
          [],
          events.map((e) => ({ target: e.target, kind: e.kind, dueAt: at(e.due) })),
          T0,
        );
        for (const e of await s.sla.listEvents(t.id))
          if (events.find((x) => x.target === e.target && x.kind === e.kind)?.fired) await s.sla.markFired(e.id, now);
        return t.ref;
      };
      const pausedLate = await make(
        'pending',
        ['assigned', 'in_progress', 'pending'],
        [{ target: 'resolution', kind: 'breach', due: 600, fired: true }],
      );
      await make('pending', ['assigned', 'in_progress', 'pending'], [{ target: 'resolution', kind: 'warn_75', due: 600, fired: true }]); // paused: not at risk
      const running = await make(
        'in_progress',
        ['assigned', 'in_progress'],
        [
          { target: 'resolution', kind: 'warn_90', due: 1200 },
          { target: 'resolution', kind: 'breach', due: 1500 },
        ],
      );
      const unanswered = await make(
        'new',
        [],
        [
          { target: 'response', kind: 'warn_75', due: 1000 },
          { target: 'response', kind: 'breach', due: 1800 },
        ],
      );
      // Claimed and released after its first response was missed: that target is over.
      await make(
        'new',
        ['assigned', 'new'],
        [
          { target: 'response', kind: 'breach', due: 300, fired: true },
          { target: 'unclaimed', kind: 'reannounce', due: 10 },
        ],
      );
      await make('resolved', ['assigned', 'resolved'], [{ target: 'resolution', kind: 'breach', due: 100, fired: true }]); // not open
      await make('in_progress', ['assigned', 'in_progress'], [{ target: 'resolution', kind: 'warn_75', due: 2000 }]); // nothing due yet
      const lateUnclaimed = await make('new', [], [{ target: 'response', kind: 'breach', due: 900 }]);

      const q = {
        statuses: ['new', 'assigned', 'in_progress', 'pending'] as const,
        counting: ['new', 'assigned', 'in_progress'] as const,
        riskKinds: ['warn_75', 'warn_90', 'breach'] as const,
        now,
      };
      const overview = await s.sla.openTicketsOverview({ ...q, limit: 10 });
      expect({ ...overview, urgent: overview.urgent.map((t) => t.ref) }).toEqual({
        open: 7,
        unclaimed: 3,
        late: 2,
        atRisk: 2,
        urgent: [pausedLate, lateUnclaimed, running, unanswered],
      });
      expect((await s.sla.openTicketsOverview({ ...q, limit: 3 })).urgent.map((t) => t.ref)).toEqual([pausedLate, lateUnclaimed, running]);
    } finally {
      await own.drop();
    }
  });
});
