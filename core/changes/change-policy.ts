/**
 * Who may do what with a change. The owner (a certified volunteer, or a moderator or committee
 * member stepping in) submits, schedules and implements it; the organisation's ICT lead fills
 * the `organisation` approval slot (a moderator stands in when the organisation has no ICT lead,
 * and for emergencies), the committee the `committee` slot; the committee reviews emergencies.
 * The owner never approves their own change.
 * An ICT lead of another organisation never sees the change (`not_found`, from the ticket policy).
 */
import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { Policy } from '../tickets/policy.ts';
import type { ApprovalSlot, ChangeDetails } from './model.ts';

export const ChangePolicy = {
  assertOwner(actor: Actor, ticket: Ticket): void {
    if (!Policy.isWorker(actor, ticket)) throw new DomainError('not_owner', { ref: ticket.ref });
  },

  isIctLeadOf(actor: Actor, organisationId: string): boolean {
    return actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === organisationId);
  },

  /** The approval slots the actor may decide for this change (whether or not the change needs them). */
  slots(actor: Actor, ticket: Ticket, details: Pick<ChangeDetails, 'changeType'>, organisationHasIctLead: boolean): ApprovalSlot[] {
    // Four eyes: whoever carries the change out never approves it, whatever else they are.
    if (ticket.assigneeId === actor.personId) return [];
    const out: ApprovalSlot[] = [];
    const standIn = Actor.has(actor, 'moderator') && (details.changeType === 'emergency' || !organisationHasIctLead);
    if (ChangePolicy.isIctLeadOf(actor, ticket.organisationId) || standIn) out.push('organisation');
    if (Actor.has(actor, 'committee')) out.push('committee');
    return out;
  },

  /** The organisations whose changes the actor may see on the calendar; undefined means every one. */
  readableOrganisations(actor: Actor): readonly string[] | undefined {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer') ? undefined : Actor.organisations(actor);
  },
};
