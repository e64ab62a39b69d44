/** Tickets as the CLI prints them: ids resolved to handles and organisation names. */
import type { Locale } from '../../core/kernel/i18n.ts';
import type { Organisation, Person } from '../../core/kernel/person.ts';
import type { Repositories } from '../../core/kernel/ports.ts';
import type { Ticket, TicketEvent } from '../../core/kernel/ticket.ts';
import { t } from '../../core/tickets/messages.ts';
import type { TicketComment } from '../../core/tickets/ports.ts';
import { cliText } from './messages.ts';
import { formatTable } from './table.ts';

export interface TicketView extends Ticket {
  readonly organisation: { readonly fiscalCode: string; readonly name: string } | null;
  readonly requester: string | null;
  readonly assignee: string | null;
}

/** Resolves people and organisations once each, however many tickets name them. */
export async function viewTickets(repos: Repositories, tickets: readonly Ticket[]): Promise<TicketView[]> {
  const people = new Map<string, Promise<Person | undefined>>();
  const orgs = new Map<string, Promise<Organisation | undefined>>();
  const person = (id: string | null) => {
    if (!id) return Promise.resolve(undefined);
    if (!people.has(id)) people.set(id, repos.people.findPerson(id));
    return people.get(id) as Promise<Person | undefined>;
  };
  const org = (id: string) => {
    if (!orgs.has(id)) orgs.set(id, repos.people.findOrganisation(id));
    return orgs.get(id) as Promise<Organisation | undefined>;
  };
  const views: TicketView[] = [];
  for (const ticket of tickets) {
    const [o, requester, assignee] = await Promise.all([org(ticket.organisationId), person(ticket.requesterId), person(ticket.assigneeId)]);
    views.push({
      ...ticket,
      organisation: o ? { fiscalCode: o.fiscalCode, name: o.name } : null,
      requester: requester?.handle ?? null,
      assignee: assignee?.handle ?? null,
    });
  }
  return views;
}

/** One line per ticket: ref, status, priority, organisation, owner, title. */
export function ticketTable(locale: Locale, views: readonly TicketView[]): string {
  if (views.length === 0) return cliText(locale, 'ticket.none');
  return formatTable(
    views.map((v) => [
      v.ref,
      t(locale, `status.${v.status}`),
      `P${v.priority}`,
      v.organisation?.name ?? '?',
      v.assignee ? `@${v.assignee}` : '—',
      v.title,
    ]),
  );
}

/** The whole ticket with its history and comments, for `ticket show`. */
export function ticketDetails(
  locale: Locale,
  v: TicketView,
  events: readonly (TicketEvent & { readonly actor: string | null })[],
  comments: readonly (TicketComment & { readonly author: string | null })[],
  sla: readonly { readonly label: string; readonly value: string }[] = [],
): string {
  const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16);
  const lines = [
    `${v.ref} · ${v.title}`,
    formatTable([
      [`${t(locale, 'card.kind')}:`, t(locale, `kind.${v.kind}`)],
      [`${t(locale, 'card.status')}:`, t(locale, `status.${v.status}`)],
      [`${t(locale, 'card.priority')}:`, `P${v.priority} (impact ${v.impact}, urgency ${v.urgency})`],
      [`${t(locale, 'card.organisation')}:`, v.organisation ? `${v.organisation.name} (${v.organisation.fiscalCode})` : '?'],
      [`${t(locale, 'details.requester')}:`, v.requester ? `@${v.requester}` : '?'],
      [`${t(locale, 'card.owner')}:`, v.assignee ? `@${v.assignee}` : '—'],
      [`${t(locale, 'details.opened')}:`, when(v.createdAt)],
      ...(v.rating !== null ? [[`${t(locale, 'details.rating')}:`, `${v.rating}/5`]] : []),
      ...sla.map((f) => [`${f.label}:`, f.value]),
    ]),
    '',
    v.description,
    '',
    `${cliText(locale, 'ticket.history')}:`,
    ...events.map(
      (e) =>
        `  ${when(e.at)}  ${e.field}: ${e.from ?? '—'} → ${e.to ?? '—'}${e.actor ? `  @${e.actor}` : ''}${e.note ? `  «${e.note}»` : ''}`,
    ),
  ];
  if (comments.length > 0) {
    lines.push('', `${cliText(locale, 'ticket.comments')}:`);
    for (const c of comments)
      lines.push(`  ${when(c.createdAt)}  @${c.author ?? '?'}${c.internal ? ` (${cliText(locale, 'ticket.internal')})` : ''}: ${c.body}`);
  }
  return lines.join('\n');
}
