import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { formatDay } from '../kernel/format.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { CertificationTerm } from '../people/certification-term.ts';
import { recordDecision } from '../people/decisions.ts';
import type { DecisionKind } from '../people/ports.ts';
import { handBackEngagements } from './hand-back.ts';
import { t } from './messages.ts';
import { RegisterRef, Vendor, type VendorStatus } from './model.ts';
import { applicationCard, applicationRef } from './register-vendor.ts';
import { VendorPolicy } from './vendor-policy.ts';

export const VENDOR_DECISIONS = ['approve', 'reject', 'renew', 'suspend', 'reinstate', 'revoke'] as const;
export type VendorDecision = (typeof VENDOR_DECISIONS)[number];

/** From which standing each decision applies, and the standing it leaves. */
const MOVES: Readonly<Record<VendorDecision, { readonly from: readonly VendorStatus[]; readonly to: VendorStatus }>> = {
  approve: { from: ['applied'], to: 'certified' },
  reject: { from: ['applied'], to: 'rejected' },
  renew: { from: ['certified', 'lapsed'], to: 'certified' },
  suspend: { from: ['certified'], to: 'suspended' },
  reinstate: { from: ['suspended'], to: 'certified' },
  revoke: { from: ['applied', 'certified', 'suspended', 'lapsed'], to: 'revoked' },
};

/** The vendor named by what was typed (`FOR-000003`, `for 3`), or `vendor_not_found`. */
export async function vendorByRef(ctx: Pick<UseCaseContext, 'repos'>, typed: string): Promise<Vendor> {
  const ref = RegisterRef.parse('vendor', typed);
  const vendor = ref ? await ctx.repos.vendors.findVendorByRef(ref) : undefined;
  if (!vendor) throw new DomainError('vendor_not_found', { ref: typed.trim().slice(0, 20) });
  return vendor;
}

/** Refuses at once a decision that cannot apply (a stale button): asked before the reason is typed. */
export async function checkDecision(ctx: UseCaseContext, typedRef: string, decision: VendorDecision): Promise<Vendor> {
  VendorPolicy.assertCommittee(ctx.actor);
  const vendor = await vendorByRef(ctx, typedRef);
  if (!MOVES[decision].from.includes(vendor.status))
    throw new DomainError('vendor_state', { ref: vendor.ref, action: decision, standing: vendor.status });
  return vendor;
}

/**
 * A decision of the committee on a vendor, always with a reason: approve or reject an
 * application, renew (a new 12-month term from the current expiry, or from now once lapsed),
 * suspend, reinstate, revoke. Recorded in the ledger, announced in the committee channel, told to
 * the company's members; suspending or revoking hands the vendor's open engagements back to the
 * moderators and tells the nonprofits concerned. A decision that does not fit the vendor's
 * standing (approve twice, reinstate a vendor never suspended) changes nothing.
 */
export async function decideVendor(ctx: UseCaseContext, typedRef: string, decision: VendorDecision, reasonTyped: string): Promise<Vendor> {
  VendorPolicy.assertCommittee(ctx.actor);
  const reason = reasonTyped.trim();
  if (!reason || reason.length > 500) throw new DomainError('invalid_input', { field: 'reason', max: 500 });
  const vendor = await vendorByRef(ctx, typedRef);
  const move = MOVES[decision];
  const refuse = () => new DomainError('vendor_state', { ref: vendor.ref, action: decision, standing: vendor.status });
  if (!move.from.includes(vendor.status)) throw refuse();
  const now = ctx.clock.now();
  const until =
    decision === 'approve'
      ? CertificationTerm.expiry(now)
      : decision === 'renew'
        ? CertificationTerm.renewal(vendor.status === 'certified' ? vendor.certifiedUntil : null, now)
        : decision === 'reinstate' && (!vendor.certifiedUntil || vendor.certifiedUntil <= now)
          ? CertificationTerm.expiry(now)
          : undefined;
  const updated = await ctx.repos.vendors.updateVendor(
    vendor.id,
    [vendor.status],
    { status: move.to, ...(until ? { certifiedUntil: until } : {}) },
    now,
  );
  if (!updated) throw refuse();

  const kind: DecisionKind = decision;
  await recordDecision(ctx, {
    subjectKind: 'vendor',
    subjectId: vendor.id,
    subjectLabel: Vendor.label(vendor),
    decision: kind,
    reason,
    ...(until ? { validUntil: until } : {}),
  });
  const params = (l: 'it' | 'en') => ({
    ref: vendor.ref,
    name: neutralizeMentions(vendor.name),
    by: ctx.actor.displayName,
    reason: neutralizeMentions(reason),
    until: updated.certifiedUntil ? formatDay(l, updated.certifiedUntil) : '—',
  });
  await ctx.notifier.toChannels('committee', (l) => ({ text: t(l, `committee.vendor.${decision}`, params(l)) }));
  if (decision === 'approve' || decision === 'reject') {
    const applicant = vendor.appliedBy ? await ctx.repos.people.findPerson(vendor.appliedBy) : undefined;
    await ctx.notifier.toChannels('committee', (l) => applicationCard(l, updated, applicant?.displayName ?? null), {
      ref: applicationRef(vendor),
    });
  }
  for (const id of await ctx.repos.vendors.memberIds(vendor.id)) {
    await ctx.notifier.toPerson(id, (l) => ({ text: t(l, `vendor.notice.${decision}`, params(l)) }));
  }
  if (decision === 'suspend' || decision === 'revoke') await handBackEngagements(ctx, updated, reason);
  return updated;
}
