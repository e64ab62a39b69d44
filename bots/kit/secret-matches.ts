import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Whether a secret given by a client equals `expected` (fixed at start, its digest taken once),
 * in constant time whatever the lengths: both sides are hashed to 32 bytes first, so neither the
 * content nor the length of the expected value leaks through timing.
 */
export function secretMatcher(expected: string): (given: string) => boolean {
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}
