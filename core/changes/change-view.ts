/**
 * A change as data, for the command line and anything that prints it: the ticket, its details,
 * approvals, window, items, silences and history, people named by handle.
 */
import { Actor } from '../kernel/actor.ts';
import { ciLabel } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Ticket, TicketStatus } from '../kernel/ticket.ts';
import { Policy } from '../tickets/policy.ts';
import { ChangePolicy } from './change-policy.ts';
import { findChangeOrThrow } from './find-change.ts';
import type { ApprovalDecision, ApprovalSlot, ChangeType } from './model.ts';

export interface ChangeView {
  readonly ref: string;
  readonly title: string;
  readonly status: TicketStatus;
  readonly organisation: string;
  readonly requester: string | null;
  readonly owner: string | null;
  readonly type: ChangeType | null;
  readonly standardKey: string | null;
  readonly sharedInfrastructure: boolean;
  readonly windowStart: Date | null;
  readonly windowEnd: Date | null;
  readonly items: readonly string[];
  readonly approvals: readonly { slot: ApprovalSlot; decision: ApprovalDecision; by: string | null; note: string | null; at: Date }[];
  readonly outcome: string | null;
  readonly backoutPlan: string | null;
  readonly review: { by: string | null; at: Date; note: string | null } | null;
  readonly silences: readonly { item: string | null; startsAt: Date; endsAt: Date }[];
  readonly createdAt: Date;
  readonly submittedAt: Date | null;
}

export async function viewChange(ctx: UseCaseContext, ticket: Ticket): Promise<ChangeView> {
  const { repos } = ctx;
  const handles = new Map<string, Promise<string | null>>();
  const handle = (id: string | null) => {
    if (!id) return Promise.resolve(null);
    if (!handles.has(id))
      handles.set(
        id,
        repos.people.findPerson(id).then((p) => (p ? `@${p.handle}` : null)),
      );
    return handles.get(id) as Promise<string | null>;
  };
  const label = async (id: string | null) => {
    const item = id ? await repos.configurationItems.find(id) : undefined;
    return item ? ciLabel(item) : null;
  };
  const [details, org, itemIds, approvals, silences] = await Promise.all([
    repos.changes.findDetails(ticket.id),
    repos.people.findOrganisation(ticket.organisationId),
    repos.changes.listItems(ticket.id),
    repos.changes.listApprovals(ticket.id),
    repos.monitoring.listChangeSilences(ticket.id),
  ]);
  return {
    ref: ticket.ref,
    title: ticket.title,
    status: ticket.status,
    organisation: org?.name ?? '?',
    requester: await handle(ticket.requesterId),
    owner: await handle(ticket.assigneeId),
    type: details?.changeType ?? null,
    standardKey: details?.standardKey ?? null,
    sharedInfrastructure: details?.sharedInfrastructure ?? false,
    windowStart: details?.windowStart ?? null,
    windowEnd: details?.windowEnd ?? null,
    items: (await Promise.all(itemIds.map(label))).flatMap((x) => (x ? [x] : [])),
    approvals: await Promise.all(
      approvals.map(async (a) => ({ slot: a.slot, decision: a.decision, by: await handle(a.approverId), note: a.note, at: a.at })),
    ),
    outcome: details?.outcome ?? null,
    backoutPlan: details?.backoutPlan ?? null,
    review: details?.reviewedAt ? { by: await handle(details.reviewedBy), at: details.reviewedAt, note: details.reviewNote } : null,
    silences: await Promise.all(
      silences.map(async (s) => ({ item: await label(s.configurationItemId), startsAt: s.startsAt, endsAt: s.endsAt })),
    ),
    createdAt: ticket.createdAt,
    submittedAt: details?.submittedAt ?? null,
  };
}

/** A change and its history, for `sportello change show`. */
export async function showChange(ctx: UseCaseContext, typedRef: string) {
  const ticket = await findChangeOrThrow(ctx, typedRef);
  const view = await viewChange(ctx, ticket);
  const events = await ctx.repos.tickets.listEvents(ticket.id);
  const history = [];
  for (const e of events) {
    const who = e.actorId ? await ctx.repos.people.findPerson(e.actorId) : undefined;
    history.push({ at: e.at, field: e.field, from: e.from, to: e.to, by: who ? `@${who.handle}` : null, note: e.note });
  }
  return { ...view, history };
}

/** The changes the actor may see, newest first (of some statuses). */
export async function listChanges(
  ctx: UseCaseContext,
  filter: { readonly statuses?: readonly TicketStatus[]; readonly limit: number },
): Promise<ChangeView[]> {
  // Filtered in the query (then by the ticket policy), so a member's changes are not cut off by
  // the limit spent on other organisations' changes.
  // (A vendor's member reads the changes engaged to their company: the policy alone decides.)
  const orgs = Actor.vendors(ctx.actor).length ? undefined : ChangePolicy.readableOrganisations(ctx.actor);
  const ids = await ctx.repos.changes.listChangeIds({
    ...filter,
    ...(orgs ? { visibleTo: { organisationIds: orgs, personId: ctx.actor.personId } } : {}),
  });
  const out: ChangeView[] = [];
  for (const id of ids) {
    const ticket = await ctx.repos.tickets.findById(id);
    if (ticket && Policy.canRead(ctx.actor, ticket)) out.push(await viewChange(ctx, ticket));
  }
  return out;
}
