/** CPU usage, load average per core, memory in use. */
import os from 'node:os';
import type { CheckConfig } from '../config.ts';
import type { CpuTimes } from '../platform/platform.ts';
import { above, type Check, type CheckContext, type CheckOutput, humanBytes, round } from './check.ts';

type Cfg<K extends CheckConfig['kind']> = Extract<CheckConfig, { kind: K }>;

/** Busy share of the CPU between two readings of the counters, in percent. */
export function cpuPercent(prev: CpuTimes, cur: CpuTimes): number | undefined {
  const total = cur.total - prev.total;
  if (total <= 0) return undefined;
  return Math.min(100, Math.max(0, (1 - (cur.idle - prev.idle) / total) * 100));
}

export class CpuCheck implements Check {
  private prev: CpuTimes | undefined;
  constructor(readonly config: Cfg<'cpu'>) {}

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    let prev = this.prev;
    if (!prev) {
      // First cycle: no earlier reading to compare with, so take a short one now.
      prev = await ctx.platform.cpuTimes();
      await new Promise((r) => setTimeout(r, 250));
    }
    const cur = await ctx.platform.cpuTimes();
    this.prev = cur;
    const pct = cpuPercent(prev, cur);
    if (pct === undefined) return [{ target: 'cpu', status: 'unknown', value: null, unit: '%', message: 'no CPU time elapsed' }];
    const value = round(pct);
    return [
      {
        target: 'cpu',
        status: above(value, this.config),
        value,
        unit: '%',
        message: `CPU ${value}% busy (${os.availableParallelism()} cores)`,
      },
    ];
  }
}

export class LoadCheck implements Check {
  constructor(readonly config: Cfg<'load'>) {}

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    const [l1, l5, l15] = await ctx.platform.loadAverage();
    const cores = Math.max(1, os.availableParallelism());
    const load = { load1: l1, load5: l5, load15: l15 }[this.config.metric];
    const value = round(load / cores, 2);
    return [
      {
        target: this.config.metric,
        status: above(value, this.config),
        value,
        unit: null,
        message: `load ${l1} ${l5} ${l15} on ${cores} cores`,
        evidence: { details: { load1: l1, load5: l5, load15: l15, cores } },
      },
    ];
  }
}

export class MemoryCheck implements Check {
  constructor(readonly config: Cfg<'memory'>) {}

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    const m = await ctx.platform.memory();
    if (m.totalBytes <= 0) return [{ target: 'ram', status: 'unknown', value: null, unit: '%', message: 'memory size unknown' }];
    const used = m.totalBytes - m.availableBytes;
    const value = round((used / m.totalBytes) * 100);
    const swapUsed = m.swapTotalBytes - m.swapFreeBytes;
    return [
      {
        target: 'ram',
        status: above(value, this.config),
        value,
        unit: '%',
        message: `${humanBytes(used)} of ${humanBytes(m.totalBytes)} in use; swap ${humanBytes(swapUsed)} of ${humanBytes(m.swapTotalBytes)}`,
        evidence: { details: { available: humanBytes(m.availableBytes), swapUsed: humanBytes(swapUsed) } },
      },
    ];
  }
}
