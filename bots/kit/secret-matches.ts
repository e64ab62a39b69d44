import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret (or signature) given by a client equals the expected one, in constant time
 * whatever the lengths: both sides are hashed to 32 bytes first, so neither the content nor
 * the length of the expected value leaks through timing.
 */
export function secretMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
