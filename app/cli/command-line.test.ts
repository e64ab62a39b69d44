import { describe, expect, it } from 'vitest';
import { UsageError } from './command.ts';
import { parseCommandLine } from './command-line.ts';
import { runCli } from './run-cli.ts';

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('finds one- and two-word commands, options, positionals and --json anywhere', () => {
    expect(parseCommandLine(['migrate'])).toMatchObject({ kind: 'run', command: { name: 'migrate' }, json: false });
    expect(parseCommandLine(['--json', 'org', 'list'])).toMatchObject({ kind: 'run', command: { name: 'org list' }, json: true });
    expect(parseCommandLine(['ticket', 'show', 'inc-7', '--json'])).toMatchObject({
      command: { name: 'ticket show' },
      input: { ref: 'inc-7' },
      json: true,
    });
    expect(parseCommandLine(['ticket', 'list', '--status', 'new,assigned', '--status', 'pending', '--as', 'maria'])).toMatchObject({
      input: { statuses: ['new', 'assigned', 'pending'], as: 'maria', limit: 100 },
    });
    expect(
      parseCommandLine([
        'ticket',
        'create',
        '--as',
        'm',
        '--kind',
        'change',
        '--title',
        'T',
        '--description',
        'D',
        '--impact',
        '3',
        '--urgency',
        '1',
        '--org',
        '97000000001',
      ]),
    ).toMatchObject({ input: { kind: 'change', impact: 3, urgency: 1, fiscalCode: '97000000001' } });
    expect(parseCommandLine(['role', 'grant', '--person', 'giulia', '--role', 'volunteer'])).toMatchObject({
      input: { handle: 'giulia', role: 'volunteer', reason: '' },
    });
  });

  it('answers help for the whole CLI or one command', () => {
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help', 'org', 'add'])).toMatchObject({ kind: 'help', command: { name: 'org add' } });
    expect(parseCommandLine(['ticket', 'create', '-h'])).toMatchObject({ kind: 'help', command: { name: 'ticket create' } });
  });

  it.each([
    [[], 'missing command'],
    [['org'], '"org" needs a subcommand'],
    [['org', 'delete'], 'unknown command "org delete"'],
    [['ticket', 'show'], 'missing REF'],
    [['ticket', 'show', 'INC-1', 'INC-2'], 'unexpected argument "INC-2"'],
    [['org', 'list', '--all'], "Unknown option '--all'"],
    [['org', 'add', '--name'], "Option '--name <value>' argument missing"],
    [['person', 'add', '--name', 'X', '--locale', 'de'], '--locale must be one of it, en (got "de")'],
    [
      ['identity', 'link', '--person', 'x', '--platform', 'whatsapp', '--external-id', '1'],
      '--platform must be one of slack, telegram, discord, web (got "whatsapp")',
    ],
    [
      ['role', 'grant', '--person', 'x', '--role', 'king'],
      '--role must be one of requester, ict_lead, volunteer, moderator, vendor, committee, observer (got "king")',
    ],
    [['role', 'revoke', '--person', 'x', '--role', 'volunteer'], 'missing required option --reason'],
    [
      ['ticket', 'create', '--as', 'm', '--kind', 'incident', '--title', 'T', '--description', 'D', '--impact', '0', '--urgency', '1'],
      '--impact must be an integer from 1 to 3 (got "0")',
    ],
    [
      ['ticket', 'create', '--as', 'm', '--kind', 'incident', '--title', 'T', '--description', 'D', '--impact', '1'],
      'missing required option --urgency',
    ],
    [['ticket', 'list', '--status', 'open'], expect.stringContaining('--status must be one of new, assigned')],
    [['ticket', 'list', '--limit', 'many'], '--limit must be an integer from 1 to 1000 (got "many")'],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv as string[])).toEqual(message);
  });
});

describe('runCli', () => {
  it('prints the problem and the usage on stderr and exits 2, without loading the config', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['org', 'add'], { io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, env: { PORT: 'bad' } });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/^sportello: missing required option --name\n\nUsage: sportello org add --name N --fiscal-code C/);
  });

  it('prints every configuration problem and exits 1', async () => {
    const err: string[] = [];
    const code = await runCli(['org', 'list'], {
      io: { stdout: () => {}, stderr: (s) => err.push(s) },
      env: { PORT: 'abc', WEB_CHAT: 'maybe' },
    });
    expect(code).toBe(1);
    expect(err.join('')).toBe('PORT: must be an integer between 1 and 65535 (got "abc")\nWEB_CHAT: must be one of on, off (got "maybe")\n');
  });

  it('gives up on an unreachable database with one clear line', async () => {
    const err: string[] = [];
    const code = await runCli(['org', 'list'], {
      io: { stdout: () => {}, stderr: (s) => err.push(s) },
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/sportello', LOG_LEVEL: 'silent' },
      databaseWaitMs: 500,
    });
    expect(code).toBe(1);
    expect(err.join('')).toBe('Database non raggiungibile (127.0.0.1:1/sportello): rinuncio dopo 1 s.\n');
  });
});
