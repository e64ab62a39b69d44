import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Organisation } from '../kernel/person.ts';

const CODE_TTL_MS = 30 * 60 * 1000;
const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
// No 0/O, 1/I/L: codes are read aloud and typed on phones.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** 8 characters from a 31-letter alphabet: ~40 bits, single use, short-lived. */
export function newCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return Array.from(random(8), (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** A code the person types on another platform to prove both accounts are theirs. */
export async function createLinkCode(ctx: UseCaseContext): Promise<string> {
  const code = newCode();
  const expires = new Date(ctx.clock.now().getTime() + CODE_TTL_MS);
  await ctx.repos.linkCodes.create(code, { kind: 'link', personId: ctx.actor.personId }, expires);
  return code;
}

/** An invitation to join an organisation; made by its ICT lead or a moderator. */
export async function createInvite(
  ctx: UseCaseContext,
  fiscalCode: string,
  role: 'requester' | 'ict_lead',
): Promise<{ code: string; organisation: Organisation }> {
  const organisation = await ctx.repos.people.findOrganisationByFiscalCode(fiscalCode.trim().toUpperCase());
  if (!organisation) throw new DomainError('organisation_not_found', { code: fiscalCode });
  const isLead = ctx.actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === organisation.id);
  if (!Actor.isStaff(ctx.actor) && !isLead) throw new DomainError('forbidden');
  const code = newCode();
  const expires = new Date(ctx.clock.now().getTime() + INVITE_TTL_MS);
  await ctx.repos.linkCodes.create(code, { kind: 'invite', organisationId: organisation.id, role, createdBy: ctx.actor.personId }, expires);
  return { code, organisation };
}

/**
 * Uses a code: a link code moves the current platform account to the person who made the code
 * (the temporary person created at first contact stays behind, empty); an invite grants
 * membership of the organisation.
 */
export async function redeemCode(
  ctx: UseCaseContext,
  typed: string,
): Promise<{ kind: 'link' } | { kind: 'invite'; organisationName: string }> {
  const now = ctx.clock.now();
  const purpose = await ctx.repos.linkCodes.consume(typed.trim().toUpperCase(), now, ['link', 'invite']);
  if (!purpose || purpose.kind === 'enrol') throw new DomainError('invalid_code');
  if (purpose.kind === 'link') {
    if (purpose.personId === ctx.actor.personId) return { kind: 'link' };
    // Moving this account's identities would strand its own roles and tickets on a person
    // nobody can reach any more: link from the account that has nothing yet.
    const ownTickets = await ctx.repos.tickets.list({ requesterId: ctx.actor.personId, limit: 1 });
    if (ctx.actor.roles.length > 0 || ownTickets.length > 0) throw new DomainError('link_would_orphan');
    const mine = await ctx.repos.people.listIdentities(ctx.actor.personId);
    for (const i of mine) await ctx.repos.people.linkIdentity({ ...i, personId: purpose.personId, lastSeenAt: now });
    return { kind: 'link' };
  }
  const org = await ctx.repos.people.findOrganisation(purpose.organisationId);
  if (!org) throw new DomainError('invalid_code');
  const already = ctx.actor.roles.some((r) => r.role === purpose.role && r.organisationId === org.id);
  if (!already)
    await ctx.repos.people.grantRole({
      personId: ctx.actor.personId,
      role: purpose.role,
      organisationId: org.id,
      grantedBy: purpose.createdBy,
      grantedAt: now,
      reason: 'invite code',
    });
  return { kind: 'invite', organisationName: org.name };
}
