import { type Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Store } from '../kernel/ports.ts';
import { TICKET_STATUSES, type Ticket } from '../kernel/ticket.ts';
import { BusinessCalendar, type BusinessCalendarConfig, type IsoWeekday } from '../sla/business-calendar.ts';
import { SlaClock, type SlaSummary, type SlaTargetSummary } from '../sla/sla-clock.ts';
import { TARGET_THRESHOLDS } from '../sla/sla-event-kind.ts';
import { loadSlaContext, ticketSlaSummary } from '../sla/sla-events.ts';
import { describeTarget } from '../sla/sla-format.ts';
import { t } from './messages.ts';

const LIVE = TICKET_STATUSES.filter((s) => ['counting', 'paused'].includes(SlaClock.resolutionPhase(s)));
const COUNTING = TICKET_STATUSES.filter((s) => SlaClock.resolutionPhase(s) === 'counting');
const MAX_LINES = 15;
/** A running target with at most this share of its time left is "at risk". */
const AT_RISK_SHARE = 0.25;
/** The SLA events due once a target is at risk: its thresholds from 1 - AT_RISK_SHARE on. */
const RISK_KINDS = TARGET_THRESHOLDS.filter((x) => x.share >= 1 - AT_RISK_SHARE).map((x) => x.kind);
/** Late and at-risk tickets whose clocks are computed to choose and order the lines. */
const CANDIDATES = 100;

interface Row {
  readonly ticket: Ticket;
  readonly summary: SlaSummary;
  /** The target that matters most now, and how urgent it is (lower first). */
  readonly target: SlaTargetSummary;
  readonly urgency: number;
  readonly late: boolean;
  readonly atRisk: boolean;
}

function classify(ticket: Ticket, summary: SlaSummary): Row {
  const live = [summary.response, summary.resolution].filter(
    (s) => s.state === 'running' || s.state === 'paused' || (s.state === 'breached' && !s.stoppedAt),
  );
  const share = (s: SlaTargetSummary) => s.remainingMinutes / s.targetMinutes;
  const target = [...live].sort((a, b) => share(a) - share(b))[0] ?? summary.resolution;
  const late = live.some((s) => s.state === 'breached');
  const atRisk = !late && live.some((s) => s.state === 'running' && share(s) <= AT_RISK_SHARE);
  return { ticket, summary, target, urgency: share(target), late, atRisk };
}

const WEEKDAY: Readonly<Record<string, IsoWeekday>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Whether `at` falls on a working day of the calendar (working hours that day, not a holiday). */
export function isBusinessDay(cal: BusinessCalendarConfig, at: Date): boolean {
  const day = WEEKDAY[new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: cal.timeZone }).format(at)];
  return day !== undefined && cal.week[day].length > 0 && !BusinessCalendar.isHoliday(cal, at);
}

export type DigestResult =
  | { readonly sent: true; readonly open: number; readonly atRisk: number; readonly late: number; readonly posted: number }
  | { readonly sent: false; readonly reason: 'not_a_business_day' | 'already_sent' };

/**
 * The morning digest for the volunteers channel: how many tickets are open, unclaimed, at risk
 * (a running target with a quarter or less of its time left) and late, then the most urgent
 * first. The counts come from the database over every open ticket; the lines from the late and
 * at-risk tickets whose breach is longest past or soonest due, their clocks computed exactly.
 * Only on business days of the SLA calendar. With `runKey` (the local date), it is sent once per
 * key however many workers run it: the key is recorded in the same transaction.
 */
export async function sendMorningDigest(opts: {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
  readonly runKey?: string;
}): Promise<DigestResult> {
  return opts.store.transaction(async (repos): Promise<DigestResult> => {
    const now = opts.clock.now();
    const sla = await loadSlaContext(repos);
    if (!isBusinessDay(sla.calendar, now)) return { sent: false, reason: 'not_a_business_day' };
    if (opts.runKey && !(await repos.sla.claimRun('digest', opts.runKey, now))) return { sent: false, reason: 'already_sent' };
    const overview = await repos.sla.openTicketsOverview({
      statuses: LIVE,
      counting: COUNTING,
      riskKinds: RISK_KINDS,
      now,
      limit: CANDIDATES,
    });
    const rows: Row[] = [];
    for (const x of overview.urgent) rows.push(classify(x, await ticketSlaSummary(repos, x, now, sla)));
    const urgent = rows.filter((r) => r.late || r.atRisk).sort((a, b) => a.urgency - b.urgency);
    const shown = urgent.slice(0, MAX_LINES);
    const counts = { open: overview.open, unclaimed: overview.unclaimed, risk: overview.atRisk, late: overview.late };
    const more = counts.risk + counts.late - shown.length;
    const compose = (l: Locale) => {
      const lines = shown.map((r) =>
        t(l, 'sla.digest.line', {
          ref: r.ticket.ref,
          priority: r.ticket.priority,
          status: t(l, `status.${r.ticket.status}`),
          target: t(l, `sla.target.${r.target.target}`),
          clock: describeTarget(l, r.target, r.summary),
        }),
      );
      const first = lines.length
        ? ['', t(l, 'sla.digest.first'), ...lines, ...(more > 0 ? [t(l, 'sla.digest.more', { n: more })] : [])]
        : counts.risk + counts.late === 0
          ? ['', t(l, 'sla.digest.calm')]
          : [];
      const body = counts.open === 0 ? [t(l, 'sla.digest.empty')] : [t(l, 'sla.digest.counts', counts), ...first];
      const date = new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'full', timeZone: sla.calendar.timeZone }).format(
        now,
      );
      return { title: t(l, 'sla.digest.title', { date }), text: body.join('\n') };
    };
    const notifier = new Notifier(repos, opts.defaultLocale);
    const posted = await notifier.toChannels('volunteers', compose);
    await notifier.flush(now);
    return { sent: true, open: counts.open, atRisk: counts.risk, late: counts.late, posted };
  });
}
