/**
 * The `sportello` admin command line (package bin, `npm run sportello -- …`).
 * `sportello help` lists the commands.
 */
import { runCli } from './cli/run-cli.ts';
import { runWorker } from './worker.ts';

const args = process.argv.slice(2);
// `worker` is a long-running process, not a one-shot command.
process.exitCode = args[0] === 'worker' && args.length === 1 ? await runWorker() : await runCli(args);
