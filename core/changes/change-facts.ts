/** What messages about a change show, loaded once: organisation, people, items, approvals, problems. */
import { ciLabel } from '../kernel/configuration-item.ts';
import type { Repositories } from '../kernel/ports.ts';
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

export async function changeFacts(repos: Repositories, ticket: Ticket): Promise<ChangeFacts> {
  const name = async (id: string | null) => (id ? ((await repos.people.findPerson(id))?.displayName ?? '?') : null);
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
    items: items.flatMap((i) => (i ? [ciLabel(i)] : [])),
    approvals: await Promise.all(approvals.map(async (a) => ({ ...a, approver: (await name(a.approverId)) ?? '?' }))),
    reviewer: await name(details?.reviewedBy ?? null),
  };
}
