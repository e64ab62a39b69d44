/**
 * The `sportello` command: parses the arguments, opens the database (embedded or
 * DATABASE_URL), runs one command and reports how it went through the exit status.
 */
import { DomainError } from '../../core/kernel/errors.ts';
import { describeError } from '../../core/kernel/messages.ts';
// Type-only: the modules themselves (zod, pino, kysely and pg behind them) are imported once
// the arguments are known to be valid and a command needs them, so help and usage errors answer
// without loading them.
import type { Config, LogLevel } from '../config.ts';
import type { DatabaseRuntime, OpenProgress } from '../database-runtime.ts';
import { systemClock } from '../system-clock.ts';
import { UsageError } from './command.ts';
import { type CommandLine, parseCommandLine } from './command-line.ts';
import { cliText } from './messages.ts';
import { createSession } from './session.ts';
import { commandUsage, usage } from './usage.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface RunCliOptions {
  readonly io?: CliIo;
  /** Default: `process.env` (read by config.ts). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for an unreachable database before giving up; default 15 s. */
  readonly databaseWaitMs?: number;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs one command line and resolves with the exit status. */
export async function runCli(argv: readonly string[], opts: RunCliOptions = {}): Promise<number> {
  const io = opts.io ?? processIo;
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const help = err.command ? `${commandUsage(err.command)}\nRun "sportello help" for every command.` : usage();
    io.stderr(`sportello: ${err.message}\n\n${help}\n`);
    return EXIT_USAGE;
  }
  if (line.kind === 'help') {
    io.stdout(`${line.command ? commandUsage(line.command) : usage()}\n`);
    return EXIT_OK;
  }

  const [{ ConfigError, loadConfig }, { describeUrl, openDatabase }, { createLogger }] = await Promise.all([
    import('../config.ts'),
    import('../database-runtime.ts'),
    import('../logger.ts'),
  ]);
  let config: Config;
  try {
    config = loadConfig(opts.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`${err.message}\n`);
    return EXIT_FAILED;
  }
  const log = createLogger({ level: cliLogLevel(config.logLevel), format: 'text', fd: 2 });
  const waitMs = opts.databaseWaitMs ?? 15_000;

  let runtime: DatabaseRuntime;
  // The wait bounds the time the database takes to answer, from the first connection attempt:
  // starting the embedded server (initdb on first use) comes before, and can take longer than
  // that on a busy machine without the server being unreachable.
  const wait = new AbortController();
  let waitTimer: NodeJS.Timeout | undefined;
  const onProgress = (progress: OpenProgress) => {
    if (progress.phase === 'connecting' && waitTimer === undefined)
      waitTimer = setTimeout(() => wait.abort(new DOMException(`no answer within ${waitMs} ms`, 'TimeoutError')), waitMs);
  };
  try {
    runtime = await openDatabase(config, log, { signal: wait.signal, onProgress, poolSize: 2 });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    const where = config.databaseUrl ? describeUrl(config.databaseUrl) : `embedded, ${config.dataDir}`;
    io.stderr(
      `${timedOut ? cliText(config.defaultLocale, 'db.unreachable', { database: where, seconds: Math.round(waitMs / 1000) }) : errorText(err)}\n`,
    );
    return EXIT_FAILED;
  } finally {
    clearTimeout(waitTimer);
  }
  try {
    const output = await line.command.run(createSession(config, runtime, systemClock), line.input);
    io.stdout(line.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof DomainError) {
      io.stderr(`${describeError(config.defaultLocale, err)}\n`);
    } else {
      log.debug({ err }, 'command failed');
      io.stderr(`${errorText(err)}\n`);
    }
    return EXIT_FAILED;
  } finally {
    await runtime.close().catch((err: unknown) => io.stderr(`${errorText(err)}\n`));
  }
}

// A terminal wants results, not the progress lines a server logs at info.
function cliLogLevel(level: LogLevel): LogLevel {
  return level === 'info' ? 'warn' : level;
}

function errorText(err: unknown): string {
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
