import { describe, it, expect } from 'vitest';
import { COMMANDS, looksLikeCommand, parseCommand, restAfter, type CommandName } from './commands.ts';

describe('parseCommand', () => {
  it.each<[string, CommandName, string[]]>([
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
    for (const [name, words] of Object.entries(COMMANDS))
      for (const w of words) for (const prefix of ['', '/', '!']) expect(parseCommand(`${prefix}${w}`)?.name, `${prefix}${w}`).toBe(name);
  });

  it('no command word belongs to two commands', () => {
    const words = Object.values(COMMANDS).flat();
    expect(new Set(words).size).toBe(words.length);
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
