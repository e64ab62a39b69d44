/**
 * Runs work one at a time per key, in arrival order, and lets different keys run in parallel.
 * Platforms hand events over concurrently (a polled batch, parallel webhook calls, gateway
 * events), yet one person's messages in one conversation must reach the engine in the order
 * they were sent. A failure settles that work's promise only: later work of the key still runs.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Queues `work` behind the key's earlier work; settles as `work` does. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once nothing is queued, including work queued while waiting (shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
