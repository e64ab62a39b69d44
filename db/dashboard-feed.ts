/**
 * Changes to what the dashboard shows, through PostgreSQL's LISTEN/NOTIFY: statement-level
 * triggers on tickets, alerts, engagements and committee decisions (migration 0014) notify
 * `sportello_dashboard` at commit, whichever process wrote. One connection per process listens
 * and tells every subscriber; the open pages then fetch their own (scoped) overview.
 *
 * A dropped connection is opened again (1 s doubling to 30 s) and, once back, subscribers are
 * told of a change, since notifications sent meanwhile were lost.
 */
import pg from 'pg';

export const DASHBOARD_CHANNEL = 'sportello_dashboard';

export interface DashboardFeedLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DashboardFeed {
  /** Calls `listener` on every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

export async function listenDashboardChanges(opts: {
  readonly url: string;
  readonly log: DashboardFeedLog;
  /** First reconnection delay (default 1 s), doubled up to 30 s. */
  readonly retryMs?: number;
}): Promise<DashboardFeed> {
  const { url, log } = opts;
  const listeners = new Set<() => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = opts.retryMs ?? 1_000;

  const emit = () => {
    for (const l of listeners) {
      try {
        l();
      } catch (err) {
        log.warn({ err: String(err) }, 'dashboard: a change listener failed');
      }
    }
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    // Without a listener an 'error' (the server restarting) would crash the process.
    c.on('error', (err) => log.warn({ err: String(err) }, 'dashboard: live feed connection failed'));
    c.on('notification', (n) => {
      if (n.channel === DASHBOARD_CHANNEL) emit();
    });
    c.on('end', () => {
      if (client !== c) return;
      client = undefined;
      if (!closed) reconnectLater();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${DASHBOARD_CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    delay = opts.retryMs ?? 1_000;
  };

  const reconnectLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => {
          log.info({}, 'dashboard: live feed listening again');
          emit();
        },
        (err: unknown) => {
          log.warn({ err: String(err), retryMs: delay }, 'dashboard: live feed not connected, retrying');
          delay = Math.min(delay * 2, 30_000);
          reconnectLater();
        },
      );
    }, delay);
    retry.unref();
  };

  await connect();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
