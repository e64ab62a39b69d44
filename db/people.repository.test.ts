import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../core/people/register.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import type { TestDatabase } from '../test/test-database.ts';
import { createTestDatabase } from '../test/test-database.ts';
import { until } from '../test/wait.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});

afterAll(async () => {
  await tdb?.drop();
});

describe('PeopleRepository', () => {
  it('creates and finds organisations; fiscal codes are unique', async () => {
    const org = await store.people.createOrganisation({ name: 'ODV Soccorso', fiscalCode: '97000000001', runtsNumber: 'R-123' }, T0);
    expect(org).toMatchObject({ name: 'ODV Soccorso', fiscalCode: '97000000001', runtsNumber: 'R-123', createdAt: T0 });
    expect(await store.people.findOrganisation(org.id)).toEqual(org);
    expect(await store.people.findOrganisationByFiscalCode('97000000001')).toEqual(org);
    expect(await store.people.listOrganisations()).toContainEqual(org);
    await expect(store.people.createOrganisation({ name: 'Copia', fiscalCode: '97000000001', runtsNumber: null }, T0)).rejects.toThrow(
      /unique/,
    );
  });

  it('creates people, finds them by handle and changes their locale', async () => {
    const p = await store.people.createPerson(
      { handle: 'giulia.rossi', displayName: 'Giulia Rossi', email: 'g@example.org', phone: null, locale: 'it' },
      T0,
    );
    expect(await store.people.findPersonByHandle('giulia.rossi')).toEqual(p);
    await store.people.setLocale(p.id, 'en');
    expect((await store.people.findPerson(p.id))?.locale).toBe('en');
    expect(await store.people.findPerson('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('two first contacts with the same name at the same moment both get a person, with two handles', async () => {
    const clock = { now: () => T0 };
    let release!: () => void;
    let created!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const firstCreated = new Promise<void>((r) => (created = r));
    const first = store.transaction(async (repos) => {
      const p = await createPerson(repos, clock, { displayName: 'Mario Contemporaneo', locale: 'it' });
      created();
      await held;
      return p;
    });
    await firstCreated;
    // The second does not see the first's uncommitted row, so its insert waits on the handle's index.
    const second = store.transaction((repos) => createPerson(repos, clock, { displayName: 'Mario Contemporaneo', locale: 'it' }));
    await until('the second insert to wait on the first', async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(tdb.db);
      return rows[0]!.n > 0;
    });
    release();
    expect([(await first).handle, (await second).handle]).toEqual(['mario.contemporaneo', 'mario.contemporaneo2']);
  });

  it('links, re-links and touches identities', async () => {
    const a = await seedPerson(store, 'A');
    const b = await seedPerson(store, 'B');
    await store.people.linkIdentity({ platform: 'slack', externalId: 'U1', personId: a.id, lastSeenAt: at(0) });
    await store.people.linkIdentity({ platform: 'telegram', externalId: '42', personId: a.id, lastSeenAt: at(0) });
    expect((await store.people.listIdentities(a.id)).map((i) => i.platform)).toEqual(['slack', 'telegram']);

    await store.people.touchIdentity('slack', 'U1', at(10));
    await store.people.touchIdentity('slack', 'U1', at(5));
    expect(await store.people.findIdentity('slack', 'U1')).toEqual({
      platform: 'slack',
      externalId: 'U1',
      personId: a.id,
      lastSeenAt: at(10),
    });

    await store.people.linkIdentity({ platform: 'slack', externalId: 'U1', personId: b.id, lastSeenAt: at(20) });
    expect((await store.people.findIdentity('slack', 'U1'))?.personId).toBe(b.id);
    expect(await store.people.listIdentities(a.id)).toHaveLength(1);
    expect(await store.people.findIdentity('discord', 'U1')).toBeUndefined();
  });

  it('ten simultaneous identical grants record one active grant; the others are told it exists', async () => {
    const p = await seedPerson(store, 'Pia Parallela');
    const grant = { personId: p.id, role: 'observer' as const, organisationId: null, grantedBy: null, grantedAt: T0, reason: 'race' };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.transaction((repos) => repos.people.grantRole(grant))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'already_exists' });
    expect((await store.people.activeGrants(p.id)).filter((g) => g.role === 'observer')).toHaveLength(1);
    // After a revocation the same role can be granted again.
    await store.people.revokeRole(p.id, 'observer', null, null, 'test', at(1));
    await expect(store.people.grantRole({ ...grant, grantedAt: at(2) })).resolves.toMatchObject({ role: 'observer' });
  });

  it('grants and revokes roles, keeping the history', async () => {
    const org1 = await seedOrganisation(store, 'Org 1');
    const org2 = await seedOrganisation(store, 'Org 2');
    const admin = await seedPerson(store, 'Admin');
    const p = await seedPerson(store, 'Paola');

    const g1 = await store.people.grantRole({
      personId: p.id,
      role: 'requester',
      organisationId: org1.id,
      grantedBy: admin.id,
      grantedAt: at(1),
      reason: 'socia',
    });
    expect(g1).toMatchObject({ role: 'requester', organisationId: org1.id, revokedAt: null, revokedBy: null, revokeReason: null });
    await store.people.grantRole({
      personId: p.id,
      role: 'requester',
      organisationId: org2.id,
      grantedBy: null,
      grantedAt: at(2),
      reason: 'invito',
    });
    await store.people.grantRole({
      personId: p.id,
      role: 'volunteer',
      organisationId: null,
      grantedBy: admin.id,
      grantedAt: at(3),
      reason: 'comitato',
    });
    expect((await store.people.activeGrants(p.id)).map((g) => g.role)).toEqual(['requester', 'requester', 'volunteer']);

    expect(await store.people.revokeRole(p.id, 'requester', org1.id, admin.id, 'uscita', at(4))).toBe(1);
    expect(await store.people.revokeRole(p.id, 'requester', org1.id, admin.id, 'di nuovo', at(5))).toBe(0);
    expect((await store.people.activeGrants(p.id)).map((g) => g.organisationId)).toEqual([org2.id, null]);

    expect(await store.people.revokeRole(p.id, 'volunteer', null, null, 'pausa', at(6))).toBe(1);
    const history = await store.people.listGrants({ role: 'volunteer' });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ revokedAt: at(6), revokedBy: null, revokeReason: 'pausa', reason: 'comitato' });

    const requesterGrants = await store.people.listGrants({ role: 'requester' });
    expect(requesterGrants.map((g) => [g.organisationId, g.revokeReason])).toEqual([
      [org2.id, null],
      [org1.id, 'uscita'],
    ]);
    expect(await store.people.listGrants({ role: 'requester', activeOnly: true })).toHaveLength(1);
    expect((await store.people.listGrants({})).length).toBeGreaterThanOrEqual(3);
  });

  it('findSender reads the identity, the person and the active grants as activeGrants lists them', async () => {
    const org = await seedOrganisation(store, 'Org mittente');
    const p = await seedPerson(store, 'Mittente');
    await store.people.linkIdentity({ platform: 'discord', externalId: 'D7', personId: p.id, lastSeenAt: at(3) });
    const noGrants = await store.people.findSender('discord', 'D7');
    expect(noGrants).toEqual({
      identity: { platform: 'discord', externalId: 'D7', personId: p.id, lastSeenAt: at(3) },
      person: await store.people.findPerson(p.id),
      grants: [],
    });
    for (const [role, i] of [
      ['requester', 2],
      ['volunteer', 1],
      ['ict_lead', 4],
    ] as const)
      await store.people.grantRole({
        personId: p.id,
        role,
        organisationId: role === 'volunteer' ? null : org.id,
        grantedBy: null,
        grantedAt: at(i),
        reason: 'test',
      });
    await store.people.revokeRole(p.id, 'ict_lead', org.id, null, 'fine', at(5));
    const sender = await store.people.findSender('discord', 'D7');
    expect(sender?.grants).toEqual(await store.people.activeGrants(p.id));
    expect(sender?.grants.map((g) => g.role)).toEqual(['volunteer', 'requester']);
    expect(await store.people.findSender('discord', 'nessuno')).toBeUndefined();
  });

  it('refuses an organisation role without an organisation', async () => {
    const p = await seedPerson(store);
    await expect(
      store.people.grantRole({ personId: p.id, role: 'ict_lead', organisationId: null, grantedBy: null, grantedAt: T0, reason: 'x' }),
    ).rejects.toThrow(/role_grants_org_scope_check/);
  });

  it('lists each person holding an active grant of a role once', async () => {
    const org = await seedOrganisation(store);
    const zeno = await seedPerson(store, 'Zeno');
    const alba = await seedPerson(store, 'Alba');
    const gone = await seedPerson(store, 'Gone');
    const grant = (personId: string, organisationId: string | null) =>
      store.people.grantRole({ personId, role: 'ict_lead', organisationId, grantedBy: null, grantedAt: T0, reason: 'r' });
    await grant(zeno.id, org.id);
    await grant(alba.id, org.id);
    await grant(alba.id, (await seedOrganisation(store)).id);
    await grant(gone.id, org.id);
    await store.people.revokeRole(gone.id, 'ict_lead', null, null, 'uscito', at(1));

    const leads = await store.people.listPeopleWithRole('ict_lead');
    expect(leads.map((p) => p.displayName)).toEqual(['Alba', 'Zeno']);
    expect(await store.people.listPeopleWithRole('moderator')).toEqual([]);
  });
});
