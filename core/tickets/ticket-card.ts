import { type Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { t } from './messages.ts';
import type { ProblemCandidate } from './ports.ts';

export const cardRef = (ticket: Pick<Ticket, 'ref'>): string => `card:${ticket.ref}`;

/**
 * The card a volunteer decides on, in a shared channel: only what is needed to choose (no
 * requester name, e-mail or phone; the description is cut and masked). Its buttons follow
 * the status: Claim while nobody owns a volunteer-tier ticket, Details always.
 */
/** The names a card shows beside the ticket: organisation, owner, configuration item. */
export interface CardNames {
  readonly org: string;
  readonly assignee: string | null;
  /** `CI-000007 · pc-segreteria`, or null. */
  readonly item: string | null;
  /** Open problems the incident may belong to: a *Collega a PRB-…* button each. */
  readonly problems?: readonly ProblemCandidate[];
}

export function ticketCard(locale: Locale, ticket: Ticket, names: CardNames): OutMessage {
  const { org: orgName, assignee: assigneeName } = names;
  const fields = [
    { label: t(locale, 'card.priority'), value: `P${ticket.priority}` },
    { label: t(locale, 'card.kind'), value: t(locale, `kind.${ticket.kind}`) },
    { label: t(locale, 'card.organisation'), value: neutralizeMentions(orgName) },
    { label: t(locale, 'card.status'), value: t(locale, `status.${ticket.status}`) },
  ];
  if (names.item) fields.push({ label: t(locale, 'details.device'), value: neutralizeMentions(names.item) });
  if (assigneeName) fields.push({ label: t(locale, 'card.owner'), value: neutralizeMentions(assigneeName) });
  // A vendor-tier ticket is the engaged vendor's to claim: the volunteers only follow it.
  if (ticket.tier === 'vendor') fields.push({ label: t(locale, 'card.tier'), value: t(locale, 'sla.tier.vendor') });
  const buttons = [];
  if (ticket.status === 'new' && !ticket.assigneeId && ticket.tier === 'volunteer')
    buttons.push({ actionId: 'ticket.claim', value: ticket.ref, label: t(locale, 'button.claim'), style: 'primary' as const });
  buttons.push({ actionId: 'ticket.details', value: ticket.ref, label: t(locale, 'button.details') });
  for (const p of names.problems ?? [])
    buttons.push({ actionId: 'problem.link', value: `${ticket.ref}:${p.ref}`, label: t(locale, 'button.link_problem', { ref: p.ref }) });
  return {
    title: `${ticket.ref} · ${forChannel(ticket.title, 120)}`,
    text: forChannel(ticket.description, 280),
    fields,
    buttons,
  };
}
