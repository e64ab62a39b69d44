/**
 * What a person is told when an operator grants them a role with the CLI: a requester is added
 * to an organisation (nobody certifies requesters), and a role given at the command line is an
 * administrator's act, not the committee's. Real `sportello` processes on a fresh database; the
 * notices are read from the outbox, as the delivery would send them.
 */
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

/** The texts sent to the Telegram chat `chatId`, oldest first. */
async function dmTexts(chatId: string): Promise<string[]> {
  const rows = await tdb.db
    .selectFrom('outbox')
    .select(['message'])
    .where('conversation_key', '=', `telegram:${chatId}`)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.message.text);
}

describe('role grants from the CLI', () => {
  it('tell a requester they were added to the organisation by an administrator, never certified by the committee', {
    timeout: SLOW_MS,
  }, async () => {
    jsonOf(await cli('org', 'add', '--name', 'Associazione Il Girasole ODV', '--fiscal-code', '97000000011', '--json'));
    jsonOf(await cli('person', 'add', '--name', 'Maria Bianchi', '--json'));
    jsonOf(await cli('person', 'add', '--name', 'Giulia Rossi', '--handle', 'giulia', '--locale', 'en', '--json'));
    jsonOf(await cli('identity', 'link', '--person', 'maria.bianchi', '--platform', 'telegram', '--external-id', '424242', '--json'));
    jsonOf(await cli('identity', 'link', '--person', 'giulia', '--platform', 'telegram', '--external-id', '434343', '--json'));

    const granted = await cli('role', 'grant', '--person', 'maria.bianchi', '--role', 'requester', '--org', '97000000011');
    expect(granted).toMatchObject({ code: 0, stdout: 'Ruolo requester assegnato a @maria.bianchi.\n' });
    expect(await dmTexts('424242')).toEqual([
      'Ora sei richiedente di Associazione Il Girasole ODV: ruolo assegnato da un amministratore di Sportello.',
    ]);

    // A volunteer's certification given at the command line: an administrator's act, with its term.
    jsonOf(await cli('role', 'grant', '--person', 'giulia', '--role', 'volunteer', '--reason', 'corso finito', '--json'));
    jsonOf(await cli('role', 'grant', '--person', 'giulia', '--role', 'volunteer', '--reason', 'rinnovo', '--json'));
    const told = await dmTexts('434343');
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(/^You are now volunteer until .+: role assigned by a Sportello administrator\.$/);
    expect(told[1]).toMatch(/^Your volunteer certification was renewed by a Sportello administrator: it is now valid until .+\.$/);
    for (const text of [...(await dmTexts('424242')), ...told]) expect(text).not.toMatch(/committee|comitato/i);
  });
});
