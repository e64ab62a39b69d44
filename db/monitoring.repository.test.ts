/**
 * The monitoring repositories (agent, agent report, configuration item, check state, alert,
 * silence), each driven through the composite `store.monitoring` that implements core's port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, CheckRecord, MonitoredAgent, NewAlert } from '../core/alerts/model.ts';
import { ConfigurationItemRef, offlineFingerprint } from '../core/alerts/model.ts';
import type { WireFacts } from '../core/alerts/protocol.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase, lockWaiters } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let person: Person;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  person = await seedPerson(store, 'Referente ICT');
});

afterAll(async () => {
  await tdb?.drop();
});

const UNKNOWN_ID = '7f0c2f5e-0000-4000-8000-000000000099';
// Batch ids are uuids (the agent makes them).
const [BATCH_1, OLD_BATCH, NEW_BATCH] = ['1', '2', '3'].map((n) => `b0000000-0000-4000-8000-00000000000${n}`) as [string, string, string];

function enrol(org: Organisation, name = 'pc-segreteria', over: { heartbeatSeconds?: number; graceSeconds?: number } = {}) {
  return store.monitoring.createAgent({
    organisationId: org.id,
    personId: person.id,
    name,
    secret: 'shh',
    heartbeatSeconds: over.heartbeatSeconds ?? 60,
    graceSeconds: over.graceSeconds ?? 30,
    enrolledAt: T0,
    enrolledBy: person.id,
  });
}

function alertOf(agent: MonitoredAgent, over: Partial<NewAlert> = {}): NewAlert {
  return {
    fingerprint: `${agent.id}|disco|/`,
    organisationId: agent.organisationId,
    agentId: agent.id,
    configurationItemId: null,
    kind: 'disk',
    checkId: 'disco',
    target: '/',
    severity: 'warn',
    state: 'firing',
    message: 'disco quasi pieno',
    lastValue: 91.5,
    unit: '%',
    evidence: null,
    openedAt: T0,
    notifiedAt: null,
    ...over,
  };
}

/** Runs `lock` in a transaction that holds it 100 ms, and `lock` again beside it: the second must wait. */
async function secondLockWaits(lock: (repos: KyselyStore['monitoring']) => Promise<unknown>): Promise<string[]> {
  const order: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const firstLocked = new Promise<void>((r) => (locked = r));
  const first = store.transaction(async (repos) => {
    expect(await lock(repos.monitoring)).toBeDefined();
    locked();
    await held;
    order.push('first done');
  });
  await firstLocked;
  const second = store.transaction(async (repos) => {
    await lock(repos.monitoring);
    order.push('second locked');
  });
  // The second transaction waits for the first one's lock (or did not wait: the order says so).
  await lockWaiters(tdb.db, 1, () => order.includes('second locked'));
  order.push('released');
  release();
  await Promise.all([first, second]);
  return order;
}

describe('AgentRepository', () => {
  it('enrols an agent and finds it; a malformed or unknown id finds nothing', async () => {
    const org = await seedOrganisation(store);
    const agent = await enrol(org);
    expect(agent).toEqual({
      id: expect.any(String),
      organisationId: org.id,
      personId: person.id,
      name: 'pc-segreteria',
      secret: 'shh',
      heartbeatSeconds: 60,
      graceSeconds: 30,
      agentVersion: null,
      enrolledAt: T0,
      enrolledBy: person.id,
      lastSeenAt: T0,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
      droppedBatches: 0,
    });
    expect(await store.monitoring.findAgent(agent.id)).toEqual(agent);
    expect(await store.monitoring.findAgent('not-a-uuid')).toBeUndefined();
    expect(await store.monitoring.findAgent(UNKNOWN_ID)).toBeUndefined();
    expect(await store.monitoring.lockAgent('not-a-uuid')).toBeUndefined();
  });

  it('records a report: heartbeat promise, version, dropped batches; last seen never moves back', async () => {
    const org = await seedOrganisation(store);
    const agent = await enrol(org);
    await store.monitoring.touchAgent(agent.id, at(10), {
      heartbeatSeconds: 120,
      graceSeconds: 60,
      agentVersion: '1.2.0',
      droppedBatches: 2 ** 40,
    });
    await store.monitoring.touchAgent(agent.id, at(5), {
      heartbeatSeconds: 120,
      graceSeconds: 60,
      agentVersion: '1.2.1',
      droppedBatches: 3,
    });
    expect(await store.monitoring.findAgent(agent.id)).toMatchObject({
      lastSeenAt: at(10),
      heartbeatSeconds: 120,
      graceSeconds: 60,
      agentVersion: '1.2.1',
      droppedBatches: 3,
    });
    await store.monitoring.touchAgent(agent.id, at(11), {
      heartbeatSeconds: 120,
      graceSeconds: 60,
      agentVersion: '1.2.1',
      droppedBatches: 2 ** 40,
    });
    expect((await store.monitoring.findAgent(agent.id))?.droppedBatches).toBe(2 ** 40);
  });

  it('revokes once, with who and why, and lists only live agents of the organisations asked', async () => {
    const org = await seedOrganisation(store);
    const other = await seedOrganisation(store);
    const b = await enrol(org, 'b-server');
    const a = await enrol(org, 'a-portatile');
    const elsewhere = await enrol(other, 'altrove');

    const revoked = await store.monitoring.revokeAgent(b.id, person.id, 'dismesso', at(1));
    expect(revoked).toMatchObject({ id: b.id, revokedAt: at(1), revokedBy: person.id, revokeReason: 'dismesso' });
    expect(await store.monitoring.revokeAgent(b.id, null, 'di nuovo', at(2))).toBeUndefined();
    expect(await store.monitoring.revokeAgent('nope', null, 'x', at(2))).toBeUndefined();
    expect((await store.monitoring.findAgent(b.id))?.revokeReason).toBe('dismesso');

    expect((await store.monitoring.listAgents([org.id])).map((x) => x.id)).toEqual([a.id]);
    expect((await store.monitoring.listAgents([org.id, other.id])).map((x) => x.name)).toEqual(['a-portatile', 'altrove']);
    expect(await store.monitoring.listAgents([])).toEqual([]);
    expect((await store.monitoring.listAgents()).map((x) => x.id)).toEqual(expect.arrayContaining([a.id, elsewhere.id]));
  });

  it('lists agents past heartbeat + grace that have no open offline alert', async () => {
    const org = await seedOrganisation(store);
    const agent = await enrol(org, 'muto', { heartbeatSeconds: 60, graceSeconds: 30 });
    const overdue = async (minutes: number) => (await store.monitoring.listOverdueAgents(at(minutes), 100)).map((x) => x.id);

    expect(await overdue(1)).not.toContain(agent.id); // 60 s < 90 s
    expect(await overdue(2)).toContain(agent.id);

    const offline = await store.monitoring.insertAlert(
      alertOf(agent, { fingerprint: offlineFingerprint(agent.id), kind: 'agent_offline', checkId: 'agent', target: 'offline' }),
    );
    expect(await overdue(2)).not.toContain(agent.id);
    await store.monitoring.updateAlert(offline.id, { state: 'resolved', resolvedAt: at(3) }, at(3));
    expect(await overdue(4)).toContain(agent.id);

    await store.monitoring.revokeAgent(agent.id, null, 'spento', at(4));
    expect(await overdue(5)).not.toContain(agent.id);
  });

  it('locks an agent until the transaction ends', async () => {
    const agent = await enrol(await seedOrganisation(store));
    expect(await secondLockWaits((m) => m.lockAgent(agent.id))).toEqual(['released', 'first done', 'second locked']);
  });
});

describe('AgentReportRepository', () => {
  it('tells a new nonce and a new batch from a replay and a resend, per agent', async () => {
    const org = await seedOrganisation(store);
    const [a, b] = [await enrol(org, 'a'), await enrol(org, 'b')];
    expect(await store.monitoring.rememberNonce(a.id, 'n1', T0)).toBe(true);
    expect(await store.monitoring.rememberNonce(a.id, 'n1', at(1))).toBe(false);
    expect(await store.monitoring.rememberNonce(b.id, 'n1', T0)).toBe(true);
    expect(await store.monitoring.rememberBatch(a.id, BATCH_1, 10, T0)).toBe(true);
    expect(await store.monitoring.rememberBatch(a.id, BATCH_1, 10, at(1))).toBe(false);
    expect(await store.monitoring.rememberBatch(b.id, BATCH_1, 10, T0)).toBe(true);
  });

  it('stores results and purges nonces, batches and results older than their limits only', async () => {
    const agent = await enrol(await seedOrganisation(store));
    await store.monitoring.insertResults([]);
    await store.monitoring.insertResults([
      { agentId: agent.id, fingerprint: 'fp', status: 'ok', value: 1.5, observedAt: at(-100) },
      { agentId: agent.id, fingerprint: 'fp', status: 'crit', value: null, observedAt: at(10) },
    ]);
    const results = () =>
      tdb.db
        .withTables<{ check_results: { agent_id: string; status: string; value: number | null } }>()
        .selectFrom('check_results')
        .select(['status', 'value'])
        .where('agent_id', '=', agent.id)
        .orderBy('status')
        .execute();
    expect(await results()).toEqual([
      { status: 'crit', value: null },
      { status: 'ok', value: 1.5 },
    ]);

    await store.monitoring.rememberNonce(agent.id, 'old', at(-100));
    await store.monitoring.rememberNonce(agent.id, 'new', at(10));
    await store.monitoring.rememberBatch(agent.id, OLD_BATCH, 1, at(-100));
    await store.monitoring.rememberBatch(agent.id, NEW_BATCH, 1, at(10));
    // Other tests' rows are all at T0 or later, so only the three old rows here go.
    expect(await store.monitoring.purge({ nonces: at(-1), batches: at(-1), results: at(-1) })).toBe(3);
    expect(await store.monitoring.rememberNonce(agent.id, 'old', at(11))).toBe(true);
    expect(await store.monitoring.rememberNonce(agent.id, 'new', at(11))).toBe(false);
    expect(await store.monitoring.rememberBatch(agent.id, OLD_BATCH, 1, at(11))).toBe(true);
    expect(await store.monitoring.rememberBatch(agent.id, NEW_BATCH, 1, at(11))).toBe(false);
    expect(await results()).toEqual([{ status: 'crit', value: null }]);
  });
});

describe('ConfigurationItemRepository', () => {
  const facts: WireFacts = {
    hostname: 'PC-Segreteria',
    os: { platform: 'linux', release: '6.1.0', distro: 'Debian 12', arch: 'x64' },
    cpu: { model: 'i5', cores: 4 },
    memoryBytes: 8 * 2 ** 30,
    disks: [{ mount: '/', sizeBytes: 500e9, usedBytes: 450e9 }],
  };

  it('creates the agent machine once, then refreshes its name and facts, keeping them on a report without facts', async () => {
    const org = await seedOrganisation(store);
    const agent = await enrol(org);
    const item = await store.monitoring.upsertConfigurationItem(agent.id, org.id, 'PC-Segreteria', facts, T0);
    expect(item).toEqual({
      id: expect.any(String),
      number: expect.any(Number),
      organisationId: org.id,
      kind: 'computer',
      name: 'PC-Segreteria',
      status: 'active',
      facts,
      notes: null,
      renewalOn: null,
      agentId: agent.id,
      createdAt: T0,
      updatedAt: T0,
    });

    const renamed = await store.monitoring.upsertConfigurationItem(agent.id, org.id, 'pc-nuovo', null, at(5));
    expect(renamed).toEqual({ ...item, name: 'pc-nuovo', updatedAt: at(5) });
    const refreshed = await store.monitoring.upsertConfigurationItem(agent.id, org.id, 'pc-nuovo', { ...facts, disks: [] }, at(6));
    expect(refreshed.facts).toEqual({ ...facts, disks: [] });

    expect(await store.monitoring.findConfigurationItemOfAgent(agent.id)).toEqual(refreshed);
    expect(await store.monitoring.findConfigurationItem(item.id)).toEqual(refreshed);
    expect(await store.monitoring.findConfigurationItem(ConfigurationItemRef.format(item.number))).toBeUndefined();
  });

  it('finds machines by number or by name, whatever the case, among the organisations asked', async () => {
    const org = await seedOrganisation(store);
    const other = await seedOrganisation(store);
    const mine = await store.monitoring.upsertConfigurationItem((await enrol(org)).id, org.id, 'Server-Sede', null, T0);
    const theirs = await store.monitoring.upsertConfigurationItem((await enrol(other)).id, other.id, 'server-sede', null, T0);

    const ids = async (text: string, orgs?: string[]) => (await store.monitoring.findConfigurationItemsByName(text, orgs)).map((i) => i.id);
    expect(await ids(ConfigurationItemRef.format(mine.number))).toEqual([mine.id]);
    expect(await ids(` ci-${mine.number} `)).toEqual([mine.id]);
    expect(await ids('  SERVER-sede ', [org.id])).toEqual([mine.id]);
    expect(await ids('server-sede', [org.id, other.id])).toEqual([mine.id, theirs.id]);
    expect(await ids(ConfigurationItemRef.format(theirs.number), [org.id])).toEqual([]);
    expect(await ids('server-sede', [])).toEqual([]);
  });
});

describe('CheckStateRepository', () => {
  function check(agent: MonitoredAgent, over: Partial<CheckRecord> = {}): CheckRecord {
    return {
      fingerprint: `${agent.id}|disco|/`,
      agentId: agent.id,
      organisationId: agent.organisationId,
      checkId: 'disco',
      kind: 'disk',
      target: '/',
      status: 'warn',
      badSince: T0,
      critSince: null,
      goodSince: null,
      lastAt: T0,
      lastValue: 91.5,
      unit: '%',
      lastMessage: 'disco quasi pieno',
      // snake_case keys inside jsonb come back as written
      evidence: { lines: ['/dev/sda1 91%'], details: { mount_point: '/', free_bytes: 1024 } },
      forSeconds: 300,
      recoverySeconds: 120,
      ...over,
    };
  }

  it('opens a report in one statement: lock, nonce, heartbeat, batch ids, open alerts and check states; a replay writes nothing', async () => {
    const org = await seedOrganisation(store);
    const [a, revoked] = [await enrol(org, 'a'), await enrol(org, 'gone')];
    await store.monitoring.revokeAgent(revoked.id, null, 'dismessa', T0);
    const state = check(a, { evidence: { lines: ['x'] } });
    await store.monitoring.saveEvaluation(
      [state],
      [{ agentId: a.id, fingerprint: state.fingerprint, status: 'ok', value: 1, observedAt: T0 }],
    );
    const firing = await store.monitoring.insertAlert(alertOf(a, { notifiedAt: at(1), evidence: { lines: ['disco'] } }));
    const seen = { heartbeatSeconds: 30, graceSeconds: 10, agentVersion: '9.9', droppedBatches: null };

    const opened = await store.monitoring.openReport(a.id, 'n-open', at(2), seen, [
      { id: BATCH_1, results: 10 },
      { id: NEW_BATCH.toUpperCase(), results: 3 },
    ]);
    expect(opened?.fresh).toBe(true);
    expect(opened?.agent).toMatchObject({ lastSeenAt: at(2), heartbeatSeconds: 30, agentVersion: '9.9', droppedBatches: 0 });
    expect([...(opened?.freshBatches ?? [])].sort()).toEqual([BATCH_1, NEW_BATCH]);
    expect(opened?.openAlerts).toEqual([firing]);
    expect(opened?.checks).toEqual([state]);

    // A resend of a batch in a new request: only the new batch is fresh.
    const again = await store.monitoring.openReport(a.id, 'n-again', at(3), { ...seen, droppedBatches: 4 }, [
      { id: BATCH_1, results: 10 },
      { id: OLD_BATCH, results: 1 },
    ]);
    expect([...(again?.freshBatches ?? [])]).toEqual([OLD_BATCH]);
    expect(again?.agent.droppedBatches).toBe(4);
    // The same request replayed: nothing written, not even the heartbeat.
    const replay = await store.monitoring.openReport(a.id, 'n-again', at(9), seen, [
      { id: 'b0000000-0000-4000-8000-000000000009', results: 1 },
    ]);
    expect(replay).toMatchObject({ fresh: false, openAlerts: [], checks: [] });
    expect(replay?.freshBatches.size).toBe(0);
    expect((await store.monitoring.findAgent(a.id))?.lastSeenAt).toEqual(at(3));
    expect(await store.monitoring.rememberBatch(a.id, 'b0000000-0000-4000-8000-000000000009', 1, at(9))).toBe(true);

    expect(await store.monitoring.openReport(revoked.id, 'n1', at(2), seen, [])).toBeUndefined();
    expect(await store.monitoring.rememberNonce(revoked.id, 'n1', at(2))).toBe(true); // nothing was written for it
    expect(await store.monitoring.openReport(UNKNOWN_ID, 'n1', at(2), seen, [])).toBeUndefined();
    expect(await secondLockWaits((m) => m.openReport(a.id, `n-${Math.random()}`, at(4), seen, []))).toEqual([
      'released',
      'first done',
      'second locked',
    ]);
  });

  it("opens several agents' reports in one statement, each as alone; one report per agent", async () => {
    const org = await seedOrganisation(store);
    const [a, b, gone] = [await enrol(org, 'a'), await enrol(org, 'b'), await enrol(org, 'gone')];
    await store.monitoring.revokeAgent(gone.id, null, 'dismessa', T0);
    const firing = await store.monitoring.insertAlert(alertOf(b, { notifiedAt: at(1) }));
    const state = check(a);
    await store.monitoring.saveChecks([state]);
    expect(await store.monitoring.rememberNonce(b.id, 'used', at(1))).toBe(true);
    const seen = { heartbeatSeconds: 30, graceSeconds: 10, agentVersion: '2.0', droppedBatches: null };

    const [ra, rb, rgone, runknown, rmalformed] = await store.monitoring.openReports(at(2), [
      { agentId: a.id.toUpperCase(), nonce: 'n-a', seen, batches: [{ id: BATCH_1, results: 2 }] },
      { agentId: b.id, nonce: 'used', seen, batches: [{ id: OLD_BATCH, results: 1 }] },
      { agentId: gone.id, nonce: 'n-gone', seen, batches: [] },
      { agentId: UNKNOWN_ID, nonce: 'n-x', seen, batches: [] },
      { agentId: 'not-a-uuid', nonce: 'n-y', seen, batches: [] },
    ]);
    expect(ra).toMatchObject({ fresh: true, checks: [state], openAlerts: [], agent: { id: a.id, agentVersion: '2.0', lastSeenAt: at(2) } });
    expect([...(ra?.freshBatches ?? [])]).toEqual([BATCH_1]);
    // b's nonce was seen: a replay, nothing written for it (its batch id still new).
    expect(rb).toMatchObject({ fresh: false, openAlerts: [], checks: [] });
    expect((await store.monitoring.findAgent(b.id))?.agentVersion).toBeNull();
    expect(await store.monitoring.rememberBatch(b.id, OLD_BATCH, 1, at(3))).toBe(true);
    expect([rgone, runknown, rmalformed]).toEqual([undefined, undefined, undefined]);
    // b reads its open alert when fresh.
    const [again] = await store.monitoring.openReports(at(3), [{ agentId: b.id, nonce: 'n-b', seen, batches: [] }]);
    expect(again?.openAlerts).toEqual([firing]);

    await expect(
      store.monitoring.openReports(at(4), [
        { agentId: a.id, nonce: 'n1', seen, batches: [] },
        { agentId: a.id, nonce: 'n2', seen, batches: [] },
      ]),
    ).rejects.toThrow(/one report per agent/);
  });

  it('a report that waited for the agent held by another transaction reads what that one committed', async () => {
    const org = await seedOrganisation(store);
    const a = await enrol(org, 'pc-attesa');
    const seen = { heartbeatSeconds: 30, graceSeconds: 10, agentVersion: '2.0', droppedBatches: null };
    const state = check(a);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Another process's report: it holds the agent, writes its check state, commits later.
    const first = store.transaction(async (repos) => {
      await repos.monitoring.openReports(at(2), [{ agentId: a.id, nonce: 'n-held', seen, batches: [] }]);
      await repos.monitoring.saveEvaluation([state], []);
      locked();
      await held;
    });
    await isLocked;
    const second = store.monitoring.openReports(at(3), [{ agentId: a.id, nonce: 'n-after', seen, batches: [] }]);
    await lockWaiters(tdb.db);
    release();
    await first;
    const [opened] = await second;
    expect(opened).toMatchObject({ fresh: true, checks: [state] });
  });

  it('in a transaction, check states and results wait for its next statement or its commit, and roll back with it', async () => {
    const org = await seedOrganisation(store);
    const a = await enrol(org, 'a');
    const first = check(a);
    const result = { agentId: a.id, fingerprint: first.fingerprint, status: 'warn', value: 91.5, observedAt: T0 } as const;
    const count = async () =>
      Number(
        (
          await tdb.db
            .withTables<{ check_results: { agent_id: string } }>()
            .selectFrom('check_results')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('agent_id', '=', a.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    await store.transaction(async (repos) => {
      await repos.monitoring.saveEvaluation([first], [result]);
      await repos.monitoring.saveEvaluation([{ ...first, lastValue: 95 }], [{ ...result, value: 95 }]);
      // Read in the same transaction: sees both saves (the later state of the fingerprint).
      expect(await repos.monitoring.listChecks(a.id)).toEqual([{ ...first, lastValue: 95 }]);
      await repos.monitoring.saveEvaluation([{ ...first, lastValue: 96 }], []);
    });
    expect(await store.monitoring.listChecks(a.id)).toEqual([{ ...first, lastValue: 96 }]);
    expect(await count()).toBe(2);

    await expect(
      store.transaction(async (repos) => {
        await repos.monitoring.saveEvaluation([{ ...first, lastValue: 1 }], [result]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.monitoring.listChecks(a.id)).toEqual([{ ...first, lastValue: 96 }]);
    expect(await count()).toBe(2);
  });

  it('inserts new checks and overwrites known ones, per agent', async () => {
    const org = await seedOrganisation(store);
    const [a, b] = [await enrol(org, 'a'), await enrol(org, 'b')];
    await store.monitoring.saveChecks([]);
    const first = check(a);
    const other = check(a, { fingerprint: `${a.id}|cpu|`, checkId: 'cpu', kind: 'cpu', target: '', evidence: null });
    await store.monitoring.saveChecks([first, other, check(b, { fingerprint: `${b.id}|disco|/` })]);
    expect(await store.monitoring.listChecks(a.id)).toEqual(expect.arrayContaining([first, other]));
    expect(await store.monitoring.listChecks(a.id)).toHaveLength(2);

    const crit = {
      ...first,
      status: 'crit',
      critSince: at(5),
      lastAt: at(5),
      lastValue: 99,
      lastMessage: 'pieno',
      evidence: null,
      forSeconds: 60,
    } as const;
    await store.monitoring.saveChecks([crit]);
    expect(await store.monitoring.listChecks(a.id)).toEqual(expect.arrayContaining([crit, other]));
    expect(await store.monitoring.listChecks(b.id)).toHaveLength(1);
  });
});

describe('AlertRepository', () => {
  it('inserts an alert and finds it; a malformed or unknown id finds nothing', async () => {
    const agent = await enrol(await seedOrganisation(store));
    const alert = await store.monitoring.insertAlert(alertOf(agent, { evidence: { details: { mount_point: '/' } }, notifiedAt: T0 }));
    expect(alert).toEqual({
      ...alertOf(agent, { evidence: { details: { mount_point: '/' } }, notifiedAt: T0 }),
      id: expect.any(String),
      number: expect.any(Number),
      acknowledgedAt: null,
      acknowledgedBy: null,
      snoozedUntil: null,
      resolvedAt: null,
      incidentId: null,
      falseAlarmAt: null,
      falseAlarmBy: null,
      flaps: 0,
      updatedAt: T0,
    });
    expect(await store.monitoring.findAlert(alert.id)).toEqual(alert);
    expect(await store.monitoring.findAlert('AL-000001')).toBeUndefined();
    expect(await store.monitoring.findAlert(UNKNOWN_ID)).toBeUndefined();
    expect(await store.monitoring.lockAlert('AL-000001')).toBeUndefined();
  });

  it('updates only the fields of the patch, and the update time', async () => {
    const agent = await enrol(await seedOrganisation(store));
    const alert = await store.monitoring.insertAlert(alertOf(agent));
    const patched = await store.monitoring.updateAlert(
      alert.id,
      {
        state: 'acknowledged',
        acknowledgedAt: at(1),
        acknowledgedBy: person.id,
        snoozedUntil: at(60),
        evidence: { lines: ['a', 'b'] },
        flaps: 2,
        message: undefined,
      },
      at(1),
    );
    const expected: Alert = {
      ...alert,
      state: 'acknowledged',
      acknowledgedAt: at(1),
      acknowledgedBy: person.id,
      snoozedUntil: at(60),
      evidence: { lines: ['a', 'b'] },
      flaps: 2,
      updatedAt: at(1),
    };
    expect(patched).toEqual(expected);
    expect(await store.monitoring.findAlert(alert.id)).toEqual(expected);
    expect(await store.monitoring.updateAlert(alert.id, { evidence: null, snoozedUntil: null }, at(2))).toEqual({
      ...expected,
      evidence: null,
      snoozedUntil: null,
      updatedAt: at(2),
    });
  });

  it('lists the open alerts of an agent, the last resolved firing of a fingerprint, and the snoozes ended', async () => {
    const agent = await enrol(await seedOrganisation(store));
    const older = await store.monitoring.insertAlert(alertOf(agent));
    await store.monitoring.updateAlert(older.id, { state: 'resolved', resolvedAt: at(1) }, at(1));
    const newer = await store.monitoring.insertAlert(alertOf(agent, { openedAt: at(2) }));
    await store.monitoring.updateAlert(newer.id, { state: 'resolved', resolvedAt: at(3) }, at(3));
    const open = await store.monitoring.insertAlert(alertOf(agent, { openedAt: at(4) }));
    const snoozed = await store.monitoring.insertAlert(
      alertOf(agent, { fingerprint: `${agent.id}|cpu|`, checkId: 'cpu', kind: 'cpu', target: '' }),
    );
    await store.monitoring.updateAlert(snoozed.id, { state: 'acknowledged', snoozedUntil: at(30) }, at(5));

    expect((await store.monitoring.listOpenAlerts(agent.id)).map((a) => a.id).sort()).toEqual([open.id, snoozed.id].sort());
    expect((await store.monitoring.findLastResolved(open.fingerprint))?.id).toBe(newer.id);
    expect(await store.monitoring.findLastResolved(snoozed.fingerprint)).toBeUndefined();
    const expired = async (minutes: number) => (await store.monitoring.listExpiredSnoozes(at(minutes), 100)).map((a) => a.id);
    expect(await expired(29)).not.toContain(snoozed.id);
    expect(await expired(30)).toContain(snoozed.id);
  });

  it('ranks noisy checks by false alarms, then firings (flaps included), among the organisations asked', async () => {
    const org = await seedOrganisation(store);
    const agent = await enrol(org, 'rumoroso');
    const fp = (check: string) => `${agent.id}|${check}|`;
    const fire = async (check: string, over: { falseAlarm?: boolean; flaps?: number; openedAt?: Date } = {}) => {
      const a = await store.monitoring.insertAlert(
        alertOf(agent, { fingerprint: fp(check), checkId: check, target: '', openedAt: over.openedAt ?? at(1) }),
      );
      await store.monitoring.updateAlert(
        a.id,
        {
          state: 'resolved',
          resolvedAt: at(2),
          flaps: over.flaps ?? 0,
          ...(over.falseAlarm ? { falseAlarmAt: at(2), falseAlarmBy: person.id } : {}),
        },
        at(2),
      );
    };
    await fire('flappy', { flaps: 5 });
    await fire('falso', { falseAlarm: true });
    await fire('spesso');
    await fire('spesso');
    await fire('spesso', { openedAt: at(-60) }); // before `since`

    const noisy = await store.monitoring.listNoisy(T0, [org.id], 10);
    expect(noisy).toEqual([
      {
        fingerprint: fp('falso'),
        organisationId: org.id,
        agentName: 'rumoroso',
        checkId: 'falso',
        kind: 'disk',
        target: '',
        falseAlarms: 1,
        firings: 1,
      },
      {
        fingerprint: fp('flappy'),
        organisationId: org.id,
        agentName: 'rumoroso',
        checkId: 'flappy',
        kind: 'disk',
        target: '',
        falseAlarms: 0,
        firings: 6,
      },
      {
        fingerprint: fp('spesso'),
        organisationId: org.id,
        agentName: 'rumoroso',
        checkId: 'spesso',
        kind: 'disk',
        target: '',
        falseAlarms: 0,
        firings: 2,
      },
    ]);
    expect(await store.monitoring.listNoisy(T0, [org.id], 1)).toEqual(noisy.slice(0, 1));
    expect(await store.monitoring.listNoisy(T0, [], 10)).toEqual([]);
  });

  it('locks an alert until the transaction ends', async () => {
    const alert = await store.monitoring.insertAlert(alertOf(await enrol(await seedOrganisation(store))));
    expect(await secondLockWaits((m) => m.lockAlert(alert.id))).toEqual(['released', 'first done', 'second locked']);
  });
});

describe('SilenceRepository', () => {
  it('adds silences and tells the active ones from the ended and the future ones', async () => {
    const org = await seedOrganisation(store);
    const other = await seedOrganisation(store);
    const item = await store.monitoring.upsertConfigurationItem((await enrol(org)).id, org.id, 'pc', null, T0);
    const silence = (o: Organisation, from: number, to: number, configurationItemId: string | null = null) =>
      store.monitoring.addSilence({
        organisationId: o.id,
        configurationItemId,
        startsAt: at(from),
        endsAt: at(to),
        reason: 'manutenzione',
        createdBy: person.id,
      });

    const whole = await silence(org, 0, 60);
    expect(whole).toEqual({
      id: expect.any(String),
      organisationId: org.id,
      configurationItemId: null,
      startsAt: T0,
      endsAt: at(60),
      reason: 'manutenzione',
      createdBy: person.id,
      changeId: null,
    });
    const machine = await silence(org, 30, 90, item.id);
    const later = await silence(org, 120, 180);
    const theirs = await silence(other, 0, 60);

    const active = async (minutes: number) => (await store.monitoring.activeSilences(org.id, at(minutes))).map((s) => s.id).sort();
    expect(await active(0)).toEqual([whole.id]);
    expect(await active(45)).toEqual([whole.id, machine.id].sort());
    expect(await active(60)).toEqual([machine.id]);
    expect(await active(100)).toEqual([]);

    expect((await store.monitoring.listSilences(at(60), [org.id])).map((s) => s.id)).toEqual([machine.id, later.id]);
    expect((await store.monitoring.listSilences(at(0), [org.id, other.id])).map((s) => s.id)).toEqual(
      expect.arrayContaining([whole.id, machine.id, later.id, theirs.id]),
    );
    expect(await store.monitoring.listSilences(at(0), [])).toEqual([]);
  });
});
