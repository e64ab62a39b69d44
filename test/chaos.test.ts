/**
 * The reliability run of `npm run bench -- chaos`, small: the same topology (its own PostgreSQL
 * and Redis, two app processes, two workers, the three platform fakes), the same faults, one
 * intake per platform, two agents, a few SLA tickets. Nothing may be lost or duplicated.
 * CHAOS_VERBOSE=1 shows its progress.
 */
import { describe, expect, it } from 'vitest';
import { FULL_RUN, runChaos } from '../bench/chaos/run-chaos.ts';

describe('reliability run, small', () => {
  it('loses and duplicates nothing under kill -9, database and Redis restarts, platform errors and a clock jump', {
    timeout: 240_000,
  }, async () => {
    const figures = await runChaos({
      ...FULL_RUN,
      intakes: 3,
      requestersPerPlatform: 1,
      volunteersPerPlatform: 2,
      agents: 2,
      reportsPerAgent: 3,
      reportIntervalMs: 1_000,
      slaShort: 2,
      slaLong: 1,
      slaResponseS: 4,
      settleMs: 90_000,
      stepMs: 60_000,
    });
    // runChaos throws on any loss, duplicate or failed step; the figures say what was exercised.
    expect(figures.lost_total).toBe(0);
    expect(figures.duplicated_total).toBe(0);
    const faults = figures.faults as Record<string, unknown>;
    for (const name of [
      'kill9_app',
      'kill9_worker',
      'kill9_app_discord_gateway',
      'postgres_restart_fast',
      'redis_restart',
      'sla_clock_jump',
    ])
      expect(faults[name], name).toBe(1);
    expect((figures.tickets as { stored: number }).stored).toBe(3);
    expect((figures.sla as { events_fired: number }).events_fired).toBeGreaterThan(0);
  });
});
