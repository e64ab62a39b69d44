/**
 * `sportello problem list|show` end to end: real child processes running the package bin against
 * a fresh database holding a problem with a linked incident and a linked change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyStore } from '../db/kysely-store.ts';
import { buildCli, cliOn, jsonOf, type Run, SLOW_MS } from './cli-process.ts';
import { seedOrganisation, seedPerson, T0 } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
const cli = cliOn(() => tdb.url);
const json = jsonOf;

beforeAll(async () => {
  await buildCli();
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  const org = await seedOrganisation(store, 'Pro Loco');
  const anna = await seedPerson(store, 'Anna Bianchi');
  const ticket = (kind: 'incident' | 'change', title: string) =>
    store.tickets.nextRef(kind).then((ref) =>
      store.tickets.insert({
        ref,
        kind,
        title,
        description: title,
        category: null,
        impact: 2,
        urgency: 2,
        priority: 3,
        tier: 'volunteer',
        organisationId: org.id,
        requesterId: anna.id,
        configurationItemId: null,
        idempotencyKey: null,
        createdAt: T0,
      }),
    );
  const problem = await store.problems.insert({
    ref: await store.problems.nextRef(),
    organisationId: null,
    title: 'La posta non arriva',
    description: '',
    category: 'posta',
    configurationItemId: null,
    createdBy: null,
    createdAt: T0,
  });
  await store.problems.link(problem.id, (await ticket('incident', 'Outlook non riceve')).id, null, T0);
  await store.problems.link(problem.id, (await ticket('change', 'Cambiare il server di posta')).id, null, T0);
  await store.problems.update(problem.id, ['new'], { status: 'investigating', rootCause: 'MX sbagliato' }, T0);
}, SLOW_MS);
afterAll(async () => {
  await tdb?.drop();
});

describe('sportello problem', () => {
  it('lists and shows problems, with --json; refuses unknown ids and statuses', { timeout: SLOW_MS }, async () => {
    const listed = json<{ ref: string; status: string; tickets: string[]; changes: string[] }[]>(await cli('problem', 'list', '--json'));
    expect(listed).toEqual([
      expect.objectContaining({ ref: 'PRB-000001', status: 'investigating', tickets: ['INC-000001'], changes: ['RFC-000001'] }),
    ]);
    expect(json<unknown[]>(await cli('problem', 'list', '--status', 'closed', '--json'))).toEqual([]);
    const text = await cli('problem', 'list');
    expect(text.stdout).toContain('PRB-000001');
    expect(text.stdout).toContain('in analisi');

    const shown = json<{ ref: string; rootCause: string; organisation: string | null; incidents: { ref: string; status: string }[] }>(
      await cli('problem', 'show', 'prb 1', '--json'),
    );
    expect(shown).toMatchObject({
      ref: 'PRB-000001',
      rootCause: 'MX sbagliato',
      organisation: null,
      incidents: [{ ref: 'INC-000001', status: 'new' }],
    });
    const human = await cli('problem', 'show', 'PRB-000001');
    expect(human.stdout).toContain('PRB-000001 · La posta non arriva');
    expect(human.stdout).toContain('Causa: MX sbagliato');

    const unknown = await cli('problem', 'show', 'PRB-000042');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Non trovo il problema PRB-000042');
    const bad = await cli('problem', 'list', '--status', 'finito');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status must be one of new, investigating, known_error, resolved, closed');
  });
});
