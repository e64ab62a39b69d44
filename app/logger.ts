import pino from 'pino';
import type { LogLevel } from './config.ts';

export type Logger = pino.Logger;

export interface LoggerOptions {
  readonly level: LogLevel;
  /** `json` (default): one JSON object a line, for log collectors; `text`: short lines for people at a terminal. */
  readonly format?: 'json' | 'text';
  /** File descriptor to write to; default 1 (stdout). The CLI logs to 2 to keep stdout for its output. */
  readonly fd?: 1 | 2;
}

const REDACT = [
  'password',
  'token',
  'secret',
  '*.password',
  '*.token',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

// Fields pino adds itself, left out of the text format.
const BASE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/** A pino logger named `sportello`; secrets under the usual keys are redacted. */
export function createLogger(opts: LoggerOptions): Logger {
  const fd = opts.fd ?? 1;
  const options: pino.LoggerOptions = { name: 'sportello', level: opts.level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (opts.format !== 'text') return pino(options, pino.destination({ fd, sync: true }));
  const out = fd === 1 ? process.stdout : process.stderr;
  return pino(options, { write: (line: string) => out.write(formatText(line)) });
}

/** Renders one pino JSON line as `level: message key=value …`. */
export function formatText(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof entry['level'] === 'number' ? (pino.levels.labels[entry['level']] ?? 'log') : 'log';
  const extra = Object.entries(entry)
    .filter(([k]) => !BASE_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${level}: ${String(entry['msg'] ?? '')}${extra.length ? ` (${extra.join(', ')})` : ''}\n`;
}
