import { Actor } from '../kernel/actor.ts';
import { formatDate } from '../kernel/format.ts';
import { type Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import type { SlaSummary } from '../sla/sla-clock.ts';
import { slaFields } from '../sla/sla-format.ts';
import { t } from './messages.ts';

export function ticketList(l: Locale, tickets: readonly Ticket[]): OutMessage {
  if (tickets.length === 0) return { text: t(l, 'list.empty') };
  return {
    title: t(l, 'list.title', { n: tickets.length }),
    text: tickets.map((x) => `${x.ref} · P${x.priority} · ${t(l, `status.${x.status}`)} · ${forChannel(x.title, 60)}`).join('\n'),
  };
}

/** `stato <id>`: where a ticket stands, for someone allowed to read it (with its SLA, when given). */
export function ticketStatus(l: Locale, x: Ticket, ownerName: string | null, actor: Actor, sla?: SlaSummary): OutMessage {
  const buttons = [];
  if (x.status === 'resolved' && x.requesterId === actor.personId) {
    buttons.push({ actionId: 'ticket.confirm', value: x.ref, label: t(l, 'button.confirm'), style: 'primary' as const });
    buttons.push({ actionId: 'ticket.reopen', value: x.ref, label: t(l, 'button.reopen') });
  }
  if (x.status === 'new' && Actor.has(actor, 'volunteer'))
    buttons.push({ actionId: 'ticket.claim', value: x.ref, label: t(l, 'button.claim'), style: 'primary' as const });
  return {
    title: `${x.ref} · ${forChannel(x.title, 120)}`,
    text: t(l, `status_help.${x.status}`),
    fields: [
      { label: t(l, 'card.status'), value: t(l, `status.${x.status}`) },
      { label: t(l, 'card.priority'), value: `P${x.priority}` },
      { label: t(l, 'card.owner'), value: ownerName ?? '—' },
      { label: t(l, 'details.opened'), value: formatDate(l, x.createdAt) },
      ...(x.rating ? [{ label: t(l, 'details.rating'), value: '★'.repeat(x.rating) }] : []),
      ...(sla ? slaFields(l, sla) : []),
    ],
    ...(buttons.length ? { buttons } : {}),
  };
}

/** The Details button on a card: more than the card, still no personal details. */
export function ticketDetails(l: Locale, x: Ticket, ownerName: string | null, itemLabel: string | null): OutMessage {
  return {
    title: `${x.ref} · ${forChannel(x.title, 120)}`,
    text: forChannel(x.description, 1500),
    fields: [
      { label: t(l, 'card.kind'), value: t(l, `kind.${x.kind}`) },
      { label: t(l, 'card.status'), value: t(l, `status.${x.status}`) },
      { label: t(l, 'card.priority'), value: `P${x.priority}` },
      { label: t(l, 'card.owner'), value: ownerName ?? '—' },
      { label: t(l, 'details.device'), value: itemLabel ? forChannel(itemLabel, 100) : '—' },
      { label: t(l, 'details.opened'), value: formatDate(l, x.createdAt) },
    ],
  };
}
