import { describe, expect, it } from 'vitest';
import { secretMatches } from './secret-matches.ts';

describe('secretMatches', () => {
  it('compares secrets of any length', () => {
    expect(secretMatches('abc', 'abc')).toBe(true);
    expect(secretMatches('abd', 'abc')).toBe(false);
    expect(secretMatches('abcd', 'abc')).toBe(false);
    expect(secretMatches('', 'abc')).toBe(false);
    expect(secretMatches('è'.repeat(300), 'è'.repeat(300))).toBe(true);
  });
});
