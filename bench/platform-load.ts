/**
 * The load side of the platform benchmarks (slack, telegram), shared by the product and its
 * floor: POSTs over keep-alive node:http connections. The load generator runs in the benchmark's
 * own process, next to the app; fetch costs it several times the CPU of a plain request, which
 * the app would then lose to the generator and not to its own work.
 */
import http from 'node:http';

export interface Posted {
  readonly status: number;
  /** From writing the request to the end of the response (the platform's ack). */
  readonly ms: number;
}

export class LoadClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<Posted> {
    const t0 = performance.now();
    const data = Buffer.from(body);
    const attempt = (): Promise<Posted> =>
      new Promise((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(data.length) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
            res.on('error', reject);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed as idle just as it was reused: the server
          // never read this request (Node's documented race), so it is sent again on a new one.
          if (req.reusedSocket && err.code === 'ECONNRESET') attempt().then(resolve, reject);
          else reject(err);
        });
        req.end(data);
      });
    return attempt();
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `product / floor`, the issue's `ratio_to_floor` (1.0: as fast as the bare SDK handler). */
export const ratio = (product: number, floor: number): number => (floor > 0 ? Math.round((product / floor) * 100) / 100 : 0);
