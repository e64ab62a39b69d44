/** The web chat's demo identities: everyone with a web identity, or one of them by handle, with roles and organisation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';
import { WebMessageRepository } from './web-message.repository.ts';

let tdb: TestDatabase;
let messages: WebMessageRepository;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  messages = new WebMessageRepository(tdb.db);
  const org = await seedOrganisation(store, 'ODV Web');
  const anna = await seedPerson(store, 'Anna Web');
  const bruno = await seedPerson(store, 'Bruno Web');
  const elsewhere = await seedPerson(store, 'Carla Telegram');
  await store.people.linkIdentity({ platform: 'web', externalId: 'anna', personId: anna.id, lastSeenAt: T0 });
  await store.people.linkIdentity({ platform: 'web', externalId: 'bruno', personId: bruno.id, lastSeenAt: T0 });
  await store.people.linkIdentity({ platform: 'telegram', externalId: '42', personId: elsewhere.id, lastSeenAt: T0 });
  for (const role of ['requester', 'ict_lead'] as const)
    await store.people.grantRole({ personId: anna.id, role, organisationId: org.id, grantedBy: null, grantedAt: T0, reason: 'prova' });
  await store.people.grantRole({
    personId: bruno.id,
    role: 'volunteer',
    organisationId: null,
    grantedBy: null,
    grantedAt: T0,
    reason: 'prova',
  });
});
afterAll(async () => {
  await tdb?.drop();
});

describe('WebMessageRepository users', () => {
  it('lists the web identities by name, each with its roles and organisation', async () => {
    expect(await messages.users()).toEqual([
      { handle: 'anna', displayName: 'Anna Web', roles: ['requester', 'ict_lead'], organisation: 'ODV Web' },
      { handle: 'bruno', displayName: 'Bruno Web', roles: ['volunteer'], organisation: null },
    ]);
  });

  it('finds one by handle, and nothing for a handle that is not on the web chat', async () => {
    expect(await messages.user('bruno')).toEqual({ handle: 'bruno', displayName: 'Bruno Web', roles: ['volunteer'], organisation: null });
    expect(await messages.user('42')).toBeUndefined();
    expect(await messages.user('nessuno')).toBeUndefined();
  });
});
