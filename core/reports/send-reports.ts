/**
 * The scheduled reports: the committee's flow report every Monday for the week before, the
 * observers' report on the first of the month for the month before. Each period is sent once,
 * however many workers run the schedule (claimed in `scheduled_runs` in the same transaction
 * that writes the messages).
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { periodKey, previousMonth, previousWeek } from './period.ts';
import { flowReportMessage, observerReportMessage } from './report-text.ts';

export async function sendWeeklyFlowReport(ctx: UseCaseContext): Promise<{ readonly sent: boolean; readonly key: string }> {
  const now = ctx.clock.now();
  const period = previousWeek(now);
  const key = periodKey(period);
  if (!(await ctx.repos.sla.claimRun('report-week', key, now))) return { sent: false, key };
  const report = await ctx.repos.reports.flowReport(period, {});
  await ctx.notifier.toChannels('committee', (l) => flowReportMessage(l, report), { ref: `report:week:${key}` });
  return { sent: true, key };
}

export async function sendMonthlyObserverReport(ctx: UseCaseContext): Promise<{ readonly sent: boolean; readonly key: string }> {
  const now = ctx.clock.now();
  const period = previousMonth(now);
  const key = periodKey(period);
  if (!(await ctx.repos.sla.claimRun('report-month', key, now))) return { sent: false, key };
  const report = await ctx.repos.reports.observerReport(period, {});
  await ctx.notifier.toChannels('observers', (l) => observerReportMessage(l, report), { ref: `report:month:${key}` });
  return { sent: true, key };
}
