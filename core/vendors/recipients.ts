/** Who hears about a vendor request: the nonprofit's side, the moderators, the vendor's members. */
import type { Compose, Notifier } from '../kernel/notifier.ts';
import type { Repositories } from '../kernel/ports.ts';
import type { Ticket } from '../kernel/ticket.ts';

/** The organisation's ICT leads (active grants). */
export async function ictLeadIds(repos: Repositories, organisationId: string): Promise<string[]> {
  const grants = await repos.people.listGrants({ role: 'ict_lead', activeOnly: true });
  return [...new Set(grants.filter((g) => g.organisationId === organisationId).map((g) => g.personId))];
}

/** The ticket's requester and its organisation's ICT leads. */
export async function requesterSideIds(repos: Repositories, ticket: Ticket): Promise<string[]> {
  return [...new Set([ticket.requesterId, ...(await ictLeadIds(repos, ticket.organisationId))])];
}

export async function moderatorIds(repos: Repositories): Promise<string[]> {
  return (await repos.people.listPeopleWithRole('moderator')).map((p) => p.id);
}

/** A direct message to each of `ids` but `except` (usually whoever acted, answered in the turn). */
export async function tellEach(notifier: Notifier, ids: readonly string[], compose: Compose, except?: string): Promise<number> {
  let n = 0;
  for (const id of new Set(ids)) if (id !== except && (await notifier.toPerson(id, compose))) n++;
  return n;
}
