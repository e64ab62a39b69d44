import type { Command } from './command.ts';
import { COMMANDS } from './commands.ts';

/** The full usage text. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 'help'.length);
  return [
    'Usage: sportello <command> [options] [--json]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.synopsis}`.trimEnd() + `\n  ${''.padEnd(width)}    ${c.summary}`),
    `  ${'worker'.padEnd(width)}\n  ${''.padEnd(width)}    run the background jobs only (SLA timers, sweeps, schedules, outbox delivery, agent watchdog) until stopped`,
    `  ${'help'.padEnd(width)}  [COMMAND]\n  ${''.padEnd(width)}    show this help, or one command's`,
    '',
    '--json prints the result as JSON (lists as an array). Admin commands act as the system;',
    '--as HANDLE acts as that person, with their permissions.',
    'Exit status: 0 done, 1 refused or failed, 2 wrong arguments.',
  ].join('\n');
}

/** One command's usage line and summary. */
export function commandUsage(command: Command): string {
  return `Usage: sportello ${command.name} ${command.synopsis} [--json]`.replace(/\s+/g, ' ') + `\n  ${command.summary}`;
}
