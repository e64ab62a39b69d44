import { type Logger, LogLevel } from '@slack/bolt';

/** The structured log the adapter writes to (a pino logger fits). */
export interface SlackAdapterLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

function describe(m: unknown): string {
  if (typeof m === 'string') return m;
  if (m instanceof Error) return m.message;
  try {
    return JSON.stringify(m) ?? String(m);
  } catch {
    return String(m);
  }
}

/** Bolt's and the Web API client's `Logger`, written to the app's structured log. */
export function boltLogger(log: SlackAdapterLog, initial: LogLevel = LogLevel.INFO): Logger {
  let level = initial;
  let name = 'slack';
  const enabled = (l: LogLevel) => ORDER.indexOf(l) >= ORDER.indexOf(level);
  const line = (msgs: unknown[]) => ({ component: name, detail: msgs.map(describe).join(' ') });
  return {
    debug: (...msgs: unknown[]) => {
      if (enabled(LogLevel.DEBUG)) log.debug?.(line(msgs), 'bolt');
    },
    info: (...msgs: unknown[]) => {
      if (enabled(LogLevel.INFO)) log.info(line(msgs), 'bolt');
    },
    warn: (...msgs: unknown[]) => {
      if (enabled(LogLevel.WARN)) log.warn(line(msgs), 'bolt');
    },
    error: (...msgs: unknown[]) => log.error(line(msgs), 'bolt'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
  };
}
