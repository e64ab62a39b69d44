/**
 * The composition root of the server process: HTTP first (so health answers while the database
 * is still coming up), then the database, the demo data on a fresh embedded database, and the
 * startup hooks that plug in the chat adapters and workers.
 */
import type { Server } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock, Store } from '../core/kernel/ports.ts';
import { describeError, pingDatabase } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { type Config, ConfigError, webChatExposureProblem } from './config.ts';
import { type DatabaseRuntime, openDatabase, type PoolSizes } from './database-runtime.ts';
import { createHttpServer, type HealthResult, type HttpServer } from './http-server.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { countPendingOutbox } from './outbox-pending.ts';
import { seedDemo } from './seed-demo.ts';
import { systemClock } from './system-clock.ts';

/** What startup hooks get once the database is open and migrated. */
export interface AppContext {
  readonly store: Store;
  readonly db: Kysely<Database>;
  /** The database URL in use (the embedded server's too), for components with their own connections. */
  readonly dbUrl: string;
  /** The main pool's connections, and those the job queue may open on the same database. */
  readonly poolSizes: PoolSizes;
  readonly config: Config;
  readonly log: Logger;
  /** Add webhook and web chat routes here. */
  readonly http: HttpServer;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Aborted when the app starts closing. */
  readonly signal: AbortSignal;
  /** Registers a shutdown step (stop a worker, a gateway); run in reverse order, after the HTTP server closed, before the database. */
  onClose(step: () => Promise<void> | void): void;
  /** Adds a dependency (e.g. the job queue) to `/healthz`. */
  addHealthCheck(name: string, check: () => Promise<HealthResult>): void;
}

export interface StartAppOptions {
  /** Runs once the database is ready, before the app reports ready (conversation engine, outbox delivery, web chat). */
  readonly onReady?: (ctx: AppContext) => Promise<void>;
  /** Default: a JSON logger at `config.logLevel`. */
  readonly log?: Logger;
  readonly clock?: Clock;
  /**
   * true (default): resolve once everything is ready, reject if startup fails. false: resolve
   * as soon as HTTP listens; await `app.ready` for the rest.
   */
  readonly waitForReady?: boolean;
  /** Loads the demo data into an empty embedded database; default true. */
  readonly seedEmptyEmbedded?: boolean;
  /** Host to bind; default `config.host`. */
  readonly host?: string;
  /** Connections of the main database pool; default sized to the cores on the embedded PostgreSQL (`poolSizesFor`). */
  readonly poolSize?: number;
}

export interface App {
  /** The node:http server. */
  readonly http: Server;
  readonly httpServer: HttpServer;
  /** The port bound (useful with PORT 0 in tests). */
  readonly port: number;
  /** Resolves when the database is open and startup hooks ran; rejects if startup failed. */
  readonly ready: Promise<void>;
  /** Throws until `ready` resolved. */
  readonly store: Store;
  /** Throws until `ready` resolved. */
  readonly db: Kysely<Database>;
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Closes the HTTP server, then the hooks' steps, then the database (and the embedded server if owned). Idempotent. */
  close(): Promise<void>;
}

type Phase =
  | { readonly name: 'starting' | 'starting_embedded' | 'migrating' | 'starting_services' | 'closing' }
  | { readonly name: 'connecting'; readonly db: Kysely<Database> }
  | { readonly name: 'failed'; readonly reason: string }
  | { readonly name: 'ready'; readonly runtime: DatabaseRuntime };

/**
 * Starts the server process; see `StartAppOptions` for when it resolves. Throws `ConfigError`
 * before listening when the web chat would be reachable from other machines without WEB_CHAT_PUBLIC=yes.
 */
export async function startApp(config: Config, opts: StartAppOptions = {}): Promise<App> {
  // Before anything listens: the unauthenticated web chat is not served to the network by accident.
  const exposed = webChatExposureProblem(config, opts.host ?? config.host);
  if (exposed) throw new ConfigError([exposed]);
  const log = opts.log ?? createLogger({ level: config.logLevel });
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics();
  const abort = new AbortController();
  const closeSteps: (() => Promise<void> | void)[] = [];
  const healthChecks = new Map<string, () => Promise<HealthResult>>();
  let phase: Phase = { name: 'starting' };
  let runtime: DatabaseRuntime | undefined;

  // Until every route is mounted, a path not served yet answers 503 + Retry-After, not 404.
  const http = createHttpServer({ log, health: () => health(phase, healthChecks), metrics, startsReady: false });
  const port = await http.listen(config.port, opts.host ?? config.host);
  log.info({ port }, 'http server listening');

  const startUp = async (): Promise<void> => {
    runtime = await openDatabase(config, log, {
      signal: abort.signal,
      ...(opts.poolSize ? { poolSize: opts.poolSize } : {}),
      onProgress: (p) => {
        if (abort.signal.aborted) return;
        phase = p.phase === 'connecting' ? { name: 'connecting', db: p.db } : { name: p.phase };
      },
    });
    phase = { name: 'starting_services' };
    abort.signal.throwIfAborted();
    const { store, db } = runtime;
    // The demo people are web chat identities: load them only for a trial with the web chat on.
    const trial = runtime.embedded && config.webChat && !config.slack && !config.telegram && !config.discord;
    if (trial && (opts.seedEmptyEmbedded ?? true) && (await store.people.listOrganisations()).length === 0) {
      const seeded = await seedDemo(store, clock, { locale: config.defaultLocale });
      if (seeded.seeded) log.info({ tickets: seeded.tickets.length }, 'empty embedded database: demo data loaded');
    }
    metrics.setOutboxPendingSource(() => countPendingOutbox(db));
    await opts.onReady?.({
      store,
      db,
      dbUrl: runtime.url,
      poolSizes: runtime.poolSizes,
      config,
      log,
      http,
      metrics,
      clock,
      signal: abort.signal,
      onClose: (step) => void closeSteps.push(step),
      addHealthCheck: (name, check) => void healthChecks.set(name, check),
    });
    abort.signal.throwIfAborted();
    phase = { name: 'ready', runtime };
    http.markReady();
    log.info({ port, publicUrl: config.publicUrl, embedded: runtime.embedded }, `Sportello ready on http://localhost:${port}`);
  };

  const ready = startUp().catch((err: unknown) => {
    if (!abort.signal.aborted) {
      phase = { name: 'failed', reason: describeError(err) };
      log.error({ err }, 'startup failed');
    }
    throw err;
  });
  // Whoever does not await `ready` must not get an unhandled rejection; awaiting it still rejects.
  ready.catch(() => {});

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      abort.abort(new Error('app closing'));
      phase = { name: 'closing' };
      await http.close();
      await ready.catch(() => {});
      for (const step of closeSteps.reverse()) {
        await Promise.resolve()
          .then(step)
          .catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
      }
      await runtime?.close();
      log.info({}, 'Sportello stopped');
    })());

  const app: App = {
    http: http.server,
    httpServer: http,
    port,
    ready,
    get store() {
      return readyRuntime().store;
    },
    get db() {
      return readyRuntime().db;
    },
    config,
    log,
    metrics,
    close,
  };
  function readyRuntime(): DatabaseRuntime {
    if (phase.name !== 'ready') throw new Error(`the database is not ready (${phase.name})`);
    return phase.runtime;
  }

  if (opts.waitForReady ?? true) {
    try {
      await ready;
    } catch (err) {
      await close();
      throw err;
    }
  }
  return app;
}

async function health(phase: Phase, checks: ReadonlyMap<string, () => Promise<HealthResult>>): Promise<HealthResult> {
  switch (phase.name) {
    case 'starting':
      return { ok: false, reason: 'starting' };
    case 'starting_embedded':
      return { ok: false, reason: 'starting the embedded PostgreSQL' };
    case 'connecting': {
      const ping = await pingDatabase(phase.db);
      return { ok: false, reason: ping.ok ? 'connecting to the database' : `database unreachable: ${ping.reason}` };
    }
    case 'migrating':
      return { ok: false, reason: 'applying database migrations' };
    case 'starting_services':
      return { ok: false, reason: 'starting services' };
    case 'closing':
      return { ok: false, reason: 'shutting down' };
    case 'failed':
      return { ok: false, reason: `startup failed: ${phase.reason}` };
    case 'ready': {
      const ping = await pingDatabase(phase.runtime.db);
      if (!ping.ok) return { ok: false, reason: `database unreachable: ${ping.reason}` };
      const details: Record<string, string> = { database: 'ok' };
      for (const [name, check] of checks) {
        const result = await check().catch((err: unknown): HealthResult => ({ ok: false, reason: describeError(err) }));
        if (!result.ok) return { ok: false, reason: `${name}: ${result.reason}` };
        details[name] = 'ok';
      }
      return { ok: true, details: { ...details, embedded: phase.runtime.embedded } };
    }
  }
}
