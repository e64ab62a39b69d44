/**
 * Time-to-full: a least-squares line through recent (time, bytes used) samples; if usage grows,
 * the free space divided by the slope is how long until the disk is full.
 */
export interface UsageSample {
  /** Seconds (any origin). */
  readonly t: number;
  readonly usedBytes: number;
}

/** Slope in bytes per second, or undefined with fewer than `minSamples` or no time spread. */
export function slope(samples: readonly UsageSample[], minSamples = 5): number | undefined {
  const n = samples.length;
  if (n < minSamples) return undefined;
  let st = 0;
  let su = 0;
  for (const s of samples) {
    st += s.t;
    su += s.usedBytes;
  }
  const mt = st / n;
  const mu = su / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.usedBytes - mu);
    den += (s.t - mt) ** 2;
  }
  return den > 0 ? num / den : undefined;
}

/** Seconds until `freeBytes` are used up at the trend of `samples`; undefined when not growing. */
export function secondsToFull(samples: readonly UsageSample[], freeBytes: number, minSamples = 5): number | undefined {
  const s = slope(samples, minSamples);
  if (s === undefined || s <= 0) return undefined;
  return freeBytes / s;
}

/** A bounded window of samples: older than `windowSeconds` or past `max` entries are dropped. */
export class UsageHistory {
  private readonly samples: UsageSample[] = [];

  constructor(
    private readonly windowSeconds: number,
    private readonly max = 360,
  ) {}

  add(s: UsageSample): readonly UsageSample[] {
    this.samples.push(s);
    while (this.samples.length > this.max || (this.samples[0] && s.t - this.samples[0].t > this.windowSeconds)) this.samples.shift();
    return this.samples;
  }
}
