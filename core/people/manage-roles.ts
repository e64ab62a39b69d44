import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { formatDay } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import { isOrgRole, type Person, type Role, type RoleGrant } from '../kernel/person.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { changeTicketStatus } from '../tickets/change-ticket-status.ts';
import { Policy } from '../tickets/policy.ts';
import { CertificationTerm } from './certification-term.ts';
import { recordDecision } from './decisions.ts';
import { t } from './messages.ts';

/** Certifications of the committee that expire and are renewed (vendors' expire per company). */
export const EXPIRING_ROLES: readonly Role[] = ['volunteer', 'moderator'];
export const expires = (role: Role): boolean => EXPIRING_ROLES.includes(role);

async function personByHandle(ctx: UseCaseContext, handle: string) {
  const p = await ctx.repos.people.findPersonByHandle(handle.replace(/^@/, '').toLowerCase());
  if (!p) throw new DomainError('person_not_found', { handle });
  return p;
}

type RoleInput = { readonly handle: string; readonly role: Role; readonly organisationId?: string | null; readonly reason: string };

/**
 * Grants a role (the committee certifies volunteers, moderators, the committee; moderators may
 * add members to organisations). Volunteers' and moderators' certifications run 12 months;
 * certifying someone who already holds the role renews it. The decision is recorded with who
 * and why and announced in the committee channel. Vendor members join through their company
 * (core/vendors), never with a bare `vendor` grant.
 */
export async function grantRole(
  ctx: UseCaseContext,
  input: RoleInput & { readonly decision?: 'certify' | 'reinstate' },
): Promise<RoleGrant> {
  Policy.assertGrant(ctx.actor, input.role);
  if (input.role === 'vendor') throw new DomainError('invalid_input', { field: 'role', max: 0 });
  const person = await personByHandle(ctx, input.handle);
  const organisationId = input.organisationId ?? null;
  if (isOrgRole(input.role) !== (organisationId !== null)) throw new DomainError('invalid_input', { field: 'organisation', max: 0 });
  const active = await ctx.repos.people.activeGrants(person.id);
  const existing = active.find((g) => g.role === input.role && g.organisationId === organisationId);
  if (existing && expires(input.role)) return renewRole(ctx, person, existing, input.reason);
  if (existing) throw new DomainError('already_exists', { name: person.displayName, role: input.role });
  const now = ctx.clock.now();
  const grant = await ctx.repos.people.grantRole({
    personId: person.id,
    role: input.role,
    organisationId,
    grantedBy: ctx.actor.personId === 'system' ? null : ctx.actor.personId,
    grantedAt: now,
    reason: input.reason.trim() || '—',
    expiresAt: expires(input.role) ? CertificationTerm.expiry(now) : null,
  });
  if (!isOrgRole(input.role)) {
    await recordDecision(ctx, {
      subjectKind: 'person',
      subjectId: person.id,
      subjectLabel: `@${person.handle}`,
      decision: input.decision ?? 'certify',
      role: input.role,
      reason: grant.reason,
      validUntil: grant.expiresAt,
    });
  }
  const until = grant.expiresAt;
  // An organisation's member is added, not certified; a grant from the CLI is an operator's act, not the committee's.
  const org = organisationId ? neutralizeMentions((await ctx.repos.people.findOrganisation(organisationId))?.name ?? '—') : undefined;
  const role = (l: Locale) => t(l, `role.${input.role}`);
  await ctx.notifier.toChannels('committee', (l) => {
    const params = { ...who(person), role: role(l), by: grantedBy(ctx, l), reason: neutralizeMentions(grant.reason) };
    if (org !== undefined) return { text: t(l, 'committee.member_added', { ...params, org }) };
    return { text: t(l, until ? 'committee.granted_until' : 'committee.granted', { ...params, until: until ? formatDay(l, until) : '' }) };
  });
  await ctx.notifier.toPerson(person.id, (l) => {
    if (org !== undefined) return { text: t(l, 'notice.org_role_granted', { role: role(l), org, by: grantedBy(ctx, l) }) };
    if (Actor.isSystem(ctx.actor))
      return {
        text: until
          ? t(l, 'notice.role_assigned_until', { role: role(l), until: formatDay(l, until), by: grantedBy(ctx, l) })
          : t(l, 'notice.role_assigned', { role: role(l), by: grantedBy(ctx, l) }),
      };
    return {
      text: until
        ? t(l, 'notice.role_granted_until', { role: role(l), until: formatDay(l, until) })
        : t(l, 'notice.role_granted', { role: role(l) }),
    };
  });
  return grant;
}

/** Who decided, as the announcements say it: the person in chat, or the operator at the command line. */
function grantedBy(ctx: UseCaseContext, l: Locale): string {
  return Actor.isSystem(ctx.actor) ? t(l, 'grant.by_operator') : neutralizeMentions(ctx.actor.displayName);
}

/** Renews a certification for a full term after its current expiry (from now once lapsed). */
async function renewRole(ctx: UseCaseContext, person: Person, grant: RoleGrant, reason: string): Promise<RoleGrant> {
  const now = ctx.clock.now();
  const renewed = await ctx.repos.certifications.renewGrant(grant.id, CertificationTerm.renewal(grant.expiresAt, now));
  if (!renewed?.expiresAt) throw new DomainError('role_not_held', { handle: `@${person.handle}`, role: grant.role });
  const until = renewed.expiresAt;
  const why = reason.trim() || '—';
  await recordDecision(ctx, {
    subjectKind: 'person',
    subjectId: person.id,
    subjectLabel: `@${person.handle}`,
    decision: 'renew',
    role: grant.role,
    reason: why,
    validUntil: until,
  });
  await ctx.notifier.toChannels('committee', (l) => ({
    text: t(l, 'committee.renewed', {
      ...who(person),
      role: t(l, `role.${grant.role}`),
      until: formatDay(l, until),
      by: grantedBy(ctx, l),
      reason: neutralizeMentions(why),
    }),
  }));
  await ctx.notifier.toPerson(person.id, (l) => ({
    text: Actor.isSystem(ctx.actor)
      ? t(l, 'notice.role_renewed_by', { role: t(l, `role.${grant.role}`), until: formatDay(l, until), by: grantedBy(ctx, l) })
      : t(l, 'notice.role_renewed', { role: t(l, `role.${grant.role}`), until: formatDay(l, until) }),
  }));
  return renewed;
}

/**
 * Revokes (or suspends) a role with a reason (required); recorded and announced like a grant. A
 * suspended certification is reinstated with `grantRole(…, decision: 'reinstate')`.
 */
export async function revokeRole(ctx: UseCaseContext, input: RoleInput & { readonly decision?: 'revoke' | 'suspend' }): Promise<number> {
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
  const decision = input.decision ?? 'revoke';
  if (!isOrgRole(input.role)) {
    await recordDecision(ctx, {
      subjectKind: 'person',
      subjectId: person.id,
      subjectLabel: `@${person.handle}`,
      decision,
      role: input.role,
      reason,
    });
  }
  if (input.role === 'volunteer') await releaseTickets(ctx, person.id, reason);
  const [announce, notice] =
    decision === 'suspend'
      ? (['committee.suspended', 'notice.role_suspended'] as const)
      : (['committee.revoked', 'notice.role_revoked'] as const);
  await ctx.notifier.toChannels('committee', (l) => ({
    text: t(l, announce, {
      ...who(person),
      role: t(l, `role.${input.role}`),
      by: grantedBy(ctx, l),
      reason: neutralizeMentions(reason),
    }),
  }));
  await ctx.notifier.toPerson(person.id, (l) => ({ text: t(l, notice, { role: t(l, `role.${input.role}`), reason }) }));
  return n;
}

const who = (p: Person) => ({ name: neutralizeMentions(p.displayName), handle: p.handle });

/**
 * A volunteer who is no longer certified (revoked, suspended, lapsed) keeps no ticket: each open
 * one goes back to the queue (card redrawn with Claim, requester told), with the reason.
 */
export async function releaseTickets(ctx: UseCaseContext, personId: string, reason: string): Promise<void> {
  const held = await ctx.repos.tickets.list({ assigneeId: personId, statuses: ['assigned', 'in_progress', 'pending'], limit: 1000 });
  // Vendor-tier tickets a person works as a vendor member are not theirs as a volunteer.
  for (const ticket of held.filter((x) => x.tier === 'volunteer')) await changeTicketStatus(ctx, ticket.ref, 'unclaim', reason);
}
