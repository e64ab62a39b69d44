/**
 * `sportello person export` and `sportello person erase` end to end: real child processes running
 * the package bin against a fresh database, as an operator answering a GDPR request would.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cliOn, jsonOf, SLOW_MS } from './cli-process.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
const cli = cliOn(() => tdb.url);

beforeAll(async () => {
  await buildCli();
  tdb = await createTestDatabase();
}, SLOW_MS);
afterAll(async () => {
  await tdb?.drop();
});

interface ExportJson {
  person: { handle: string; display_name: string; email: string | null };
  identities: { platform: string; external_id: string }[];
  ticketsRequested: { ref: string; description: string }[];
}

describe('sportello person export / erase', () => {
  it('exports a person as JSON, erases them keeping the ticket, and both are recorded', { timeout: SLOW_MS }, async () => {
    jsonOf(await cli('org', 'add', '--name', 'Associazione Il Girasole ODV', '--fiscal-code', '97000000001', '--json'));
    for (const [name, handle] of [
      ['Anna Bianchi', 'anna'],
      ['Bruno Verdi', 'bruno'],
    ] as const) {
      jsonOf(
        await cli(
          'person',
          'add',
          '--name',
          name,
          '--handle',
          handle,
          '--email',
          `${handle}@example.org`,
          '--phone',
          '+39 347 000111' + handle.length,
          '--json',
        ),
      );
      jsonOf(await cli('role', 'grant', '--person', handle, '--role', 'requester', '--org', '97000000001', '--reason', 'socia', '--json'));
    }
    jsonOf(await cli('identity', 'link', '--person', 'anna', '--platform', 'telegram', '--external-id', '5550001', '--json'));
    const created = jsonOf<{ ref: string }>(
      await cli(
        'ticket',
        'create',
        '--as',
        'anna',
        '--kind',
        'incident',
        '--title',
        'Stampante Quetzal ferma',
        '--description',
        'La stampante Quetzal del primo piano non stampa',
        '--impact',
        '2',
        '--urgency',
        '2',
        '--json',
      ),
    );
    jsonOf(
      await cli(
        'ticket',
        'create',
        '--as',
        'bruno',
        '--kind',
        'incident',
        '--title',
        'Rete lenta',
        '--description',
        'La rete di Bruno è lenta, avvisate anche tg 5550001',
        '--impact',
        '2',
        '--urgency',
        '2',
        '--json',
      ),
    );

    const data = jsonOf<ExportJson>(await cli('person', 'export', 'anna', '--reason', 'richiesta via PEC', '--json'));
    expect(data.person).toMatchObject({ handle: 'anna', display_name: 'Anna Bianchi', email: 'anna@example.org' });
    expect(data.identities).toEqual([expect.objectContaining({ platform: 'telegram', external_id: '5550001' })]);
    expect(data.ticketsRequested.map((t) => t.ref)).toEqual([created.ref]);
    expect(JSON.stringify(data)).not.toMatch(/bruno|Bruno/);
    // Without --json: the same document, indented.
    const text = await cli('person', 'export', '@anna');
    expect(text.code).toBe(0);
    expect(JSON.parse(text.stdout).person.handle).toBe('anna');

    const noReason = await cli('person', 'erase', 'anna');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');

    const erased = jsonOf<{ handle: string; displayName: string; alreadyErased: boolean }>(
      await cli('person', 'erase', 'anna', '--reason', 'richiesta di cancellazione', '--json'),
    );
    expect(erased.alreadyErased).toBe(false);
    expect(erased.displayName).toMatch(/^Persona cancellata [0-9A-F]{4}$/);
    const ticket = jsonOf<{ ref: string; description: string; title: string }>(await cli('ticket', 'show', created.ref, '--json'));
    expect(ticket).toMatchObject({ ref: created.ref, description: "[testo rimosso su richiesta dell'interessato]" });

    const gone = await cli('person', 'export', 'anna');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Non trovo nessuno con il nome utente anna');
    const identities = await sql<{ n: string }>`select count(*) as n from identities where external_id = '5550001'`.execute(tdb.db);
    expect(Number(identities.rows[0]!.n)).toBe(0);
    // Her account id, as written in a comment of Bruno's: replaced too.
    const mentions = await sql<{ n: string }>`select count(*) as n from tickets where description like '%5550001%'`.execute(tdb.db);
    expect(Number(mentions.rows[0]!.n)).toBe(0);

    const twice = await cli('person', 'erase', erased.handle, '--reason', 'di nuovo');
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain('Persona già cancellata');
    const records = await sql<{ kind: string; channel: string; reason: string; requested_by: string | null }>`
      select kind, channel, reason, requested_by from privacy_requests order by seq`.execute(tdb.db);
    expect(records.rows).toEqual([
      { kind: 'export', channel: 'cli', reason: 'richiesta via PEC', requested_by: null },
      { kind: 'export', channel: 'cli', reason: 'sportello person export', requested_by: null },
      { kind: 'erase', channel: 'cli', reason: 'richiesta di cancellazione', requested_by: null },
      { kind: 'erase', channel: 'cli', reason: 'di nuovo', requested_by: null },
    ]);
  });
});
