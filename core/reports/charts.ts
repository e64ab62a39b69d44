/**
 * The reports' charts, as data (core/kernel/chart.ts): the adapters draw them — a PNG posted
 * with the report in chat, an SVG on the dashboard, a PNG file from the CLI. One image per
 * report, two panels side by side:
 * - flow: tickets opened and resolved by kind (grouped bars) | first response and resolution on time, % (bars);
 * - observers: requests served by tier (one stacked bar) | time to claim and to resolution, median and 90th percentile, hours.
 */
import type { ChartSpec, MessageImage } from '../kernel/chart.ts';
import { formatDay } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import { TICKET_KINDS } from '../kernel/ticket.ts';
import { t } from './messages.ts';
import type { FlowReport, ObserverReport, Period } from './model.ts';
import { periodKey } from './period.ts';

const subtitle = (l: Locale, p: Period, org?: string) => {
  const days = t(l, 'chart.period', { from: formatDay(l, p.from), to: formatDay(l, new Date(p.to.getTime() - 1)) });
  return org ? `${org} · ${days}` : days;
};

const pct = (l: Locale, v: number | null) => (v === null ? '—' : `${new Intl.NumberFormat(l === 'it' ? 'it-IT' : 'en-GB').format(v)}%`);
const hours = (v: number | null) => (v === null ? '—' : String(v));

export function flowChart(l: Locale, r: FlowReport, orgName?: string): ChartSpec {
  return {
    title: t(l, 'chart.flow_title'),
    subtitle: subtitle(l, r.period, orgName),
    locale: l,
    panels: [
      {
        kind: 'bars',
        title: t(l, 'chart.by_kind'),
        categories: TICKET_KINDS.map((k) => t(l, `chart.kind.${k}`)),
        series: [
          { name: t(l, 'chart.opened'), values: TICKET_KINDS.map((k) => r.opened[k]) },
          { name: t(l, 'chart.closed'), values: TICKET_KINDS.map((k) => r.closed[k]) },
        ],
      },
      {
        kind: 'bars',
        title: t(l, 'chart.sla'),
        categories: [t(l, 'chart.response'), t(l, 'chart.resolution')],
        series: [{ name: t(l, 'chart.sla_met'), values: [r.response.metPct, r.resolution.metPct] }],
        unit: '%',
        max: 100,
      },
    ],
  };
}

export function observerChart(l: Locale, r: ObserverReport): ChartSpec {
  return {
    title: t(l, 'chart.observer_title'),
    subtitle: subtitle(l, r.period),
    locale: l,
    panels: [
      {
        kind: 'stacked',
        title: t(l, 'chart.served'),
        categories: [t(l, 'chart.all_requests')],
        series: [
          { name: t(l, 'chart.tier.volunteer'), values: [r.servedByTier.volunteer] },
          { name: t(l, 'chart.tier.vendor'), values: [r.servedByTier.vendor] },
        ],
      },
      {
        kind: 'bars',
        title: t(l, 'chart.times'),
        categories: [t(l, 'chart.response'), t(l, 'chart.resolution')],
        series: [
          { name: t(l, 'chart.p50'), values: [r.response.p50Hours, r.resolution.p50Hours] },
          { name: t(l, 'chart.p90'), values: [r.response.p90Hours, r.resolution.p90Hours] },
        ],
      },
    ],
  };
}

/** The flow chart attached to the flow report's message. */
export function flowImage(l: Locale, r: FlowReport, orgName?: string): MessageImage {
  return {
    name: `report-flow-${periodKey(r.period)}`,
    alt: t(l, 'chart.flow_alt', {
      ...Object.fromEntries(
        TICKET_KINDS.flatMap((k) => [
          [`opened_${k}`, r.opened[k]],
          [`closed_${k}`, r.closed[k]],
        ]),
      ),
      response: pct(l, r.response.metPct),
      resolution: pct(l, r.resolution.metPct),
    }),
    chart: flowChart(l, r, orgName),
  };
}

/** The observers' chart attached to their report's message. */
export function observerImage(l: Locale, r: ObserverReport): MessageImage {
  return {
    name: `report-observers-${periodKey(r.period)}`,
    alt: t(l, 'chart.observer_alt', {
      volunteer: r.servedByTier.volunteer,
      vendor: r.servedByTier.vendor,
      response_p50: hours(r.response.p50Hours),
      response_p90: hours(r.response.p90Hours),
      resolution_p50: hours(r.resolution.p50Hours),
      resolution_p90: hours(r.resolution.p90Hours),
    }),
    chart: observerChart(l, r),
  };
}
