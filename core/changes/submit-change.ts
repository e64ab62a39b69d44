/**
 * The owner submits a change: its type (standard, normal, emergency), whether it touches shared
 * infrastructure, and the configuration items it touches (the RFC's organisation's own). A
 * standard change from the catalogue is approved at once; a normal or emergency one waits for
 * its approvers, who get the request with Approve / Reject.
 */
import { findItemOrThrow } from '../cmdb/find-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { TicketStateMachine } from '../tickets/ticket-status.ts';
import { sendApprovalRequest, tellRequesterAndOwner } from './change-notices.ts';
import { ChangePolicy } from './change-policy.ts';
import { approversText } from './change-replies.ts';
import { findChangeOrThrow, moveChange } from './find-change.ts';
import { t } from './messages.ts';
import type { ChangeDetails, ChangeType } from './model.ts';
import { findStandardChange, type StandardChange } from './standard-changes.ts';

export interface SubmitChangeInput {
  readonly type: ChangeType;
  /** The catalogue entry of a standard change (key or alias). */
  readonly standardKey?: string;
  readonly shared: boolean;
  /** Configuration items as typed (`CI-000007` or a name). */
  readonly items: readonly string[];
}

export async function submitChange(
  ctx: UseCaseContext,
  typedRef: string,
  input: SubmitChangeInput,
): Promise<{ ticket: Ticket; details: ChangeDetails; standard: StandardChange | undefined; items: number }> {
  const ticket = await findChangeOrThrow(ctx, typedRef);
  ChangePolicy.assertOwner(ctx.actor, ticket);
  const action = input.type === 'standard' ? 'preapprove' : 'submit_for_approval';
  TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, action);
  const standard = input.type === 'standard' ? findStandardChange(input.standardKey ?? '') : undefined;
  if (input.type === 'standard' && !standard)
    throw new DomainError('standard_change_unknown', { key: (input.standardKey ?? '').slice(0, 40) || '—' });

  const itemIds = new Set<string>(ticket.configurationItemId ? [ticket.configurationItemId] : []);
  for (const typed of input.items) itemIds.add((await findItemOrThrow(ctx, typed, ticket.organisationId)).id);

  const now = ctx.clock.now();
  const details = await ctx.repos.changes.saveSubmission({
    ticketId: ticket.id,
    changeType: input.type,
    standardKey: standard?.key ?? null,
    sharedInfrastructure: input.shared,
    itemIds: [...itemIds],
    at: now,
  });
  // Codes, not sentences: the history is read in either language.
  const note = standard ? `standard:${standard.key}` : `${input.type}${input.shared ? '+shared' : ''}`;
  const updated = await moveChange(ctx, ticket, action, note);
  const title = updated.title;
  if (standard) {
    await tellRequesterAndOwner(ctx, updated, (l) => ({
      text: t(l, 'change.notice.standard', { ref: updated.ref, title, item: standard.title[l] }),
    }));
  } else {
    await sendApprovalRequest(ctx, updated, details);
    await tellRequesterAndOwner(ctx, updated, (l) => ({
      text: t(l, 'change.notice.submitted', {
        ref: updated.ref,
        title,
        type: t(l, `change.type.${input.type}`),
        who: approversText(l, details),
      }),
    }));
  }
  return { ticket: updated, details, standard, items: itemIds.size };
}
