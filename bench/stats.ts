/** Small helpers shared by the benchmarks. */

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return round(sortedMs[i] ?? 0);
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** p50/p99/max of latencies in milliseconds, under `prefix`. */
export function summarize(prefix: string, ms: number[]): Record<string, number> {
  const s = [...ms].sort((a, b) => a - b);
  return { [`${prefix}_p50_ms`]: percentile(s, 50), [`${prefix}_p99_ms`]: percentile(s, 99), [`${prefix}_max_ms`]: round(s.at(-1) ?? 0) };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; returns each duration. */
export async function timedPool(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ durations: number[]; wallMs: number }> {
  const durations: number[] = new Array(n);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t0 = performance.now();
        await task(i);
        durations[i] = performance.now() - t0;
      }
    }),
  );
  return { durations, wallMs: performance.now() - start };
}
