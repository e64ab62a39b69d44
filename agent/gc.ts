/**
 * Garbage collections the agent asks for at chosen moments (see `Agent.start()`), through V8's
 * `gc` that the bin's `--expose-gc` installs; without it (tests, `node bin/sportello-agent.cjs`)
 * nothing happens.
 *
 * Why: the young generation is two 1 MB semi-spaces, and a scavenge gives the pages filled since
 * the previous one back to the system only when the allocation between the two was slow. Left
 * to V8, the agent's scavenges came every other cycle (at 80% of a semi-space) and the start-up's
 * burst kept the spare semi-space resident into the first cycle: the process's peak.
 */
type Gc = (options?: { type: 'minor' }) => void;

/** A scavenge of the young generation, or a full collection (`gc()`: node 20's V8 reads `{ type: 'major' }` as a scavenge). */
export function collectGarbage(kind: 'minor' | 'full'): void {
  const gc = (globalThis as { gc?: Gc }).gc;
  if (kind === 'minor') gc?.({ type: 'minor' });
  else gc?.();
}
