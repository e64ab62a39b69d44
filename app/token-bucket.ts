/**
 * Per-key token buckets (rate limiting of the agent ingest): each key holds up to `capacity`
 * tokens, refilled at `refillPerSecond`; a request takes one or is told how long to wait. Kept in
 * process memory and bounded (the least recently used keys are forgotten past `maxKeys`): with
 * several HTTP processes each limits on its own, which bounds an agent to N times the rate.
 */
export interface TokenBucketOptions {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly maxKeys?: number;
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly opts: TokenBucketOptions) {}

  take(key: string, nowMs: number): TakeResult {
    const { capacity, refillPerSecond } = this.opts;
    const b = this.buckets.get(key) ?? { tokens: capacity, at: nowMs };
    b.tokens = Math.min(capacity, b.tokens + ((nowMs - b.at) / 1000) * refillPerSecond);
    b.at = nowMs;
    // Re-insert: Map order is then least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    this.evict();
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / refillPerSecond)) };
  }

  private evict(): void {
    const max = this.opts.maxKeys ?? 10_000;
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= max) return;
      this.buckets.delete(key);
    }
  }
}
