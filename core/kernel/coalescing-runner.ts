/**
 * Runs a round of work on demand, one round at a time: `kick()` during a round asks for exactly
 * one more round after it, however many times it is called. Used by the loops that drain a
 * table (the outbox, the SLA timer pump) and are kicked after every commit.
 */
export class CoalescingRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private paused = false;

  constructor(
    private readonly round: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  kick(): void {
    if (this.paused) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.round();
        } catch (err) {
          this.onError(err);
        }
      } while (this.again && !this.paused);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Accepts kicks again after `pause`. */
  resume(): void {
    this.paused = false;
  }

  /** Ignores kicks from now on and waits (at most `timeoutMs`) for the round in flight. */
  async pause(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.paused = true;
    await this.settled(timeoutMs);
  }

  /** Waits (at most `timeoutMs`) for the round in flight, if any. */
  async settled(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (!this.running) return;
    if (timeoutMs === Number.POSITIVE_INFINITY) return this.running;
    await Promise.race([this.running, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
