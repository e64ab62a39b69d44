/**
 * What a CLI command is: its name, options, how its arguments become an input (checked before
 * the database is opened), and what it does with a session.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CliSession } from './session.ts';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The parsed arguments of one command line. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/** A result both ways: `json` for `--json`, `text` for people. */
export interface CommandOutput {
  readonly json: unknown;
  readonly text: string;
}

export interface Command<I = unknown> {
  /** The words typed, e.g. `org add`. */
  readonly name: string;
  /** Arguments as shown in the usage, e.g. `--name N --fiscal-code C [--runts R]`. */
  readonly synopsis: string;
  readonly summary: string;
  readonly options: OptionsConfig;
  /** Names of the positional arguments, all required. */
  readonly positionals?: readonly string[];
  /** False for commands that do not touch the database (help). */
  readonly needsDatabase?: boolean;
  /** Turns the arguments into the command's input; throws `UsageError` when they are wrong. */
  parse(args: ParsedArgs): I;
  run(session: CliSession, input: I): Promise<CommandOutput>;
}

/** Declares a command, keeping its input type between `parse` and `run`. */
export function defineCommand<I>(command: Command<I>): Command {
  return command as unknown as Command;
}

/** Wrong arguments: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}
