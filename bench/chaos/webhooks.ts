/**
 * Delivery the way a platform does it to a webhook: to the app processes in turn, and a request
 * refused or broken (a process down or killed mid-request, a 5xx during a database restart) is
 * sent again, to the next process, until one takes it.
 */
import { sleep } from './processes.ts';

export class Webhooks {
  /** Requests sent again after a refusal or a broken connection. */
  retried = 0;
  private turn = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly giveUpMs: number,
  ) {}

  /** Calls `send(url, attempt)` until it answers 200. */
  async deliver(send: (url: string, attempt: number) => Promise<number>): Promise<void> {
    const end = Date.now() + this.giveUpMs;
    for (let attempt = 0; ; attempt++) {
      const url = this.urls[this.turn++ % this.urls.length]!;
      try {
        if ((await send(url, attempt)) === 200) return;
      } catch {
        // the process is down or died mid-request: the platform would retry
      }
      this.retried++;
      if (Date.now() > end) throw new Error(`no app process accepted the request (${url})`);
      await sleep(attempt < 3 ? 50 : 250);
    }
  }
}
