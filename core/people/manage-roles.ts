import { t } from './messages.ts';
import { DomainError } from '../kernel/errors.ts';
import { isOrgRole, type Role, type RoleGrant } from '../kernel/person.ts';
import { Policy } from '../tickets/policy.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { changeTicketStatus } from '../tickets/change-ticket-status.ts';
import type { UseCaseContext } from '../kernel/context.ts';

async function personByHandle(ctx: UseCaseContext, handle: string) {
  const p = await ctx.repos.people.findPersonByHandle(handle.replace(/^@/, '').toLowerCase());
  if (!p) throw new DomainError('person_not_found', { handle });
  return p;
}

/**
 * Grants a role (the committee certifies volunteers, moderators, vendors; moderators may add
 * members to organisations). The decision is recorded with who and why and announced in the
 * committee channel.
 */
export async function grantRole(
  ctx: UseCaseContext,
  input: { readonly handle: string; readonly role: Role; readonly organisationId?: string | null; readonly reason: string },
): Promise<RoleGrant> {
  Policy.assertGrant(ctx.actor, input.role);
  const person = await personByHandle(ctx, input.handle);
  const organisationId = input.organisationId ?? null;
  if (isOrgRole(input.role) !== (organisationId !== null)) throw new DomainError('invalid_input', { field: 'organisation', max: 0 });
  const active = await ctx.repos.people.activeGrants(person.id);
  const existing = active.find((g) => g.role === input.role && g.organisationId === organisationId);
  if (existing) throw new DomainError('already_exists', { name: person.displayName, role: input.role });
  const now = ctx.clock.now();
  const grant = await ctx.repos.people.grantRole({
    personId: person.id,
    role: input.role,
    organisationId,
    grantedBy: ctx.actor.personId === 'system' ? null : ctx.actor.personId,
    grantedAt: now,
    reason: input.reason.trim() || '—',
  });
  await ctx.notifier.toChannels('committee', (l) => ({
    text: t(l, 'committee.granted', {
      name: neutralizeMentions(person.displayName),
      handle: person.handle,
      role: t(l, `role.${input.role}`),
      by: ctx.actor.displayName,
      reason: neutralizeMentions(grant.reason),
    }),
  }));
  await ctx.notifier.toPerson(person.id, (l) => ({ text: t(l, 'notice.role_granted', { role: t(l, `role.${input.role}`) }) }));
  return grant;
}

/** Revokes a role with a reason (required); recorded and announced like a grant. */
export async function revokeRole(
  ctx: UseCaseContext,
  input: { readonly handle: string; readonly role: Role; readonly organisationId?: string | null; readonly reason: string },
): Promise<number> {
  Policy.assertGrant(ctx.actor, input.role);
  const reason = input.reason.trim();
  if (!reason) throw new DomainError('invalid_input', { field: 'reason', max: 500 });
  const person = await personByHandle(ctx, input.handle);
  const n = await ctx.repos.people.revokeRole(
    person.id,
    input.role,
    input.organisationId ?? null,
    ctx.actor.personId === 'system' ? null : ctx.actor.personId,
    reason,
    ctx.clock.now(),
  );
  if (n === 0) throw new DomainError('role_not_held', { handle: `@${person.handle}`, role: input.role });
  if (input.role === 'volunteer') await releaseTickets(ctx, person.id, reason);
  await ctx.notifier.toChannels('committee', (l) => ({
    text: t(l, 'committee.revoked', {
      name: neutralizeMentions(person.displayName),
      handle: person.handle,
      role: t(l, `role.${input.role}`),
      by: ctx.actor.displayName,
      reason: neutralizeMentions(reason),
    }),
  }));
  await ctx.notifier.toPerson(person.id, (l) => ({ text: t(l, 'notice.role_revoked', { role: t(l, `role.${input.role}`), reason }) }));
  return n;
}

/**
 * A volunteer who is no longer certified keeps no ticket: each open one goes back to the queue
 * (card redrawn with Claim, requester told), as the committee's decision, with its reason.
 */
async function releaseTickets(ctx: UseCaseContext, personId: string, reason: string): Promise<void> {
  const held = await ctx.repos.tickets.list({ assigneeId: personId, statuses: ['assigned', 'in_progress', 'pending'], limit: 1000 });
  for (const ticket of held) await changeTicketStatus(ctx, ticket.ref, 'unclaim', reason);
}
