/**
 * `sportello community search`, `kb list|show` and `community deflection`, run in-process through
 * the CLI's own parser, config and session (test/cli.test.ts covers the bundled bin), on a fresh
 * database holding the labelled corpus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../app/cli/run-cli.ts';
import { CONFIG_VARIABLES } from '../app/config.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import { loadCorpus } from './fixtures/community-eval.ts';
import { seedPerson } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
let refs: Map<string, string>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  refs = await loadCorpus(store, (await seedPerson(store, 'Anna Romano')).id, (await seedPerson(store, 'Vera Volontaria')).id);
}, 60_000);
afterAll(() => tdb?.drop());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !(CONFIG_VARIABLES as readonly string[]).includes(k))),
    DATABASE_URL: tdb.url,
    LOG_LEVEL: 'silent',
  };
  const code = await runCli(args, { env, io: { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) } });
  return { code, stdout, stderr };
}

describe('community on the command line', () => {
  it('community search: questions, answers and articles, best first, each with id, kind, title and score', async () => {
    const r = await cli('community', 'search', 'configurare', 'la', 'pec', 'su', 'tunderbird', '--json');
    expect(r.stderr).toBe('');
    const hits = JSON.parse(r.stdout) as { id: string; kind: string; title: string; score: number }[];
    expect(hits[0]).toMatchObject({ id: refs.get('pec-thunderbird'), kind: 'article', title: 'Configurare la PEC su Thunderbird' });
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    const answers = JSON.parse((await cli('--json', 'community', 'search', 'outlook', 'password')).stdout) as {
      id: string;
      kind: string;
      question: string;
    }[];
    expect(answers[0]).toMatchObject({ kind: 'answer', question: refs.get('outlook-password') });
    expect((await cli('community', 'search')).code).toBe(2);
  });

  it('kb list and kb show', async () => {
    const list = JSON.parse((await cli('kb', 'list', '--json')).stdout) as { id: string; status: string }[];
    expect(list.length).toBeGreaterThanOrEqual(20);
    expect(new Set(list.map((a) => a.status))).toEqual(new Set(['published']));
    const ref = refs.get('backup-nas')!;
    const shown = JSON.parse((await cli('kb', 'show', ref, '--json')).stdout) as { id: string; title: string; body: string };
    expect(shown).toMatchObject({ id: ref, title: 'Backup automatico su NAS' });
    expect(shown.body).toContain('Hyper Backup');
    const text = await cli('kb', 'show', ref);
    expect(text.stdout).toContain(`${ref} · Backup automatico su NAS`);
    const missing = await cli('kb', 'show', 'KB-999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Non trovo l'articolo KB-999999");
  });

  it('community deflection reports the funnel', async () => {
    const r = JSON.parse((await cli('community', 'deflection', '--days', '7', '--json')).stdout) as {
      days: number;
      rate: number;
      total: { offered: number };
    };
    expect(r).toMatchObject({ days: 7, rate: 0, total: { offered: 0 } });
  });
});
