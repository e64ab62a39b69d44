/**
 * The web chat's messages as they are written by any process, through PostgreSQL's
 * LISTEN/NOTIFY: a trigger on `web_messages` (migration 0007) notifies
 * `sportello_web_messages` with the row id at commit; this feed listens on a connection of its
 * own, reads each row and hands it on, in the order of the notifications.
 *
 * A dropped connection is opened again (1 s doubling to 30 s). Messages written while it was
 * down are not replayed to the open streams (the page shows them when it reloads the
 * conversation): the feed makes the chat live, the table stays the truth.
 */
import pg from 'pg';
import type { WebMessage, WebMessageFeed } from '../core/kernel/web-chat-store.ts';
import type { WebMessageRepository } from './web-message.repository.ts';

export const WEB_MESSAGES_CHANNEL = 'sportello_web_messages';

export interface WebMessageFeedLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export class PgWebMessageFeed implements WebMessageFeed {
  constructor(
    private readonly opts: {
      readonly url: string;
      readonly messages: Pick<WebMessageRepository, 'find'>;
      readonly log: WebMessageFeedLog;
      /** First reconnection delay (default 1 s), doubled up to 30 s. */
      readonly retryMs?: number;
    },
  ) {}

  async listen(listener: (m: WebMessage) => void): Promise<{ close(): Promise<void> }> {
    const { url, messages, log } = this.opts;
    let client: pg.Client | undefined;
    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    let delay = this.opts.retryMs ?? 1_000;
    // One row read at a time: the listener sees messages in the order they were written.
    let chain: Promise<void> = Promise.resolve();

    const forward = (id: string) => {
      chain = chain.then(async () => {
        try {
          const m = await messages.find(id);
          if (m && !closed) listener(m);
        } catch (err) {
          log.warn({ id, err: String(err) }, 'web chat: a stored message could not be read for the live stream');
        }
      });
    };

    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: url });
      // Without a listener an 'error' (the server restarting) would crash the process.
      c.on('error', (err) => log.warn({ err: String(err) }, 'web chat: live feed connection failed'));
      c.on('notification', (n) => {
        if (n.channel === WEB_MESSAGES_CHANNEL && n.payload) forward(n.payload);
      });
      c.on('end', () => {
        // Only the live connection is replaced; one that failed to open is retried by its caller.
        if (client !== c) return;
        client = undefined;
        if (!closed) reconnectLater();
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${WEB_MESSAGES_CHANNEL}`);
      } catch (err) {
        await c.end().catch(() => undefined);
        throw err;
      }
      if (closed) {
        await c.end().catch(() => undefined);
        return;
      }
      client = c;
      delay = this.opts.retryMs ?? 1_000;
    };

    const reconnectLater = () => {
      if (closed || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        connect().then(
          () => log.info({}, 'web chat: live feed listening again'),
          (err: unknown) => {
            log.warn({ err: String(err), retryMs: delay }, 'web chat: live feed not connected, retrying');
            delay = Math.min(delay * 2, 30_000);
            reconnectLater();
          },
        );
      }, delay);
      retry.unref();
    };

    await connect();
    return {
      async close() {
        closed = true;
        if (retry) clearTimeout(retry);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
        await chain;
      },
    };
  }
}
