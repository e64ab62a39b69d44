/**
 * The one chat message of an alert, redrawn on every change (firing → acknowledged → resolved):
 * what is wrong, on which machine of which organisation, since when, the evidence (masked), a
 * suggested first step, the incident it opened, and the buttons that fit its state.
 */

import { formatDate } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { Button, OutMessage } from '../kernel/message.ts';
import type { Notifier } from '../kernel/notifier.ts';
import type { Repositories } from '../kernel/ports.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { t } from './messages.ts';
import { type Alert, type AlertKind, AlertRef, type ConfigurationItem, ConfigurationItemRef, type MonitoredAgent } from './model.ts';

/** Everything the message shows besides the alert row itself. */
export interface AlertView {
  readonly alert: Alert;
  readonly organisation: string;
  readonly agentName: string;
  readonly configurationItem: string | null;
  readonly incident: Pick<Ticket, 'ref' | 'status' | 'assigneeId'> | null;
  readonly incidentOwner: string | null;
  readonly acknowledgedBy: string | null;
  readonly falseAlarmBy: string | null;
  /** When the machine's agent was revoked (its open alerts were resolved then). */
  readonly agentRevokedAt?: Date | null;
}

/** What the caller already holds, current in its transaction: each one that is the alert's is not read again. */
export interface KnownForAlert {
  readonly agent?: MonitoredAgent | undefined;
  readonly item?: ConfigurationItem | undefined;
  readonly incident?: Ticket | undefined;
}

export async function loadAlertView(repos: Repositories, alert: Alert, known: KnownForAlert = {}): Promise<AlertView> {
  const [org, agent, item, incident, ackBy, falseBy] = await Promise.all([
    repos.people.findOrganisation(alert.organisationId),
    known.agent?.id === alert.agentId ? known.agent : repos.monitoring.findAgent(alert.agentId),
    !alert.configurationItemId
      ? undefined
      : known.item?.id === alert.configurationItemId
        ? known.item
        : repos.monitoring.findConfigurationItem(alert.configurationItemId),
    !alert.incidentId ? undefined : known.incident?.id === alert.incidentId ? known.incident : repos.tickets.findById(alert.incidentId),
    alert.acknowledgedBy ? repos.people.findPerson(alert.acknowledgedBy) : undefined,
    alert.falseAlarmBy ? repos.people.findPerson(alert.falseAlarmBy) : undefined,
  ]);
  const owner = incident?.assigneeId ? await repos.people.findPerson(incident.assigneeId) : undefined;
  return {
    alert,
    organisation: org?.name ?? '?',
    agentName: item?.name ?? agent?.name ?? '?',
    configurationItem: item ? `${ConfigurationItemRef.format(item.number)} · ${item.name}` : null,
    incident: incident ?? null,
    incidentOwner: owner?.displayName ?? null,
    acknowledgedBy: ackBy?.displayName ?? null,
    falseAlarmBy: falseBy?.displayName ?? null,
    agentRevokedAt: agent?.revokedAt ?? null,
  };
}

/** Posts the alert's message in the alerts channels (the organisation's and the global ones), or edits it. */
export async function publishAlert(repos: Repositories, notifier: Notifier, alert: Alert, known?: KnownForAlert): Promise<void> {
  const view = await loadAlertView(repos, alert, known);
  await notifier.toChannels('alerts', (locale) => alertMessage(locale, view), {
    organisationId: alert.organisationId,
    ref: AlertRef.message(alert),
  });
}

export function kindLabel(l: Locale, kind: AlertKind): string {
  return t(l, `alert.kind.${kind}`);
}

/** The first thing to try, per kind of check. */
export function suggestion(l: Locale, kind: AlertKind): string {
  return t(l, `alert.suggest.${kind}`);
}

const UNIT_KEYS: Readonly<Record<string, 'alert.unit.d' | 'alert.unit.h' | 'alert.unit.min'>> = {
  d: 'alert.unit.d',
  h: 'alert.unit.h',
  min: 'alert.unit.min',
};

/** A measured value with its unit, in the reader's language ("91%", "3 giorni", "1200 ms"). */
export function formatValue(l: Locale, value: number | null, unit: string | null): string {
  if (value === null) return '—';
  const n = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  const shown = n.toLocaleString(l === 'it' ? 'it-IT' : 'en-GB');
  if (!unit) return shown;
  if (unit === '%') return `${shown}%`;
  const key = UNIT_KEYS[unit];
  return key ? t(l, key, { n: shown }) : `${shown} ${forChannel(unit, 10)}`;
}

/** The headline: what is wrong, in the reader's language, from the kind, target and value. */
export function summary(l: Locale, alert: Pick<Alert, 'kind' | 'target' | 'lastValue' | 'unit'>): string {
  return t(l, `alert.summary.${alert.kind}`, {
    target: forChannel(alert.target, 120),
    value: formatValue(l, alert.lastValue, alert.unit),
  });
}

const ICON = { crit: '🔴', warn: '🟠' } as const;

export function alertMessage(l: Locale, v: AlertView): OutMessage {
  const a = v.alert;
  const icon = a.state === 'resolved' ? '✅' : a.state === 'acknowledged' ? '🔕' : ICON[a.severity];
  const stateText =
    a.state === 'acknowledged' && a.snoozedUntil
      ? t(l, 'alert.state.snoozed', { until: formatDate(l, a.snoozedUntil) })
      : t(l, `alert.state.${a.state}`);
  const lines = [summary(l, a)];
  if (a.message) lines.push(forChannel(a.message, 300));
  for (const line of a.evidence?.lines?.slice(-3) ?? []) lines.push(`› ${forChannel(line, 200)}`);
  if (a.state !== 'resolved') lines.push(`${t(l, 'alert.first_step')}: ${suggestion(l, a.kind)}`);

  const fields = [
    { label: t(l, 'alert.field.state'), value: stateText },
    { label: t(l, 'alert.field.severity'), value: t(l, `alert.severity.${a.severity}`) },
    { label: t(l, 'card.organisation'), value: neutralizeMentions(v.organisation) },
    { label: t(l, 'alert.field.machine'), value: forChannel(v.configurationItem ?? v.agentName, 120) },
    { label: t(l, 'alert.field.check'), value: forChannel(`${a.checkId} · ${a.target}`, 160) },
    { label: t(l, 'alert.field.value'), value: formatValue(l, a.lastValue, a.unit) },
    { label: t(l, 'alert.field.since'), value: formatDate(l, a.openedAt) },
  ];
  if (a.resolvedAt && a.state === 'resolved') fields.push({ label: t(l, 'alert.field.resolved'), value: formatDate(l, a.resolvedAt) });
  if (v.incident) {
    const owner = v.incidentOwner ? ` · ${neutralizeMentions(v.incidentOwner)}` : '';
    fields.push({ label: t(l, 'alert.field.incident'), value: `${v.incident.ref} · ${t(l, `status.${v.incident.status}`)}${owner}` });
  }
  if (v.acknowledgedBy) fields.push({ label: t(l, 'alert.field.acknowledged_by'), value: neutralizeMentions(v.acknowledgedBy) });
  if (a.falseAlarmAt) fields.push({ label: t(l, 'alert.field.false_alarm'), value: neutralizeMentions(v.falseAlarmBy ?? '—') });
  if (a.flaps > 0) fields.push({ label: t(l, 'alert.field.flaps'), value: String(a.flaps) });
  if (v.agentRevokedAt) fields.push({ label: t(l, 'alert.field.agent_revoked'), value: formatDate(l, v.agentRevokedAt) });

  const buttons: Button[] = [];
  if (a.state !== 'resolved') {
    const claimable = !v.incident || (v.incident.status === 'new' && !v.incident.assigneeId);
    if (claimable) buttons.push({ actionId: 'alert.claim', value: a.id, label: t(l, 'button.claim'), style: 'primary' });
    if (a.state === 'firing') buttons.push({ actionId: 'alert.ack', value: a.id, label: t(l, 'button.acknowledge') });
    buttons.push({ actionId: 'alert.snooze', value: a.id, label: t(l, 'button.snooze') });
  }
  if (!a.falseAlarmAt) buttons.push({ actionId: 'alert.false_alarm', value: a.id, label: t(l, 'button.false_alarm'), style: 'danger' });

  return {
    title: `${icon} ${AlertRef.format(a.number)} · ${kindLabel(l, a.kind)} · ${forChannel(v.agentName, 80)}`,
    text: lines.join('\n'),
    fields,
    buttons,
  };
}
