/**
 * The reports' charts on the dashboard: the flow of the last 7 days (as `report settimana` in
 * chat) or the observers' figures of the last 30 days, under the same policy as the reports in
 * chat — an ICT lead sees only their organisation's flow, the observers' chart is for observers
 * and staff and never narrowed to one organisation.
 */
import type { Actor } from '../kernel/actor.ts';
import type { ChartSpec } from '../kernel/chart.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';
import { flowChart, observerChart } from './charts.ts';
import { lastDays } from './period.ts';
import { ReportPolicy } from './report-policy.ts';

export const DASHBOARD_CHARTS = ['flow', 'observers'] as const;
export type DashboardChart = (typeof DASHBOARD_CHARTS)[number];

/** The chart `name` as `actor` may see it; `forbidden` otherwise. */
export async function dashboardChart(
  repos: Pick<Repositories, 'reports' | 'people'>,
  clock: Clock,
  actor: Actor,
  locale: Locale,
  name: DashboardChart,
  organisationId?: string,
): Promise<ChartSpec> {
  const now = clock.now();
  if (name === 'observers') {
    ReportPolicy.assertObserverReport(actor);
    if (organisationId) throw new DomainError('forbidden');
    return observerChart(locale, await repos.reports.observerReport(lastDays(now, 30), {}));
  }
  const scope = ReportPolicy.flowScope(actor, organisationId);
  const org = scope ? await repos.people.findOrganisation(scope) : undefined;
  return flowChart(locale, await repos.reports.flowReport(lastDays(now, 7), scope ? { organisationId: scope } : {}), org?.name);
}
