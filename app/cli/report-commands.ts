/**
 * `sportello report`: the committee's flow report or the observers' report over any period,
 * as text, JSON (`--json` or `--format json`), CSV (one `section,item,value` row per figure) or
 * the report's chart as a PNG file (`--format png --out FILE`, the image posted in chat).
 */
import { writeFileSync } from 'node:fs';
import { ROME, zonedToUtcMs } from '../../core/kernel/zoned-time.ts';
import { flowChart, observerChart } from '../../core/reports/charts.ts';
import type { FlowReport, ObserverReport, Period } from '../../core/reports/model.ts';
import { flowReportMessage, observerReportMessage } from '../../core/reports/report-text.ts';
import { optional, optionalChoice, required } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { organisationByFiscalCode } from './session.ts';

const KINDS = ['flow', 'observers'] as const;
const FORMATS = ['text', 'json', 'csv', 'png'] as const;

/** `YYYY-MM-DD` → local midnight in Rome. */
function day(typed: string, name: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typed);
  const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (!m || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d)
    throw new UsageError(`--${name} must be a date YYYY-MM-DD (got "${typed}")`);
  return new Date(zonedToUtcMs(y, mo, d, 0, ROME));
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every figure of a report as `section,item,value` rows, lists one row per entry. */
export function reportCsv(report: FlowReport | ObserverReport): string {
  const rows: unknown[][] = [['section', 'item', 'value']];
  const walk = (section: string, value: unknown): void => {
    if (value instanceof Date || value === null || typeof value !== 'object') rows.push([section, '', value]);
    else if (Array.isArray(value)) value.forEach((entry, i) => walk(`${section}[${i}]`, entry));
    else
      for (const [k, v] of Object.entries(value))
        if (v !== null && typeof v === 'object' && !(v instanceof Date)) walk(section ? `${section}.${k}` : k, v);
        else rows.push([section, k, v]);
  };
  walk('', report);
  return rows.map((r) => r.map(csvCell).join(',')).join('\n');
}

export const reportCommand = defineCommand({
  name: 'report',
  synopsis: `--from YYYY-MM-DD --to YYYY-MM-DD [--kind ${KINDS.join('|')}] [--org FISCAL_CODE] [--format ${FORMATS.join('|')}] [--out FILE.png]`,
  summary: "the committee's flow report (default) or the observers' anonymised report for the days from --from up to --to (excluded)",
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    kind: { type: 'string' },
    org: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  },
  parse(args) {
    const period: Period = { from: day(required(args, 'from'), 'from'), to: day(required(args, 'to'), 'to') };
    if (period.to <= period.from) throw new UsageError('--to must come after --from');
    const kind = optionalChoice(args, 'kind', KINDS) ?? 'flow';
    const org = optional(args, 'org');
    if (org && kind === 'observers') throw new UsageError("the observers' report is never about one organisation: leave out --org");
    const format = optionalChoice(args, 'format', FORMATS) ?? 'text';
    const out = optional(args, 'out');
    if (format === 'png' && !out) throw new UsageError('--format png writes the chart to a file: give --out FILE.png');
    if (out && format !== 'png') throw new UsageError('--out is only for --format png');
    return { period, kind, org, format, out };
  },
  async run(session, input) {
    const { report, orgName } = await session.run(undefined, async (ctx) => {
      const org = input.org ? await organisationByFiscalCode(ctx.repos, input.org) : undefined;
      const scope = org ? { organisationId: org.id } : {};
      return input.kind === 'flow'
        ? { report: await ctx.repos.reports.flowReport(input.period, scope), orgName: org?.name }
        : { report: await ctx.repos.reports.observerReport(input.period, scope), orgName: undefined };
    });
    const l = session.locale;
    if (input.format === 'png' && input.out) {
      const chart = input.kind === 'flow' ? flowChart(l, report as FlowReport, orgName) : observerChart(l, report as ObserverReport);
      // Loaded only here: no other command loads the renderer's native module.
      const { chartPng } = await import('../../bots/kit/chart-png.ts');
      const png = await chartPng(chart);
      writeFileSync(input.out, png);
      return { json: { file: input.out, bytes: png.length }, text: `${input.out} (${png.length} bytes)` };
    }
    if (input.format === 'csv') return { json: report, text: reportCsv(report) };
    if (input.format === 'json') return { json: report, text: JSON.stringify(report, null, 2) };
    const message =
      input.kind === 'flow' ? flowReportMessage(l, report as FlowReport, orgName) : observerReportMessage(l, report as ObserverReport);
    const text = [message.title, ...(message.fields ?? []).map((f) => `${f.label}: ${f.value}`), '', message.text.replace(/\*/g, '')].join(
      '\n',
    );
    return { json: report, text };
  },
});
