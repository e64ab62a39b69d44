/**
 * Two approvers deciding the two slots of one change at the same moment: each transaction
 * reads the approvals after adding its own, and must see the other's once that one committed —
 * otherwise both see one approval of two and the change waits for ever. `addApproval` locks
 * the change, so the second waits for the first.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeApproval } from '../core/changes/model.ts';
import type { Person } from '../core/kernel/person.ts';
import { at, seedOrganisation, seedPerson } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { until } from '../test/wait.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let luca: Person;
let carla: Person;
let ticketId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  const org = await seedOrganisation(store, 'Pro Loco');
  const anna = await seedPerson(store, 'Anna Bianchi');
  luca = await seedPerson(store, 'Luca Referente');
  carla = await seedPerson(store, 'Carla Comitato');
  const t = await store.tickets.insert({
    ref: await store.tickets.nextRef('change'),
    kind: 'change',
    title: 'Nuovo switch',
    description: 'Nuovo switch',
    category: null,
    impact: 2,
    urgency: 3,
    priority: 4,
    tier: 'volunteer',
    organisationId: org.id,
    requesterId: anna.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt: at(0),
  });
  ticketId = t.id;
  await store.tickets.compareAndSet(t.id, { status: 'new', assigneeId: null }, { status: 'awaiting_approval' }, at(1));
  await store.changes.saveSubmission({
    ticketId,
    changeType: 'normal',
    standardKey: null,
    sharedInfrastructure: true,
    itemIds: [],
    at: at(2),
  });
});

afterAll(async () => {
  await tdb?.drop();
});

const approval = (slot: ChangeApproval['slot'], approverId: string): ChangeApproval => ({
  ticketId,
  slot,
  decision: 'approved',
  approverId,
  note: null,
  at: at(3),
});

/** Backends of this test database waiting for a lock. */
async function waitingOnLocks(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(tdb.db);
  return rows[0]?.n ?? 0;
}

describe('ChangeRepository.addApproval under concurrency', () => {
  it('a second approver of the same change waits for the first to commit, then reads both approvals', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let firstAdded!: () => void;
    const added = new Promise<void>((r) => {
      firstAdded = r;
    });
    const first = store.transaction(async (repos) => {
      expect(await repos.changes.addApproval(approval('organisation', luca.id))).toBe(true);
      firstAdded();
      await gate;
      return (await repos.changes.listApprovals(ticketId)).map((a) => a.slot);
    });
    await added;
    let secondDone = false;
    const second = store
      .transaction(async (repos) => {
        expect(await repos.changes.addApproval(approval('committee', carla.id))).toBe(true);
        return (await repos.changes.listApprovals(ticketId)).map((a) => a.slot);
      })
      .finally(() => {
        secondDone = true;
      });
    // The second decision is held on the change's lock while the first is open.
    let heldBeforeCommit = false;
    try {
      await until('the second approver to wait on the change', async () => secondDone || (await waitingOnLocks()) > 0);
      heldBeforeCommit = !secondDone;
    } finally {
      release();
    }
    expect(heldBeforeCommit).toBe(true);
    expect(await first).toEqual(['organisation']);
    // Once the first committed, the second sees both: the change can be approved.
    expect(await second).toEqual(['organisation', 'committee']);
  });
});
