import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Organisation, Person } from '../kernel/person.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { vendorByRef } from './decide-vendor.ts';
import { t } from './messages.ts';
import type { Vendor } from './model.ts';
import { VendorPolicy } from './vendor-policy.ts';

/**
 * Adds a person to a vendor company: they hold the `vendor` role for it (recorded with who
 * added them), see its engaged tickets, quote and work them. A member adds colleagues; staff
 * add anyone.
 */
export async function addVendorMember(ctx: UseCaseContext, vendorRef: string, handle: string): Promise<{ vendor: Vendor; person: Person }> {
  const vendor = await vendorByRef(ctx, vendorRef);
  VendorPolicy.assertAddMember(ctx.actor, vendor.id);
  const person = await ctx.repos.people.findPersonByHandle(handle.replace(/^@/, '').toLowerCase());
  if (!person) throw new DomainError('person_not_found', { handle: handle.slice(0, 40) });
  const added = await ctx.repos.vendors.addMember(
    vendor.id,
    person.id,
    Actor.recordedId(ctx.actor),
    t(ctx.defaultLocale, 'vendor.member.added', { by: ctx.actor.displayName }),
    ctx.clock.now(),
  );
  if (!added) throw new DomainError('already_exists', { name: person.displayName, role: vendor.ref });
  await ctx.notifier.toPerson(person.id, (l) => ({
    text: t(l, 'vendor.member.welcome', { vendor: neutralizeMentions(vendor.name), ref: vendor.ref }),
  }));
  return { vendor, person };
}

/**
 * Sets (or, with null, removes) an organisation's spending cap per engagement: quotes above it
 * need a moderator's approval after the ICT lead's. Moderators and the committee set it.
 */
export async function setBudgetCap(ctx: UseCaseContext, fiscalCode: string, cents: number | null): Promise<Organisation> {
  VendorPolicy.assertStaff(ctx.actor);
  const org = await ctx.repos.people.findOrganisationByFiscalCode(fiscalCode.trim().toUpperCase());
  if (!org) throw new DomainError('organisation_not_found', { code: fiscalCode.slice(0, 20) });
  await ctx.repos.vendors.setBudgetCap(org.id, cents, Actor.recordedId(ctx.actor), ctx.clock.now());
  return org;
}
