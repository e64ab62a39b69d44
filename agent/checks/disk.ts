/**
 * Disk usage of the filesystem holding `path` (statfs, as `df` counts it: the space reserved for
 * root is not available), with thresholds on percent used, on free bytes and on the forecast
 * time to full.
 */
import type { CheckConfig } from '../config.ts';
import { statfsAsync } from '../files.ts';
import {
  above,
  below,
  type Check,
  type CheckContext,
  type CheckOutput,
  errorText,
  humanBytes,
  humanSeconds,
  round,
  worst,
} from './check.ts';
import { secondsToFull, UsageHistory } from './forecast.ts';

export interface DiskUsage {
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly freeBytes: number;
  /** Used / (used + available), in percent: what `df` shows as Use%. */
  readonly usedPercent: number;
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfsAsync(path);
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  const usable = used + free;
  return { sizeBytes: s.blocks * s.bsize, usedBytes: used, freeBytes: free, usedPercent: usable > 0 ? (used / usable) * 100 : 0 };
}

export class DiskCheck implements Check {
  private readonly history: UsageHistory;

  constructor(readonly config: Extract<CheckConfig, { kind: 'disk' }>) {
    this.history = new UsageHistory(config.forecastWindowSeconds);
  }

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    const c = this.config;
    let u: DiskUsage;
    try {
      u = await diskUsage(c.path);
    } catch (err) {
      return [{ target: c.path, status: 'unknown', value: null, unit: '%', message: `cannot read ${c.path}: ${errorText(err)}` }];
    }
    const samples = this.history.add({ t: ctx.now.getTime() / 1000, usedBytes: u.usedBytes });
    const toFull = secondsToFull(samples, u.freeBytes);
    const pct = round(u.usedPercent, 2);
    const status = worst(
      above(pct, c),
      below(u.freeBytes, c.warnFree, c.critFree),
      toFull !== undefined ? below(toFull, c.fullWithinWarn, c.fullWithinCrit) : 'ok',
    );
    const forecast = toFull !== undefined ? `; full in ~${humanSeconds(toFull)} at the current trend` : '';
    return [
      {
        target: c.path,
        status,
        value: pct,
        unit: '%',
        message: `${pct}% used, ${humanBytes(u.freeBytes)} free of ${humanBytes(u.sizeBytes)}${forecast}`,
        evidence: {
          details: {
            freeBytes: u.freeBytes,
            sizeBytes: u.sizeBytes,
            ...(toFull !== undefined ? { hoursToFull: round(toFull / 3600, 1) } : {}),
          },
        },
      },
    ];
  }
}
