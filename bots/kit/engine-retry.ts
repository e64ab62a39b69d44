/**
 * Retrying an inbound event the engine could not take. The engine rethrows transient database
 * errors instead of answering the user with a failure. Webhook routes let that become a 5xx,
 * so the platform delivers again; adapters that get no redelivery (Discord's gateway,
 * Telegram's long polling) retry here instead. The engine's dedupe makes a retry after a
 * commit we did not hear about harmless.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface EngineRetryOptions {
  /** Attempts in all before giving up; default unlimited. */
  readonly attempts?: number;
  /** Wait after the first failure, doubled after each further one (default 250 ms)… */
  readonly firstDelayMs?: number;
  /** …up to this. */
  readonly maxDelayMs: number;
  /** Aborting ends the current wait and stops retrying. */
  readonly signal?: AbortSignal;
  /** Told about each failure; `willRetry` is false for the one it gives up after. */
  readonly onFailure?: (err: unknown, attempt: number, willRetry: boolean) => void;
}

/** Runs `work` until it succeeds. True once it did; false when it gave up (attempts spent, or aborted). */
export async function retryWithBackoff(work: () => Promise<unknown>, opts: EngineRetryOptions): Promise<boolean> {
  const attempts = opts.attempts ?? Infinity;
  const first = opts.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return true;
    } catch (err) {
      const willRetry = attempt < attempts && !opts.signal?.aborted;
      opts.onFailure?.(err, attempt, willRetry);
      if (!willRetry) return false;
    }
    const delay = Math.min(first * 2 ** (attempt - 1), opts.maxDelayMs);
    const slept = await sleep(delay, true, opts.signal ? { signal: opts.signal } : {}).catch(() => false);
    if (!slept) return false;
  }
}
