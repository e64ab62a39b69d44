import type { Clock } from '../core/kernel/ports.ts';

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
