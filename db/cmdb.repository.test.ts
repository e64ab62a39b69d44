/**
 * The CMDB on a real PostgreSQL: items and their history (a person's changes with why, the
 * agent's fact changes), relations with the refusal of a loop (also two concurrent links that
 * would close one together), the impact analysis (transitive, nearest depth, safe on a loop
 * forced into the table), and the licence reminders' conditional record.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireFacts } from '../core/alerts/protocol.ts';
import type { ConfigurationItem } from '../core/kernel/configuration-item.ts';
import type { Organisation, Person } from '../core/kernel/person.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { until } from '../test/wait.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
let org: Organisation;
let person: Person;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
  org = await seedOrganisation(store);
  person = await seedPerson(store, 'Luca Referente');
});
afterAll(async () => {
  await tdb?.drop();
});

const add = (name: string, kind: ConfigurationItem['kind'] = 'server', renewalOn: string | null = null) =>
  store.cmdb.insertItem({ organisationId: org.id, kind, name, notes: null, renewalOn, createdBy: person.id }, 'inventario', T0);

describe('items and their history', () => {
  it('records the creation and each real change with who and why, newest first', async () => {
    const item = await add('nas-sede');
    expect(item).toMatchObject({ kind: 'server', name: 'nas-sede', status: 'active', renewalOn: null, agentId: null });

    const r = await store.cmdb.updateItem(item.id, { status: 'maintenance', notes: 'disco 2 rumoroso' }, person.id, 'cambio disco', at(5));
    expect(r?.changed).toEqual(['status', 'notes']);
    expect(r?.item).toMatchObject({ status: 'maintenance', notes: 'disco 2 rumoroso', updatedAt: at(5) });
    // The same value again changes nothing and records nothing.
    expect((await store.cmdb.updateItem(item.id, { status: 'maintenance' }, person.id, 'ancora', at(6)))?.changed).toEqual([]);
    await store.cmdb.updateItem(item.id, { name: 'nas-archivio' }, null, null, at(7));

    const history = await store.cmdb.history(item.id, 10);
    expect(history.map((h) => [h.field, h.from, h.to, h.reason, h.actorName])).toEqual([
      ['name', 'nas-sede', 'nas-archivio', null, null],
      ['notes', null, 'disco 2 rumoroso', 'cambio disco', 'Luca Referente'],
      ['status', 'active', 'maintenance', 'cambio disco', 'Luca Referente'],
      ['created', null, 'nas-sede', 'inventario', 'Luca Referente'],
    ]);
    expect(await store.cmdb.updateItem('7f0c2f5e-0000-4000-8000-000000000099', { name: 'x' }, null, null, T0)).toBeUndefined();
  });

  it("records the agent's changes of name and material facts as the agent's, and nothing for uptime or usage", async () => {
    const agent = await store.monitoring.createAgent({
      organisationId: org.id,
      personId: person.id,
      name: 'pc-segreteria',
      secret: 's',
      heartbeatSeconds: 60,
      graceSeconds: 30,
      enrolledAt: T0,
      enrolledBy: null,
    });
    const facts: WireFacts = {
      hostname: 'pc-segreteria',
      os: { platform: 'linux', release: '6.1.0', distro: 'Debian 12', arch: 'x64' },
      cpu: { model: 'i5', cores: 4 },
      memoryBytes: 8 * 2 ** 30,
      disks: [{ mount: '/', sizeBytes: 500 * 2 ** 30, usedBytes: 100 * 2 ** 30 }],
      uptimeSeconds: 100,
    };
    const item = await store.monitoring.upsertConfigurationItem(agent.id, org.id, 'pc-segreteria', facts, T0);
    // Uptime and disk usage move all the time: no history.
    await store.monitoring.upsertConfigurationItem(
      agent.id,
      org.id,
      'pc-segreteria',
      { ...facts, uptimeSeconds: 200, disks: [{ mount: '/', sizeBytes: 500 * 2 ** 30, usedBytes: 300 * 2 ** 30 }] },
      at(1),
    );
    await store.monitoring.upsertConfigurationItem(agent.id, org.id, 'pc-segreteria', null, at(2));
    await store.monitoring.upsertConfigurationItem(
      agent.id,
      org.id,
      'pc-amministrazione',
      { ...facts, hostname: 'pc-amministrazione', memoryBytes: 16 * 2 ** 30 },
      at(3),
    );

    const history = await store.cmdb.history(item.id, 10);
    expect(history.map((h) => [h.field, h.from, h.to, h.reason, h.actorId])).toEqual([
      ['memory', '8 GB', '16 GB', 'agent', null],
      ['hostname', 'pc-segreteria', 'pc-amministrazione', 'agent', null],
      ['name', 'pc-segreteria', 'pc-amministrazione', 'agent', null],
      ['created', null, 'pc-segreteria', 'agent', null],
    ]);
  });

  it('lists and counts by organisation and kind, leaving retired items out', async () => {
    const other = await seedOrganisation(store, 'Altro Ente');
    const printer = await store.cmdb.insertItem(
      { organisationId: other.id, kind: 'printer', name: 'HP segreteria', notes: null, renewalOn: null, createdBy: null },
      null,
      T0,
    );
    const old = await store.cmdb.insertItem(
      { organisationId: other.id, kind: 'printer', name: 'Epson vecchia', notes: null, renewalOn: null, createdBy: null },
      null,
      T0,
    );
    await store.cmdb.updateItem(old.id, { status: 'retired' }, null, 'dismessa', T0);
    expect((await store.cmdb.listItems({ organisationIds: [other.id], limit: 10 })).map((i) => i.id)).toEqual([printer.id]);
    expect(await store.cmdb.countItems({ organisationIds: [other.id], includeRetired: true })).toBe(2);
    expect(await store.cmdb.countItems({ organisationIds: [other.id], kinds: ['server'] })).toBe(0);
  });
});

describe('relations', () => {
  it('adds once, refuses a loop (direct, through others, or to itself), removes', async () => {
    const [app, server, sw, site] = [
      await add('gestionale'),
      await add('server-1'),
      await add('switch-1', 'network_device'),
      await add('sede', 'site'),
    ];
    expect(await store.cmdb.addRelation(app.id, 'runs_on', server.id, person.id, T0)).toBe('added');
    expect(await store.cmdb.addRelation(app.id, 'runs_on', server.id, person.id, T0)).toBe('exists');
    expect(await store.cmdb.addRelation(server.id, 'connected_to', sw.id, person.id, T0)).toBe('added');
    expect(await store.cmdb.addRelation(sw.id, 'located_at', site.id, person.id, T0)).toBe('added');
    // The site needing the app would close site → app → server → switch → site.
    expect(await store.cmdb.addRelation(site.id, 'depends_on', app.id, person.id, T0)).toBe('cycle');
    expect(await store.cmdb.addRelation(server.id, 'depends_on', app.id, person.id, T0)).toBe('cycle');
    // An item needing itself is a loop too.
    expect(await store.cmdb.addRelation(site.id, 'depends_on', site.id, person.id, T0)).toBe('cycle');

    const r = await store.cmdb.relations(server.id, 10);
    expect(r.needs.map((x) => [x.kind, x.other.name])).toEqual([['connected_to', 'switch-1']]);
    expect(r.neededBy.map((x) => [x.kind, x.other.name])).toEqual([['runs_on', 'gestionale']]);

    expect(await store.cmdb.removeRelation(app.id, 'runs_on', server.id)).toBe(true);
    expect(await store.cmdb.removeRelation(app.id, 'runs_on', server.id)).toBe(false);
    // With the link gone, the site may depend on the app.
    expect(await store.cmdb.addRelation(site.id, 'depends_on', app.id, person.id, T0)).toBe('added');
  });

  it('two concurrent links that would close a loop together: one wins, the other is refused', async () => {
    const [a, b] = [await add('a'), await add('b')];
    let release!: () => void;
    let linked!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const firstLinked = new Promise<void>((r) => (linked = r));
    const first = store.transaction(async (repos) => {
      const outcome = await repos.cmdb.addRelation(a.id, 'depends_on', b.id, null, T0);
      linked();
      await held;
      return outcome;
    });
    await firstLinked;
    // The second waits for the first transaction's lock, then sees its relation.
    const second = store.transaction((repos) => repos.cmdb.addRelation(b.id, 'depends_on', a.id, null, T0));
    await until("the second link to wait on the first one's lock", async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(tdb.db);
      return rows[0]!.n > 0;
    });
    release();
    expect([await first, await second]).toEqual(['added', 'cycle']);
  });
});

describe('impact', () => {
  it('is every item that needs this one, transitively, at its nearest depth, cut at the limit with the total', async () => {
    const site = await add('sede-impatto', 'site');
    const sw = await add('switch-impatto', 'network_device');
    const server = await add('server-impatto');
    const app = await add('posta-impatto', 'application');
    const pc = await add('pc-impatto', 'computer');
    await store.cmdb.addRelation(sw.id, 'located_at', site.id, null, T0);
    await store.cmdb.addRelation(server.id, 'connected_to', sw.id, null, T0);
    await store.cmdb.addRelation(server.id, 'located_at', site.id, null, T0);
    await store.cmdb.addRelation(app.id, 'runs_on', server.id, null, T0);
    await store.cmdb.addRelation(pc.id, 'depends_on', app.id, null, T0);
    await store.cmdb.addRelation(pc.id, 'connected_to', sw.id, null, T0);

    const impact = await store.cmdb.impact(site.id, { limit: 10, maxDepth: 12 });
    expect(impact.total).toBe(4);
    expect(impact.items.map((i) => [i.item.name, i.depth])).toEqual([
      ['switch-impatto', 1],
      ['server-impatto', 1],
      ['posta-impatto', 2],
      ['pc-impatto', 2],
    ]);
    const cut = await store.cmdb.impact(site.id, { limit: 2, maxDepth: 12 });
    expect([cut.items.length, cut.total]).toEqual([2, 4]);
    expect((await store.cmdb.impact(pc.id, { limit: 10, maxDepth: 12 })).total).toBe(0);
    expect((await store.cmdb.impact(site.id, { limit: 10, maxDepth: 1 })).total).toBe(2);
  });

  it('ends on a loop forced into the table (written around the check)', async () => {
    const [x, y, z] = [await add('x'), await add('y'), await add('z')];
    for (const [s, t] of [
      [x, y],
      [y, z],
      [z, x],
    ] as const)
      await sql`insert into configuration_item_relations (source_id, kind, target_id, created_at) values (${s.id}, 'depends_on', ${t.id}, now())`.execute(
        tdb.db,
      );
    const impact = await store.cmdb.impact(x.id, { limit: 10, maxDepth: 12 });
    expect(impact.items.map((i) => [i.item.name, i.depth])).toEqual([
      ['z', 1],
      ['y', 2],
    ]);
  });
});

describe('licence reminders', () => {
  it('finds licences due within the window and records the reminder once per renewal date', async () => {
    const licence = await add('Microsoft 365', 'licence', '2025-03-20');
    await add('Antivirus', 'licence', '2025-06-30');
    const due = async () => (await store.cmdb.licencesToRemind('2025-04-02', 50)).map((i) => i.id);
    expect(await due()).toEqual([licence.id]);
    expect(await store.cmdb.markRenewalReminded(licence.id, '2025-03-20')).toBe(true);
    expect(await store.cmdb.markRenewalReminded(licence.id, '2025-03-20')).toBe(false);
    expect(await due()).toEqual([]);
    // Renewed for a year, then due again: a new reminder.
    await store.cmdb.updateItem(licence.id, { renewalOn: '2026-03-20' }, person.id, 'rinnovata', T0);
    expect(await store.cmdb.licencesToRemind('2026-04-02', 50).then((l) => l.map((i) => i.id))).toContain(licence.id);
    expect(await store.cmdb.markRenewalReminded(licence.id, '2025-03-20')).toBe(false);
    expect(await store.cmdb.markRenewalReminded(licence.id, '2026-03-20')).toBe(true);
  });
});
