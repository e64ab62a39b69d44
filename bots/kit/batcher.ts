/**
 * Turns single look-ups or writes into batches without waiting on a timer: a request made while
 * no batch is in flight goes out at the end of the current tick, with every request made in that
 * tick; requests made while a batch is in flight go out together right after it. Alone, a
 * request costs one statement as before; under load, N concurrent requests cost a few.
 * Requests are answered in the order they were made (batches go one after the other). A batch
 * that fails fails each of its requests (they would have failed one by one alike).
 */
export class Batcher<I, O> {
  private queue: { readonly item: I; readonly resolve: (o: O) => void; readonly reject: (e: unknown) => void }[] = [];
  private running = false;

  /** `exec` answers each item of the batch, in order. */
  constructor(
    private readonly exec: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly maxBatch = 200,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running) return;
      this.running = true;
      process.nextTick(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const out = await this.exec(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i] as O));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = false;
  }
}
