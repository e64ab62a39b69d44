/**
 * SLA figures in words: durations ("2 g 3 h"), due times in the calendar's zone, the fields
 * `stato <id>` shows, and the policy table the `sla` command prints. Pure.
 */

import { type Locale } from '../kernel/i18n.ts';
import type { Tier } from '../kernel/ticket.ts';
import { t } from './messages.ts';
import type { SlaSummary, SlaTargetSummary } from './sla-clock.ts';
import { SlaPolicy, type SlaPolicyRow, type SlaSettings } from './sla-policy.ts';

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** A due time as people read it, in the calendar's time zone ("3 mar 2026, 14:00"). */
export function formatDue(l: Locale, d: Date, timeZone: string): string {
  const key = `${l}|${timeZone}`;
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone });
    fmtCache.set(key, f);
  }
  return f.format(d);
}

/**
 * Minutes as days, hours and minutes, the largest two units ("2 g 3 h", "4 h 30 min"); a day
 * is `dayMinutes` long (a working day, or 24 h for round-the-clock targets).
 */
export function formatDuration(l: Locale, minutes: number, dayMinutes: number): string {
  const total = Math.round(Math.abs(minutes));
  if (total < 1) return t(l, 'sla.unit.none');
  const days = Math.floor(total / dayMinutes);
  const hours = Math.floor((total - days * dayMinutes) / 60);
  const mins = total - days * dayMinutes - hours * 60;
  const parts = [
    ...(days ? [t(l, 'sla.unit.day', { n: days })] : []),
    ...(hours ? [t(l, 'sla.unit.hour', { n: hours })] : []),
    ...(mins ? [t(l, 'sla.unit.minute', { n: mins })] : []),
  ];
  return parts.slice(0, 2).join(' ');
}

/** Business time left or used, with "business" said when the target does not run 24×7. */
function businessDuration(l: Locale, minutes: number, dayMinutes: number, allHours: boolean): string {
  const d = formatDuration(l, minutes, dayMinutes);
  return allHours ? d : t(l, 'sla.business', { duration: d });
}

/** One target's state in a few words ("entro 3 mar 2026, 14:00, mancano 2 h lavorative"). */
export function describeTarget(l: Locale, s: SlaTargetSummary, summary: Pick<SlaSummary, 'allHours' | 'timeZone' | 'dayMinutes'>): string {
  const dayMinutes = summary.dayMinutes;
  const due = s.dueAt ? formatDue(l, s.dueAt, summary.timeZone) : '—';
  const remaining = businessDuration(l, s.remainingMinutes, dayMinutes, summary.allHours);
  switch (s.state) {
    case 'running':
      return t(l, 'sla.field.running', { due, remaining });
    case 'paused':
      return t(l, 'sla.field.paused', { remaining });
    case 'met':
      return t(l, 'sla.field.met', { at: s.stoppedAt ? formatDue(l, s.stoppedAt, summary.timeZone) : '—' });
    case 'cancelled':
      return t(l, 'sla.field.cancelled');
    case 'breached': {
      const breachedAt = s.breachedAt ? formatDue(l, s.breachedAt, summary.timeZone) : due;
      if (s.stoppedAt || s.paused) return t(l, 'sla.field.breached', { due: breachedAt });
      return t(l, 'sla.field.late', { due: breachedAt, late: businessDuration(l, -s.remainingMinutes, dayMinutes, summary.allHours) });
    }
  }
}

/** The SLA fields of `stato <id>`: one per target. */
export function slaFields(l: Locale, summary: SlaSummary): { label: string; value: string }[] {
  return [summary.response, summary.resolution].map((s) => ({
    label: t(l, `sla.target.${s.target}`),
    value: describeTarget(l, s, summary),
  }));
}

export function tierLabel(l: Locale, tier: Tier): string {
  return t(l, `sla.tier.${tier}`);
}

/** The targets of one policy row in words ("prima risposta 4 h, risoluzione 3 g"). */
export function policyDurations(
  l: Locale,
  row: SlaPolicyRow,
  settings: SlaSettings,
): { response: string; resolution: string; always: string } {
  const day = SlaPolicy.dayMinutes(SlaPolicy.calendar(settings, row.allHours));
  return {
    response: formatDuration(l, row.responseMinutes, day),
    resolution: formatDuration(l, row.resolutionMinutes, day),
    always: row.allHours ? t(l, 'sla.policy.always') : '',
  };
}

/** The whole policy table, for the `sla` command. */
export function policyTable(l: Locale, rows: readonly SlaPolicyRow[], settings: SlaSettings): { title: string; text: string } {
  const local = settings.localHolidays.length ? t(l, 'sla.policy.local', { days: settings.localHolidays.join(', ') }) : '';
  const lines = rows.map((r) =>
    t(l, 'sla.policy.line', { tier: tierLabel(l, r.tier), priority: r.priority, ...policyDurations(l, r, settings) }),
  );
  return {
    title: t(l, 'sla.policy.title'),
    text: [t(l, 'sla.policy.calendar', { hours: settings.hours, zone: settings.timeZone, local }), ...lines].join('\n'),
  };
}
