/**
 * Holds new steps of a load while a fault needs it quiet, after the steps under way finished.
 * Discord's gateway does not give a new session the events a killed process had received, so
 * the Discord load waits while the process holding the gateway is killed and restarted.
 */
export class Gate {
  private closed: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private running = 0;
  private idle: (() => void) | undefined;

  async run<T>(step: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    this.running++;
    try {
      return await step();
    } finally {
      this.running--;
      if (this.running === 0) this.idle?.();
    }
  }

  /** Lets no new step start; resolves once the running ones ended. */
  async close(): Promise<void> {
    this.closed ??= new Promise<void>((r) => {
      this.release = r;
    });
    if (this.running > 0) await new Promise<void>((r) => (this.idle = r));
    this.idle = undefined;
  }

  open(): void {
    const release = this.release;
    this.closed = undefined;
    this.release = undefined;
    release?.();
  }
}
