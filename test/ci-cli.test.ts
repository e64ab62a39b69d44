/**
 * `sportello ci list|show|add|link|unlink` end to end: real child processes running the package
 * bin against a fresh database, as an operator would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cliOn, jsonOf, type Run, SLOW_MS } from './cli-process.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
const cli = cliOn(() => tdb.url);
const json = jsonOf;

beforeAll(async () => {
  await buildCli();
  tdb = await createTestDatabase();
}, SLOW_MS);
afterAll(async () => {
  await tdb?.drop();
});

interface ItemJson {
  ref: string;
  kind: string;
  name: string;
  status: string;
  renewalOn: string | null;
  organisation: string;
}

describe('sportello ci', () => {
  it('adds, links, lists and shows items with impact and history; refuses bad input and loops', { timeout: SLOW_MS }, async () => {
    json(await cli('org', 'add', '--name', 'Associazione Il Girasole ODV', '--fiscal-code', '97000000001', '--json'));

    const site = json<ItemJson>(await cli('ci', 'add', '--org', '97000000001', '--kind', 'site', '--name', 'Sede centrale', '--json'));
    expect(site).toMatchObject({ kind: 'site', name: 'Sede centrale', status: 'active', organisation: 'Associazione Il Girasole ODV' });
    const server = json<ItemJson>(await cli('ci', 'add', '--org', '97000000001', '--kind', 'server', '--name', 'nas-sede', '--json'));
    const licence = json<ItemJson>(
      await cli('ci', 'add', '--org', '97000000001', '--kind', 'licenza', '--name', 'Microsoft 365', '--renewal', '2026-09-30', '--json'),
    );
    expect(licence).toMatchObject({ kind: 'licence', renewalOn: '2026-09-30' });

    const linked = json<{ added: boolean }>(await cli('ci', 'link', server.ref, 'located_at', site.ref, '--json'));
    expect(linked.added).toBe(true);
    const text = await cli('ci', 'link', server.ref, 'located_at', site.ref);
    expect(text.stdout).toContain('era già registrato');

    const loop = await cli('ci', 'link', site.ref, 'depends_on', server.ref);
    expect(loop.code).toBe(1);
    expect(loop.stderr).toContain(`Non posso collegare ${site.ref} a ${server.ref}`);

    const list = json<ItemJson[]>(await cli('ci', 'list', '--org', '97000000001', '--json'));
    expect(list.map((i) => i.name).sort()).toEqual(['Microsoft 365', 'Sede centrale', 'nas-sede']);
    expect(json<ItemJson[]>(await cli('ci', 'list', '--kind', 'licence', '--json')).map((i) => i.ref)).toEqual([licence.ref]);

    const shown = json<{
      impact: { total: number; items: { ref: string; depth: number }[] };
      neededBy: { ref: string }[];
      history: { field: string }[];
    }>(await cli('ci', 'show', site.ref, '--json'));
    expect(shown.impact).toEqual({ total: 1, items: [{ depth: 1, ref: server.ref, name: 'nas-sede', kind: 'server', status: 'active' }] });
    expect(shown.neededBy.map((r) => r.ref)).toEqual([server.ref]);
    expect(shown.history.map((h) => h.field)).toEqual(['created']);
    expect((await cli('ci', 'show', site.ref)).stdout).toContain('impact 1: ');

    const unlinked = json<{ removed: boolean }>(await cli('ci', 'unlink', server.ref, 'located_at', site.ref, '--json'));
    expect(unlinked.removed).toBe(true);

    const badKind = await cli('ci', 'add', '--org', '97000000001', '--kind', 'frigorifero', '--name', 'x');
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toContain('unknown kind: frigorifero');
    const badDate = await cli('ci', 'add', '--org', '97000000001', '--kind', 'licence', '--name', 'x', '--renewal', '2026-02-30');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--renewal must be a date');
    const unknown = await cli('ci', 'show', 'CI-000999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Non trovo l'elemento di configurazione CI-000999");
    const badRelation = await cli('ci', 'link', server.ref, 'abita', site.ref);
    expect(badRelation.code).toBe(2);
  });
});
