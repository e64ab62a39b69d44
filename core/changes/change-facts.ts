/**
 * What messages about a change show, loaded once: organisation, people, items, approvals, problems.
 * Names typed by people (items', people's) come already safe for a shared channel: the approval
 * and review requests go to the committee channel.
 */
import { type ConfigurationItem, ciLabel } from '../kernel/configuration-item.ts';
import type { Repositories } from '../kernel/ports.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import type { ChangeApproval, ChangeDetails } from './model.ts';

export interface ChangeFacts {
  readonly ticket: Ticket;
  readonly details: ChangeDetails | undefined;
  readonly organisation: string;
  readonly requester: string;
  readonly owner: string | null;
  /** `CI-000007 · pc-segreteria` for each item it touches. */
  readonly items: readonly string[];
  readonly approvals: readonly (ChangeApproval & { readonly approver: string })[];
  readonly reviewer: string | null;
}

/** `CI-000007 · pc-segreteria`, the name pinging nobody (and masking personal details). */
export const itemLabelForChannel = (item: Pick<ConfigurationItem, 'number' | 'name'>): string =>
  ciLabel({ number: item.number, name: forChannel(item.name, 120) });

export async function changeFacts(repos: Repositories, ticket: Ticket): Promise<ChangeFacts> {
  const name = async (id: string | null) => {
    const person = id ? await repos.people.findPerson(id) : undefined;
    return id ? neutralizeMentions(person?.displayName ?? '?') : null;
  };
  const [details, org, requester, owner, itemIds, approvals] = await Promise.all([
    repos.changes.findDetails(ticket.id),
    repos.people.findOrganisation(ticket.organisationId),
    name(ticket.requesterId),
    name(ticket.assigneeId),
    repos.changes.listItems(ticket.id),
    repos.changes.listApprovals(ticket.id),
  ]);
  const items = await Promise.all(itemIds.map((id) => repos.configurationItems.find(id)));
  return {
    ticket,
    details,
    organisation: org?.name ?? '?',
    requester: requester ?? '?',
    owner,
    items: items.flatMap((i) => (i ? [itemLabelForChannel(i)] : [])),
    approvals: await Promise.all(approvals.map(async (a) => ({ ...a, approver: (await name(a.approverId)) ?? '?' }))),
    reviewer: await name(details?.reviewedBy ?? null),
  };
}
