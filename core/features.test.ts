import { describe, expect, it } from 'vitest';
import { REGISTRY } from './features.ts';
import { Actor } from './kernel/actor.ts';
import {
  CommandRegistry,
  type CommandSpec,
  type Feature,
  fitsGrammar,
  Grammar,
  HELP_SECTIONS,
  looksLikeCommand,
  restAfter,
} from './kernel/command.ts';
import type { Role } from './kernel/person.ts';
import type { Turn } from './kernel/turn.ts';

const parseCommand = (text: string) => REGISTRY.parse(text)?.command;
/** An id that a shared command's `refs` take. */
const sampleRef = (refs: RegExp) =>
  ['RFC-000001', 'PRB-000001', 'INC-000001', 'KB-000001', 'AN-000001', 'CI-000001', 'Q-000001', 'A-000001'].find((r) => refs.test(r)) ??
  '?';

describe('the registry parses commands', () => {
  it.each<[string, string, string[]]>([
    // Italian and English words
    ['aiuto', 'help', []],
    ['help', 'help', []],
    ['comandi', 'help', []],
    ['?', 'help', []],
    ['/?', 'help', []],
    ['ticket', 'mine', []],
    ['miei', 'mine', []],
    ['mine', 'mine', []],
    ['stato INC-1', 'status', ['INC-1']],
    ['status inc-000001', 'status', ['inc-000001']],
    ['commenta INC-1 ora funziona', 'comment', ['INC-1', 'ora', 'funziona']],
    ['reply INC-1 thanks', 'comment', ['INC-1', 'thanks']],
    ['nota INC-1 cambiato toner', 'note', ['INC-1', 'cambiato', 'toner']],
    ['conferma INC-1', 'confirm', ['INC-1']],
    ['riapri INC-1 non va ancora', 'reopen', ['INC-1', 'non', 'va', 'ancora']],
    ['valuta INC-1 5', 'rate', ['INC-1', '5']],
    ['ritira INC-1', 'withdraw', ['INC-1']],
    ['prendi INC-1', 'claim', ['INC-1']],
    ['claim INC-1', 'claim', ['INC-1']],
    ['rilascia INC-1', 'unclaim', ['INC-1']],
    ['sospendi INC-1 serve la password', 'hold', ['INC-1', 'serve', 'la', 'password']],
    ['riprendi INC-1', 'resume', ['INC-1']],
    ['risolvi INC-1 riavviato', 'resolve', ['INC-1', 'riavviato']],
    ['passa INC-1 @giulia.rossi', 'handover', ['INC-1', '@giulia.rossi']],
    ['canale volontari', 'bind', ['volontari']],
    ['channel alerts', 'bind', ['alerts']],
    ['scollega', 'unbind', []],
    ['certifica @mario volontario', 'certify', ['@mario', 'volontario']],
    ['revoca @mario volontario abuso', 'revoke', ['@mario', 'volontario', 'abuso']],
    ['certificati', 'certified', []],
    ['lingua en', 'language', ['en']],
    ['collega ABCD2345', 'link', ['ABCD2345']],
    ['invita 12345678901', 'invite', ['12345678901']],
    ['entra ABCD2345', 'join', ['ABCD2345']],
    ['annulla', 'cancel', []],
    ['stop', 'cancel', []],
    ['chisono', 'whoami', []],
    ['whoami', 'whoami', []],
    // prefixes and bot suffixes
    ['/stato INC-1', 'status', ['INC-1']],
    ['!help', 'help', []],
    ['!prendi INC-7', 'claim', ['INC-7']],
    ['/start@SportelloBot', 'help', []],
    ['/stato@SportelloBot INC-1', 'status', ['INC-1']],
    // case, accents, whitespace
    ['STATO INC-1', 'status', ['INC-1']],
    ['Aiuto', 'help', []],
    ['/Help', 'help', []],
    ['riaprì INC-1', 'reopen', ['INC-1']],
    ['Lìngua it', 'language', ['it']],
    ['   stato    INC-1   ', 'status', ['INC-1']],
    ['stato\nINC-1', 'status', ['INC-1']],
    ['stato\tINC-1\n\nper favore', 'status', ['INC-1', 'per', 'favore']],
  ])('%j → %s %j', (text, name, args) => {
    const c = parseCommand(text);
    expect(c?.name).toBe(name);
    expect(c?.args).toEqual(args);
    expect(c?.rest).toBe(c?.rest.trim());
    expect(c?.rest.split(/\s+/).filter(Boolean)).toEqual(args);
  });

  it('keeps the rest verbatim (inner spacing and lines), trimmed', () => {
    expect(parseCommand('commenta INC-1  riga uno\n  riga due  ')?.rest).toBe('INC-1  riga uno\n  riga due');
    expect(parseCommand('/comment@SportelloBot INC-1 ok')?.rest).toBe('INC-1 ok');
  });

  it.each([
    '',
    '   ',
    'ciao',
    'La stampante non stampa',
    'qual è lo stato di INC-1?',
    'statoINC-1',
    'stato:',
    '//stato INC-1',
    '/ stato',
    '@SportelloBot stato',
    '/sconosciuto',
    '!',
    '/',
    'stati',
    'helpme',
  ])('%j is not a command', (text) => {
    expect(parseCommand(text)).toBeUndefined();
  });

  it('every command word is parsed back to its command, bare, with / and with !', () => {
    // A command sharing its word (it has refs) is reached through its first argument: see below.
    for (const c of REGISTRY.commands.filter((x) => !x.refs))
      for (const w of [...c.words.it, ...c.words.en])
        for (const prefix of ['', '/', '!']) expect(parseCommand(`${prefix}${w}`)?.name, `${prefix}${w}`).toBe(c.name);
  });

  it('refuses a feature whose word or name another feature already has', () => {
    const spec = (name: string, word: string): Feature => ({
      name,
      commands: [
        {
          name,
          words: { it: [word], en: [word] },
          grammar: Grammar.free,
          audience: ['anyone'],
          section: 'account',
          handle: async () => {},
        },
      ],
    });
    expect(() => new CommandRegistry([spec('a', 'uno'), spec('b', 'Unò')])).toThrow(/"Unò" belongs to both "a" and "b"/);
    expect(() => new CommandRegistry([spec('a', 'uno'), spec('a', 'due')])).toThrow(/declared twice/);
  });

  it('a shared word goes to the command its first argument names, else to the one without refs, else to every usage', async () => {
    const said: string[] = [];
    const spec = (name: string, refs?: RegExp): CommandSpec => ({
      name,
      words: { it: ['approva'], en: ['approve'] },
      grammar: Grammar.free,
      ...(refs ? { refs } : {}),
      audience: ['anyone'],
      section: 'account',
      usage: () => `usage ${name}`,
      handle: async () => {},
    });
    const shared = new CommandRegistry([{ name: 'f', commands: [spec('kb', /^KB-/i), spec('rfc', /^RFC-/i)] }]);
    expect(shared.parse('approva RFC-000003 ok')?.spec.name).toBe('rfc');
    expect(shared.parse('approve kb-000001')?.spec.name).toBe('kb');
    const neither = shared.parse('approva la spesa');
    expect(neither?.spec.name).toBe('kb|rfc');
    expect(fitsGrammar(neither!.spec, neither!.command, 'approva la spesa')).toBe(false);
    const bare = shared.parse('approva');
    const turn = { locale: 'it', say: (s: string) => void said.push(s) } as unknown as Turn;
    await bare?.spec.handle(turn, bare.command, shared);
    expect(said).toEqual(['usage kb\n\nusage rfc']);
    const withDefault = new CommandRegistry([{ name: 'f', commands: [spec('any'), spec('rfc', /^RFC-/i)] }]);
    expect(withDefault.parse('approva qualcosa')?.spec.name).toBe('any');
    expect(withDefault.parse('approva RFC-1')?.spec.name).toBe('rfc');
    expect(() => new CommandRegistry([{ name: 'f', commands: [spec('a'), spec('b')] }])).toThrow(/sharing a word needs refs/);
  });

  it('every shared word of the product reaches each of its commands', () => {
    for (const c of REGISTRY.commands.filter((x) => x.refs))
      for (const w of [...c.words.it, ...c.words.en]) expect(REGISTRY.parse(`${w} ${sampleRef(c.refs!)}`)?.spec.name, w).toBe(c.name);
  });

  it('menu words are valid Telegram and Discord command names, in both languages', () => {
    for (const l of ['it', 'en'] as const)
      for (const entry of REGISTRY.menu(l)) {
        expect(entry.word).toMatch(/^[a-z0-9_]{1,32}$/);
        expect(entry.description.length).toBeGreaterThan(2);
        expect(entry.description.length).toBeLessThanOrEqual(100);
      }
  });
});

describe("aiuto lists the commands of the asker's roles", () => {
  const actor = (...roles: Role[]): Actor => ({
    personId: 'p',
    displayName: 'P',
    locale: 'it',
    roles: roles.map((role) => ({ role, organisationId: role === 'requester' || role === 'ict_lead' ? 'org' : null })),
  });
  const names = (a: Actor) => [...REGISTRY.forActor(a).values()].flat().map((c) => c.name);

  it.each<[Role[], string[], string[]]>([
    [['requester'], ['mine', 'status', 'comment', 'cancel', 'language', 'whoami'], ['claim', 'certify', 'sla', 'agent', 'bind']],
    [['ict_lead'], ['mine', 'agent', 'agents', 'silence', 'invite'], ['claim', 'certify', 'sla', 'bind']],
    [['volunteer'], ['claim', 'resolve', 'note', 'sla', 'agents'], ['certify', 'bind', 'agent']],
    [['moderator'], ['claim', 'bind', 'invite', 'sla', 'agent', 'certified'], ['certify']],
    [['committee'], ['certify', 'revoke', 'certified', 'claim', 'bind', 'committee', 'decisions', 'register'], ['quote', 'review']],
    [
      ['vendor'],
      ['vendor', 'register', 'catalogue', 'offer', 'quote', 'claim', 'resolve', 'note', 'mine', 'complain'],
      ['certify', 'committee', 'propose', 'cap', 'decisions', 'review', 'pick'],
    ],
  ])('%j', (roles, shown, hidden) => {
    const listed = names(actor(...roles));
    for (const n of shown) expect(listed, n).toContain(n);
    for (const n of hidden) expect(listed, n).not.toContain(n);
  });

  it('keeps the sections in order and every listed command has a help line in both languages', () => {
    const sections = [...REGISTRY.forActor(actor('committee', 'volunteer', 'ict_lead')).keys()];
    expect(sections).toEqual(HELP_SECTIONS.filter((s) => sections.includes(s)));
    for (const c of REGISTRY.commands.filter((x) => x.help))
      for (const l of ['it', 'en'] as const) expect(c.help?.(l), `${c.name} ${l}`).toMatch(/\S/);
  });
});

describe('looksLikeCommand', () => {
  it.each([
    ['/sconosciuto', true],
    ['!qualcosa', true],
    ['  /stato', true],
    ['stato INC-1', false],
    ['/', false],
    ['/ stato', false],
    ['ciao', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeCommand(text)).toBe(expected);
  });
});

describe('restAfter', () => {
  it.each([
    ['INC-1 ora funziona', 1, 'ora funziona'],
    ['INC-1 @giulia passa a te', 2, 'passa a te'],
    ['INC-1 @giulia', 2, ''],
    ['INC-1', 1, ''],
    ['INC-1', 3, ''],
    ['', 1, ''],
    ['  a  b  c  ', 0, 'a  b  c'],
    ['  a   b  c ', 1, 'b  c'],
    ['INC-1\nriga uno\nriga due', 1, 'riga uno\nriga due'],
    ['INC-1 \t  testo', 1, 'testo'],
  ])('restAfter(%j, %i) = %j', (rest, n, expected) => {
    expect(restAfter(rest, n)).toBe(expected);
  });
});
