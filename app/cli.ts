/**
 * The `sportello` admin command line (package bin, `npm run sportello -- …`).
 * `sportello help` lists the commands.
 *
 * Each command loads only what it needs: the worker (BullMQ, node-cron) and, in run-cli.ts, the
 * configuration, the logger and the database are imported on demand, so `sportello help`
 * and the one-shot commands start quickly. Keep heavy modules behind `await import()` here.
 */
export {};

const args = process.argv.slice(2);
// `worker` is a long-running process, not a one-shot command.
if (args[0] === 'worker' && args.length === 1) {
  const { runWorker } = await import('./worker.ts');
  process.exitCode = await runWorker();
} else {
  const { runCli } = await import('./cli/run-cli.ts');
  process.exitCode = await runCli(args);
}
