/**
 * The scheduled reports: the committee's flow report every Monday for the week before, the
 * observers' report on the first of the month for the month before. Each period is sent once,
 * however many workers run the schedule (claimed in `scheduled_runs` in the same transaction
 * that writes the messages).
 */
import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Store } from '../kernel/ports.ts';
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

export interface ScheduledReportOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

/** The job's entry: one transaction claims the period, computes the report and writes its messages. */
export function sendScheduledReport(
  opts: ScheduledReportOptions,
  period: 'week' | 'month',
): Promise<{ readonly sent: boolean; readonly key: string }> {
  return opts.store.transaction(async (repos) => {
    const notifier = new Notifier(repos, opts.defaultLocale);
    const ctx: UseCaseContext = { repos, clock: opts.clock, actor: Actor.system(), notifier, defaultLocale: opts.defaultLocale };
    const result = await (period === 'week' ? sendWeeklyFlowReport(ctx) : sendMonthlyObserverReport(ctx));
    await notifier.flush(opts.clock.now());
    return result;
  });
}
