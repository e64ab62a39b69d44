/**
 * `Agent.start()` runs its first cycle after a short pause, not at once (FIRST_CYCLE_AFTER_MS:
 * the start-up's garbage collection happens in the pause, which keeps the process's peak RSS
 * lower), then one cycle every interval; `stop()` during the pause runs none. With V8's `gc`
 * exposed (the bin's --expose-gc) it collects garbage twice in the pause, and after every cycle
 * (a full collection after the first).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Agent, type AgentLog, FIRST_CYCLE_AFTER_MS, type FlushOutcome } from './agent.ts';
import { validateConfig } from './config.ts';
import { currentPlatform } from './platform/index.ts';

const quiet: AgentLog = { info() {}, warn() {}, error() {} };
let work: string;

function agent(): { agent: Agent; cycles: () => number } {
  const config = validateConfig({ interval: '60s', stateDir: path.join(work, 'state'), checks: [] }, work);
  const a = new Agent({
    config,
    credentials: { server: 'http://127.0.0.1:9', agentId: '-', secret: '-', organisation: '-', configurationItem: '-', enrolledAt: '-' },
    platform: currentPlatform(),
    log: quiet,
  });
  const cycle = vi.spyOn(a, 'cycle').mockResolvedValue({ kind: 'empty' } satisfies FlushOutcome);
  return { agent: a, cycles: () => cycle.mock.calls.length };
}

beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sportello-agent-start-'));
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  rmSync(work, { recursive: true, force: true });
});

describe('Agent.start', () => {
  it('runs the first cycle after the start-up pause, then one every interval', async () => {
    expect(FIRST_CYCLE_AFTER_MS).toBeGreaterThanOrEqual(700); // shorter pauses leave the peak where it was
    const { agent: a, cycles } = agent();
    a.start();
    await vi.advanceTimersByTimeAsync(FIRST_CYCLE_AFTER_MS - 1);
    expect(cycles()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(cycles()).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(cycles()).toBe(2);
    await a.stop();
  });

  it("collects garbage in the pause and after every cycle when V8's gc is exposed", async () => {
    const calls: string[] = [];
    const gc = vi.fn((o?: { type?: string }) => void calls.push(o?.type ?? 'full'));
    vi.stubGlobal('gc', gc);
    try {
      const { agent: a, cycles } = agent();
      a.start();
      await vi.advanceTimersByTimeAsync(FIRST_CYCLE_AFTER_MS / 2);
      expect(calls).toEqual(['minor']); // closes the start-up's burst
      await vi.advanceTimersByTimeAsync(FIRST_CYCLE_AFTER_MS / 2);
      expect(cycles()).toBe(1);
      // One more before the first cycle (gives the spare semi-space back), then after it.
      expect(calls).toEqual(['minor', 'minor', 'minor', 'full']);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(cycles()).toBe(2);
      expect(calls).toEqual(['minor', 'minor', 'minor', 'full', 'minor']);
      await a.stop();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('runs no cycle when stopped during the pause', async () => {
    const { agent: a, cycles } = agent();
    a.start();
    await vi.advanceTimersByTimeAsync(FIRST_CYCLE_AFTER_MS / 2);
    await a.stop();
    await vi.advanceTimersByTimeAsync(FIRST_CYCLE_AFTER_MS * 2);
    expect(cycles()).toBe(0);
  });
});
