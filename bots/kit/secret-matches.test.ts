import { describe, expect, it } from 'vitest';
import { secretMatcher } from './secret-matches.ts';

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
