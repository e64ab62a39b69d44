/**
 * `npm start`: the Sportello server process. Reads the configuration (printing every problem
 * and exiting 1 if it is wrong), starts the app, and shuts down gracefully on SIGINT/SIGTERM.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startServices } from './services.ts';
import { startApp } from './start-app.ts';

export type { App, AppContext, StartAppOptions } from './start-app.ts';
export { startApp };

const SHUTDOWN_TIMEOUT_MS = 20_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) process.stderr.write(`${line}\n`);
    process.exit(1);
  }
  const log = createLogger({ level: config.logLevel });
  const app = await startApp(config, { log, waitForReady: false, onReady: async (ctx) => void (await startServices(ctx)) }).catch(
    (err: unknown) => {
      if (err instanceof ConfigError) for (const line of err.problems) process.stderr.write(`${line}\n`);
      else log.fatal({ err }, 'cannot start the http server');
      process.exit(1);
    },
  );

  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Ctrl+C reaches us twice (from the terminal's process group and relayed by npm/tsx):
      // only a second press, later, means "stop now".
      if (Date.now() - firstSignalAt < 1_000) return;
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  app.ready.catch(() => {
    // Already logged by startApp; a broken start (bad migration, failing hook) is not retried.
    if (stopping) return;
    stopping = true;
    void app.close().finally(() => process.exit(1));
  });
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) await main();
