/**
 * What the CMDB says in chat: an item's overview (`ci CI-000007`), lists, history lines. Names
 * typed by people go through `forChannel`, since a reply may be shown in a shared channel.
 */
import { formatBytes } from '../alerts/machine-facts.ts';
import { AlertRef } from '../alerts/model.ts';
import type { WireFacts } from '../alerts/protocol.ts';
import { type ConfigurationItem, ConfigurationItemRef, ciLabel } from '../kernel/configuration-item.ts';
import { formatDate } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { t } from './messages.ts';
import { formatCalendarDay, type ItemHistoryEntry, type ItemOverview, type ItemSummary, type RelationKind } from './model.ts';

export const itemRef = (item: Pick<ConfigurationItem, 'number'>) => ConfigurationItemRef.format(item.number);
export const itemLabel = (item: Pick<ConfigurationItem, 'number' | 'name'>) => forChannel(ciLabel(item), 140);

export function kindName(l: Locale, kind: ConfigurationItem['kind']): string {
  return t(l, `ci.kind.${kind}`);
}

export function statusName(l: Locale, status: ConfigurationItem['status']): string {
  return t(l, `ci.status.${status}`);
}

export function relationName(l: Locale, kind: RelationKind): string {
  return t(l, `ci.relation.${kind}`);
}

const summaryLine = (l: Locale, s: ItemSummary) =>
  `${itemLabel(s)} (${kindName(l, s.kind)}${s.status === 'active' ? '' : `, ${statusName(l, s.status)}`})`;

/** One line of a list: `CI-000007 · pc-segreteria · computer · attivo`. */
export function itemLine(l: Locale, item: ConfigurationItem, orgName?: string): string {
  const parts = [itemLabel(item), kindName(l, item.kind), statusName(l, item.status)];
  if (item.renewalOn) parts.push(t(l, 'ci.renewal_short', { date: formatCalendarDay(l, item.renewalOn) }));
  if (orgName) parts.push(neutralizeMentions(orgName));
  return parts.join(' · ');
}

/** The material facts an agent reported, in one line. */
export function factsLine(l: Locale, facts: Readonly<Record<string, unknown>> | null): string | undefined {
  if (!facts) return undefined;
  const f = facts as Partial<WireFacts>;
  const parts: string[] = [];
  if (f.os) parts.push([f.os.distro || f.os.platform, f.os.release].filter(Boolean).join(' '));
  if (f.cpu) parts.push(t(l, 'ci.facts.cpu', { model: f.cpu.model, cores: f.cpu.cores }));
  if (typeof f.memoryBytes === 'number') parts.push(t(l, 'ci.facts.memory', { size: formatBytes(f.memoryBytes) }));
  if (Array.isArray(f.disks) && f.disks.length)
    parts.push(
      t(l, 'ci.facts.disks', {
        disks: f.disks
          .map((d) => `${d.mount} ${formatBytes(d.sizeBytes)} (${Math.round((d.usedBytes / Math.max(1, d.sizeBytes)) * 100)}%)`)
          .join(', '),
      }),
    );
  return parts.length ? forChannel(parts.join(' · '), 300) : undefined;
}

/** The impact in one sentence: "se si ferma, ne risentono: …". */
export function impactText(l: Locale, o: Pick<ItemOverview, 'impact'>): string {
  if (o.impact.total === 0) return t(l, 'ci.impact.none');
  const names = o.impact.items.map((i) => `${summaryLine(l, i.item)}${i.depth > 1 ? ` [${i.depth}]` : ''}`);
  const more = o.impact.total - o.impact.items.length;
  return t(l, 'ci.impact.some', { n: o.impact.total, items: names.join(', ') + (more > 0 ? t(l, 'ci.impact.more', { n: more }) : '') });
}

export function overviewMessage(l: Locale, o: ItemOverview): OutMessage {
  const { item } = o;
  const fields = [
    { label: t(l, 'ci.field.kind'), value: kindName(l, item.kind) },
    { label: t(l, 'ci.field.status'), value: statusName(l, item.status) },
    { label: t(l, 'ci.field.organisation'), value: neutralizeMentions(o.organisationName) },
  ];
  if (item.renewalOn) fields.push({ label: t(l, 'ci.field.renewal'), value: formatCalendarDay(l, item.renewalOn) });
  if (item.agentId) fields.push({ label: t(l, 'ci.field.agent'), value: t(l, 'ci.agent_yes') });
  const lines: string[] = [];
  const facts = factsLine(l, item.facts);
  if (facts) lines.push(t(l, 'ci.section.facts', { facts }));
  if (item.notes) lines.push(t(l, 'ci.section.notes', { notes: forChannel(item.notes, 400) }));
  lines.push(
    o.tickets.length
      ? `${t(l, 'ci.section.tickets')}\n${o.tickets.map((x) => `• ${x.ref} P${x.priority} · ${t(l, `status.${x.status}`)} · ${forChannel(x.title, 80)}`).join('\n')}`
      : t(l, 'ci.section.no_tickets'),
  );
  lines.push(
    o.alerts.length
      ? `${t(l, 'ci.section.alerts')}\n${o.alerts
          .map(
            (a) =>
              `• ${AlertRef.format(a.number)} ${forChannel(a.checkId, 40)} (${forChannel(a.target, 60)}) · ${t(l, `ci.severity.${a.severity}`)} · ${formatDate(l, a.openedAt)}`,
          )
          .join('\n')}`
      : t(l, 'ci.section.no_alerts'),
  );
  if (o.changes.length)
    lines.push(
      `${t(l, 'ci.section.changes')}\n${o.changes
        .map(
          (c) =>
            `• ${c.ref} · ${t(l, `status.${c.status}`)} · ${forChannel(c.title, 80)}${c.windowStart && c.windowEnd ? ` · ${formatDate(l, c.windowStart)} → ${formatDate(l, c.windowEnd)}` : ''}`,
        )
        .join('\n')}`,
    );
  if (o.needs.length)
    lines.push(`${t(l, 'ci.section.needs')}\n${o.needs.map((r) => `• ${relationName(l, r.kind)} ${summaryLine(l, r.other)}`).join('\n')}`);
  if (o.neededBy.length)
    lines.push(
      `${t(l, 'ci.section.needed_by')}\n${o.neededBy.map((r) => `• ${summaryLine(l, r.other)} ${relationName(l, r.kind)} ${itemRef(item)}`).join('\n')}`,
    );
  lines.push(impactText(l, o));
  return { title: itemLabel(item), text: lines.join('\n\n'), fields };
}

function historyValue(l: Locale, field: string, value: string | null): string {
  if (value === null || value === '') return '—';
  if (field === 'status' && (value === 'active' || value === 'maintenance' || value === 'retired')) return statusName(l, value);
  if (field === 'renewal_on' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatCalendarDay(l, value);
  return forChannel(value, 120);
}

export function historyLine(l: Locale, e: ItemHistoryEntry): string {
  const who = e.actorName ? neutralizeMentions(e.actorName) : t(l, e.reason === 'agent' ? 'ci.history.agent' : 'ci.history.system');
  const what =
    e.field === 'created'
      ? t(l, 'ci.history.created', { name: historyValue(l, 'name', e.to) })
      : t(l, 'ci.history.changed', {
          field: fieldName(l, e.field),
          from: historyValue(l, e.field, e.from),
          to: historyValue(l, e.field, e.to),
        });
  const why = e.reason && e.reason !== 'agent' ? t(l, 'ci.history.reason', { reason: forChannel(e.reason, 200) }) : '';
  return `• ${formatDate(l, e.at)} · ${who}: ${what}${why}`;
}

const FIELD_KEYS = ['name', 'status', 'notes', 'renewal_on', 'hostname', 'os', 'cpu', 'memory', 'disks'] as const;
export function fieldName(l: Locale, field: string): string {
  const known = FIELD_KEYS.find((f) => f === field);
  return known ? t(l, `ci.history_field.${known}`) : field;
}
