import { describe, expect, it } from 'vitest';
import { secretMatcher, secretMatches } from './secret-matches.ts';

describe('secretMatches', () => {
  it('compares secrets of any length', () => {
    expect(secretMatches('abc', 'abc')).toBe(true);
    expect(secretMatches('abd', 'abc')).toBe(false);
    expect(secretMatches('abcd', 'abc')).toBe(false);
    expect(secretMatches('', 'abc')).toBe(false);
    expect(secretMatches('è'.repeat(300), 'è'.repeat(300))).toBe(true);
  });
});

describe('secretMatcher', () => {
  it('compares with the secret it was made for', () => {
    const matches = secretMatcher('abc');
    expect(matches('abc')).toBe(true);
    expect(matches('abd')).toBe(false);
    expect(matches('abcd')).toBe(false);
    expect(matches('')).toBe(false);
    expect(secretMatcher('è'.repeat(300))('è'.repeat(300))).toBe(true);
  });
});
