/**
 * Work started after Slack has been answered: one chain per key (a person in a conversation),
 * so two quick messages from the same person reach the engine in the order they arrived, while
 * different people run in parallel. `idle()` waits for everything in flight (shutdown).
 */
export class SerialWork {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown, key: string) => void) {}

  /**
   * Queues `work` behind the key's earlier work. The returned promise settles with this work
   * (callers that must answer Slack with its outcome await it); failures are also reported to
   * `onError`, and never stop the chain.
   */
  run(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const next = result.catch((err: unknown) => this.onError(err, key));
    this.tails.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.inFlight.size;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
