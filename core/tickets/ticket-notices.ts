import { type ConfigurationItem, ciLabel } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { isOpen, type Ticket } from '../kernel/ticket.ts';
import { t } from './messages.ts';
import type { ProblemCandidate } from './ports.ts';
import { type CardNames, cardRef, ticketCard } from './ticket-card.ts';

/** What a card shows besides the ticket; what the caller already has (`known`) is not read again. */
export interface KnownNames {
  readonly org?: string;
  /** The ticket's configuration item, null for none. */
  readonly item?: ConfigurationItem | null;
  readonly problems?: readonly ProblemCandidate[];
}

/** The names a ticket's card shows (see `ticketCard`). */
export async function cardNames(ctx: UseCaseContext, ticket: Ticket, known: KnownNames = {}): Promise<CardNames> {
  const [org, assignee, item, problems] = await Promise.all([
    known.org !== undefined ? { name: known.org } : ctx.repos.people.findOrganisation(ticket.organisationId),
    ticket.assigneeId ? ctx.repos.people.findPerson(ticket.assigneeId) : undefined,
    known.item !== undefined ? known.item && ciLabel(known.item) : itemLabel(ctx, ticket),
    // An open incident on the item or category of an open problem can join it from its card.
    known.problems ??
      (ticket.kind === 'incident' && isOpen(ticket.status) ? ctx.repos.problemCandidates.openProblemsMatching(ticket, 2) : []),
  ]);
  return { org: org?.name ?? '?', assignee: assignee?.displayName ?? null, item, ...(problems.length ? { problems } : {}) };
}

/** `CI-000007 · pc-segreteria` for the ticket's configuration item, or null. */
export async function itemLabel(ctx: UseCaseContext, ticket: Pick<Ticket, 'configurationItemId'>): Promise<string | null> {
  const item = ticket.configurationItemId ? await ctx.repos.configurationItems.find(ticket.configurationItemId) : undefined;
  return item ? ciLabel(item) : null;
}

/**
 * Posts the ticket's card in the volunteers channels (or edits it there, by its stable ref);
 * what the caller already has (`known`) is not read again.
 */
export async function announceTicket(ctx: UseCaseContext, ticket: Ticket, known: KnownNames = {}): Promise<void> {
  const n = await cardNames(ctx, ticket, known);
  await ctx.notifier.toChannels('volunteers', (locale) => ticketCard(locale, ticket, n), {
    organisationId: ticket.organisationId,
    ref: cardRef(ticket),
  });
}

/** The full picture for the owner only, in a DM: the requester's contact details included. */
export async function sendDetailsToOwner(ctx: UseCaseContext, ticket: Ticket, ownerId: string): Promise<void> {
  const [requester, org, item] = await Promise.all([
    ctx.repos.people.findPerson(ticket.requesterId),
    ctx.repos.people.findOrganisation(ticket.organisationId),
    itemLabel(ctx, ticket),
  ]);
  await ctx.notifier.toPerson(ownerId, (locale) => ({
    title: `${ticket.ref} · ${neutralizeMentions(ticket.title)}`,
    text: ticket.description,
    fields: [
      { label: t(locale, 'card.priority'), value: `P${ticket.priority}` },
      { label: t(locale, 'card.organisation'), value: org?.name ?? '?' },
      { label: t(locale, 'details.requester'), value: requester?.displayName ?? '?' },
      { label: t(locale, 'details.email'), value: requester?.email ?? '—' },
      { label: t(locale, 'details.phone'), value: requester?.phone ?? '—' },
      { label: t(locale, 'details.device'), value: item ?? '—' },
    ],
    buttons: [
      { actionId: 'ticket.hold', value: ticket.ref, label: t(locale, 'button.hold') },
      { actionId: 'ticket.resolve', value: ticket.ref, label: t(locale, 'button.resolve'), style: 'primary' },
      { actionId: 'ticket.unclaim', value: ticket.ref, label: t(locale, 'button.unclaim') },
    ],
  }));
}
