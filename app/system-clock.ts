import type { Clock } from '../core/ports.ts';

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
