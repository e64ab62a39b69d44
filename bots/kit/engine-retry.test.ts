import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from './engine-retry.ts';

/** Work that fails `failures` times (like an engine during a database outage), then succeeds. */
function flaky(failures: number) {
  const at: number[] = [];
  return {
    at,
    work: async () => {
      at.push(Date.now());
      if (at.length <= failures) throw new Error(`down ${at.length}`);
    },
  };
}

describe('retryWithBackoff', () => {
  it('retries until the work succeeds, doubling the wait up to the cap', async () => {
    const f = flaky(8);
    const seen: [number, boolean][] = [];
    const ok = await retryWithBackoff(f.work, {
      firstDelayMs: 20,
      maxDelayMs: 40,
      onFailure: (_e, attempt, willRetry) => seen.push([attempt, willRetry]),
    });
    expect(ok).toBe(true);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, true]));
    const gaps = f.at.slice(1).map((t, i) => t - f.at[i]!);
    // 20, then 40 and capped there (timers may fire a millisecond early)…
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    for (const gap of gaps.slice(1)) expect(gap).toBeGreaterThanOrEqual(39);
    // …where doubling on would have waited 2560 ms before the last attempt (the margin is for
    // timers firing late on a busy machine).
    expect(gaps.at(-1)).toBeLessThan(2000);
  });

  it('gives up after its attempts, saying so on the last failure', async () => {
    const f = flaky(10);
    const seen: [string, boolean][] = [];
    const ok = await retryWithBackoff(f.work, {
      attempts: 3,
      firstDelayMs: 1,
      maxDelayMs: 1,
      onFailure: (e, _a, willRetry) => seen.push([String(e), willRetry]),
    });
    expect(ok).toBe(false);
    expect(f.at).toHaveLength(3);
    expect(seen.map(([, r]) => r)).toEqual([true, true, false]);
  });

  it('stops at once when aborted during a wait, without another attempt', async () => {
    const f = flaky(Infinity);
    const stop = new AbortController();
    const started = Date.now();
    const result = retryWithBackoff(f.work, { firstDelayMs: 10_000, maxDelayMs: 10_000, signal: stop.signal });
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await result).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(f.at).toHaveLength(1);
  });

  it('does not retry a failure that happens once already aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    const seen: boolean[] = [];
    expect(await retryWithBackoff(flaky(1).work, { maxDelayMs: 1, signal: stop.signal, onFailure: (_e, _a, r) => seen.push(r) })).toBe(
      false,
    );
    expect(seen).toEqual([false]);
  });
});
