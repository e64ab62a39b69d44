import { describe, expect, it } from 'vitest';
import { newCode } from './one-time-codes.ts';
import { handleFrom } from './register.ts';

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const bytes =
  (...b: number[]) =>
  () =>
    Uint8Array.from(b);

describe('newCode', () => {
  it('is 8 characters from the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) expect(newCode()).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
  });

  it.each(['0', 'O', '1', 'I', 'L'])('never contains the ambiguous character %s', (c) => {
    expect(ALPHABET).not.toContain(c);
    for (let i = 0; i < 200; i++) expect(newCode()).not.toContain(c);
  });

  it('the alphabet has 31 distinct characters, all of them used', () => {
    expect(new Set(ALPHABET).size).toBe(31);
    const seen = new Set(Array.from({ length: 1000 }, () => newCode()).join(''));
    expect([...seen].sort().join('')).toBe([...ALPHABET].sort().join(''));
  });

  it('asks the random source for 8 bytes', () => {
    const asked: number[] = [];
    newCode((n) => {
      asked.push(n);
      return new Uint8Array(n);
    });
    expect(asked).toEqual([8]);
  });

  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0], 'AAAAAAAA'],
    [[0, 1, 2, 3, 4, 5, 6, 7], 'ABCDEFGH'],
    [[8, 9, 10, 11, 12, 13, 14, 15], 'JKMNPQRS'],
    [[23, 24, 25, 26, 27, 28, 29, 30], '23456789'],
    [[31, 32, 61, 62, 255, 254, 93, 124], 'AB9AHGAA'], // each byte modulo 31
  ])('maps bytes %j to %s', (b, code) => {
    expect(newCode(bytes(...b))).toBe(code);
  });

  it('gives different codes from fresh randomness', () => {
    const codes = new Set(Array.from({ length: 100 }, () => newCode()));
    expect(codes.size).toBe(100);
  });
});

describe('handleFrom', () => {
  it.each([
    ['Giulia Rossì', 'giulia.rossi'],
    ['giulia.rossi', 'giulia.rossi'],
    ['GIULIA ROSSI', 'giulia.rossi'],
    ['  Giulia   Rossi  ', 'giulia.rossi'],
    ["Maria D'Angelo", 'maria.d.angelo'],
    ['Jean-Luc Picard', 'jean.luc.picard'],
    ['Zoë Ünal', 'zoe.unal'],
    ['Niccolò Àlbani', 'niccolo.albani'],
    ['@mario_bianchi', 'mario.bianchi'],
    ['Mario 2', 'mario.2'],
    ['...Anna...', 'anna'],
    ['', 'utente'],
    ['   ', 'utente'],
    ['!!!', 'utente'],
    ['Олег', 'utente'],
    ['李雷', 'utente'],
  ])('%j → %j', (name, handle) => {
    expect(handleFrom(name)).toBe(handle);
  });

  it('is at most 30 characters', () => {
    expect(handleFrom('a'.repeat(50))).toBe('a'.repeat(30));
  });

  it('is idempotent', () => {
    for (const n of ['Giulia Rossì', "Maria D'Angelo", 'Zoë Ünal']) expect(handleFrom(handleFrom(n))).toBe(handleFrom(n));
  });

  // Cutting to 30 characters must not leave a separator at the end (the leading/trailing dots
  // are stripped before the cut, so a cut that lands on a dot brings one back).
  it.each([
    [`${'a'.repeat(29)} Rossi`, 'a'.repeat(29)],
    ['Maria Giovanna Elisabetta Dei Santi', 'maria.giovanna.elisabetta.dei'],
  ])('cut to 30 characters, %j does not end with a dot', (name, handle) => {
    const h = handleFrom(name);
    expect(h.length).toBeLessThanOrEqual(30);
    expect(h).toMatch(/^[a-z0-9]+(\.[a-z0-9]+)*$/);
    expect(h).toBe(handle);
  });
});
