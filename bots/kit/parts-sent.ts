/**
 * The parts of a delivery already sent, for the deliveries a platform takes in more than one
 * call (a text message, then its chart): when a later call fails and the outbox retries the row
 * (same id), the sender skips what already arrived instead of posting it twice. Kept in this
 * process only, bounded: a retry taken by another worker may repeat the first part, which is
 * the outbox's at-least-once promise anyway.
 */
export class PartsSent {
  private readonly sent = new Map<string, string>();

  constructor(private readonly max = 10_000) {}

  /** What the first part returned (a message id), if it was sent. */
  get(deliveryId: string): string | undefined {
    return this.sent.get(deliveryId);
  }

  remember(deliveryId: string, firstPartId: string): void {
    this.sent.delete(deliveryId);
    this.sent.set(deliveryId, firstPartId);
    if (this.sent.size > this.max) this.sent.delete(this.sent.keys().next().value as string);
  }

  /** Every part arrived: nothing left to skip. */
  done(deliveryId: string): void {
    this.sent.delete(deliveryId);
  }

  /** Sends the first part once per delivery id: a retry gets the remembered result back. */
  async once(deliveryId: string, send: () => Promise<string>): Promise<string> {
    const known = this.get(deliveryId);
    if (known !== undefined) return known;
    const id = await send();
    this.remember(deliveryId, id);
    return id;
  }
}
