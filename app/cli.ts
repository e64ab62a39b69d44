/**
 * The `sportello` admin command line (package bin, `npm run sportello -- …`).
 * `sportello help` lists the commands.
 */
import { runCli } from './cli/run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
