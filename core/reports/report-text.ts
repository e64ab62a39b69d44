/** The reports as chat messages: the figures as fields, the lists capped so a message stays readable. */
import { formatDate, formatDay } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { flowImage, observerImage } from './charts.ts';
import { t } from './messages.ts';
import type { Durations, FlowReport, ObserverReport, Period, TargetFigures } from './model.ts';

const LIST_MAX = 10;

/** The last day of a `[from, to)` period is the day before `to`. */
const periodDays = (l: Locale, p: Period) => ({ from: formatDay(l, p.from), to: formatDay(l, new Date(p.to.getTime() - 1)) });

function list(l: Locale, lines: readonly string[]): string {
  if (lines.length === 0) return t(l, 'report.nothing');
  const shown = lines.slice(0, LIST_MAX).map((s) => `• ${s}`);
  if (lines.length > LIST_MAX) shown.push(t(l, 'report.more', { n: lines.length - LIST_MAX }));
  return shown.join('\n');
}

function met(l: Locale, f: TargetFigures): string {
  return f.metPct === null
    ? t(l, 'report.none_concluded')
    : t(l, 'report.met', { pct: f.metPct, met: f.concluded - f.breached, concluded: f.concluded });
}

function durations(l: Locale, d: Durations): string {
  return d.p50Hours === null
    ? t(l, 'report.no_durations')
    : t(l, 'report.durations', { p50: d.p50Hours, p90: d.p90Hours ?? '—', count: d.count });
}

const byKind = (l: Locale, k: FlowReport['opened']) =>
  t(l, 'report.by_kind', { incident: k.incident, service_request: k.service_request, change: k.change });

export function flowReportMessage(l: Locale, r: FlowReport, orgName?: string): OutMessage {
  const days = periodDays(l, r.period);
  const sections: [string, string][] = [
    [
      t(l, 'report.unclaimed'),
      list(
        l,
        r.unclaimedOverTarget.map((u) =>
          t(l, 'report.unclaimed_line', { ref: u.ref, priority: u.priority, at: formatDate(l, u.openedAt) }),
        ),
      ),
    ],
    [
      t(l, 'report.breaches'),
      list(
        l,
        r.breaches.map((b) =>
          t(l, 'report.breach_line', {
            ref: b.ref,
            target: t(l, `report.target.${b.target}`),
            priority: b.priority,
            cause: t(l, `report.cause.${b.cause}`),
          }),
        ),
      ),
    ],
    [
      t(l, 'report.vendors'),
      list(
        l,
        r.vendorsOnTime.map((v) =>
          t(l, 'report.vendor_line', {
            name: neutralizeMentions(v.vendorName),
            pct: v.pct ?? '—',
            onTime: v.onTime,
            engagements: v.engagements,
          }),
        ),
      ),
    ],
  ];
  if (!orgName)
    sections.push(
      [
        t(l, 'report.expiring'),
        list(
          l,
          r.certificationsExpiring.map((c) =>
            t(l, 'report.expiring_line', { name: neutralizeMentions(c.name), role: t(l, `role.${c.role}`), at: formatDay(l, c.expiresAt) }),
          ),
        ),
      ],
      [
        t(l, 'report.complaints'),
        list(
          l,
          r.complaintsOpen.map((c) => t(l, 'report.complaint_line', { ref: c.ref, subject: forChannel(c.subject, 80) })),
        ),
      ],
    );
  return {
    title: orgName ? t(l, 'report.flow_title_org', { org: neutralizeMentions(orgName), ...days }) : t(l, 'report.flow_title', days),
    text: sections.map(([head, body]) => `*${head}*\n${body}`).join('\n\n'),
    fields: [
      { label: t(l, 'report.opened'), value: byKind(l, r.opened) },
      { label: t(l, 'report.closed'), value: byKind(l, r.closed) },
      { label: t(l, 'report.response_met'), value: met(l, r.response) },
      { label: t(l, 'report.resolution_met'), value: met(l, r.resolution) },
    ],
    image: flowImage(l, r, orgName && neutralizeMentions(orgName)),
  };
}

export function observerReportMessage(l: Locale, r: ObserverReport): OutMessage {
  const money = new Intl.NumberFormat(l === 'it' ? 'it-IT' : 'en-GB', { style: 'currency', currency: 'EUR' });
  const total = r.servedByTier.volunteer + r.servedByTier.vendor;
  return {
    title: t(l, 'report.observer_title', periodDays(l, r.period)),
    text: `*${t(l, 'report.named')}*\n${list(
      l,
      r.namedOrganisations.map((o) => t(l, 'report.named_line', { name: neutralizeMentions(o.name), served: o.served })),
    )}`,
    fields: [
      {
        label: t(l, 'report.served'),
        value: t(l, 'report.served_value', {
          total,
          volunteer: r.servedByTier.volunteer,
          vendor: r.servedByTier.vendor,
          orgs: r.organisationsServed,
        }),
      },
      { label: t(l, 'report.response_time'), value: durations(l, r.response) },
      { label: t(l, 'report.resolution_time'), value: durations(l, r.resolution) },
      {
        label: t(l, 'report.satisfaction'),
        value:
          r.satisfaction.average === null
            ? t(l, 'report.no_ratings')
            : t(l, 'report.satisfaction_value', { average: r.satisfaction.average, ratings: r.satisfaction.ratings }),
      },
      {
        label: t(l, 'report.deflection'),
        value: t(l, 'report.deflection_value', { solved: r.deflection.solved, offers: r.deflection.offers, pct: r.deflection.pct ?? 0 }),
      },
      {
        label: t(l, 'report.volunteer_hours'),
        value: t(l, 'report.hours_value', {
          hours: r.volunteerHours.hours,
          with: r.volunteerHours.ticketsWithTime,
          without: r.volunteerHours.ticketsWithoutTime,
        }),
      },
      {
        label: t(l, 'report.vendor_engagements'),
        value: t(l, 'report.vendor_value', { count: r.vendorEngagements.count, value: money.format(r.vendorEngagements.valueCents / 100) }),
      },
    ],
    image: observerImage(l, r),
  };
}
