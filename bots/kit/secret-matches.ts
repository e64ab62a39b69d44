import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Whether a secret (or signature) given by a client equals the expected one, in constant time
 * whatever the lengths: both sides are hashed to 32 bytes first, so neither the content nor
 * the length of the expected value leaks through timing.
 */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** `secretMatches` against a secret fixed at start: its digest is taken once. */
export function secretMatcher(expected: string): (given: string) => boolean {
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}
