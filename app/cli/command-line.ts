import { parseArgs } from 'node:util';
import { type Command, UsageError } from './command.ts';
import { COMMANDS } from './commands.ts';

/** What the command line asks for, arguments already checked. */
export type CommandLine =
  | { readonly kind: 'help'; readonly command?: Command }
  | { readonly kind: 'run'; readonly command: Command; readonly input: unknown; readonly json: boolean };

const GLOBAL_FLAGS = new Set(['--json', '--help', '-h']);

/**
 * Reads `sportello [--json] <command words> [options] [positionals]`. Throws `UsageError` for
 * an unknown command or option, a missing or malformed value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let i = 0;
  let json = false;
  let help = false;
  for (; i < argv.length && GLOBAL_FLAGS.has(argv[i] as string); i++) {
    if (argv[i] === '--json') json = true;
    else help = true;
  }
  const words = argv.slice(i);
  if (words[0] === 'help') {
    if (words.length === 1) return { kind: 'help' };
    return { kind: 'help', command: findCommand(words.slice(1)).command };
  }
  if (words.length === 0) {
    if (help) return { kind: 'help' };
    throw new UsageError('missing command');
  }
  const { command, used } = findCommand(words);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: words.slice(used),
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // Node's message goes on to explain `--`; the first sentence is the problem.
    throw new UsageError((err instanceof Error ? err.message : String(err)).split('. ')[0] ?? 'invalid arguments', command);
  }
  if (help || parsed.values['help'] === true) return { kind: 'help', command };
  const expected = command.positionals ?? [];
  // A last positional named `WORDS...` takes every remaining word (`community search stampante di rete`).
  const variadic = expected.at(-1)?.endsWith('...') === true;
  if (parsed.positionals.length > expected.length && !variadic)
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[expected.length])}`, command);
  if (parsed.positionals.length < expected.length) throw new UsageError(`missing ${expected[parsed.positionals.length]}`, command);
  try {
    const input = command.parse({ values: parsed.values, positionals: parsed.positionals });
    return { kind: 'run', command, input, json: json || parsed.values['json'] === true };
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message, command);
    throw err;
  }
}

/** The command named by the first one or two words. */
function findCommand(words: readonly string[]): { command: Command; used: number } {
  const [first = '', second = ''] = words;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, used: 2 };
  const one = COMMANDS.find((c) => c.name === first);
  if (one) return { command: one, used: 1 };
  const isGroup = COMMANDS.some((c) => c.name.startsWith(`${first} `));
  const typed = isGroup && second && !second.startsWith('-') ? `${first} ${second}` : first;
  throw new UsageError(isGroup && !typed.includes(' ') ? `"${first}" needs a subcommand` : `unknown command "${typed}"`);
}
