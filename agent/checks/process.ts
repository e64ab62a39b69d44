/** A process (or service) running: by exact name, or by a pattern on its command line. */
import type { CheckConfig } from '../config.ts';
import type { Check, CheckContext, CheckOutput } from './check.ts';

export class ProcessCheck implements Check {
  private readonly regex: RegExp | null;

  constructor(readonly config: Extract<CheckConfig, { kind: 'process' }>) {
    this.regex = config.pattern ? new RegExp(config.pattern) : null;
  }

  async run(ctx: CheckContext): Promise<CheckOutput[]> {
    const c = this.config;
    const self = process.pid;
    const procs = await ctx.processes(this.regex !== null);
    const matching = procs.filter(
      (p) => p.pid !== self && (c.name ? p.name === c.name : true) && (this.regex ? this.regex.test(p.cmdline ?? '') : true),
    );
    const n = matching.length;
    const target = c.name ?? c.pattern ?? '?';
    return [
      {
        target,
        status: n >= c.min ? 'ok' : c.severity,
        value: n,
        unit: null,
        message: n >= c.min ? `${n} running` : `${n} running, at least ${c.min} expected`,
        evidence: {
          details: {
            pids:
              matching
                .slice(0, 10)
                .map((p) => p.pid)
                .join(' ') || '—',
          },
        },
      },
    ];
  }
}
