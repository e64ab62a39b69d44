/**
 * The vendors feature's buttons (`vendor.<what>`) and the feature declaration. Every button
 * runs the same use case as its command, so a forged or repeated press is refused the same way.
 */

import type { Feature } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Turn } from '../kernel/turn.ts';
import { committeeCommands } from './committee-commands.ts';
import { checkDecision, VENDOR_DECISIONS, type VendorDecision } from './decide-vendor.ts';
import { t } from './messages.ts';
import { RegisterRef } from './model.ts';
import { pickVendor, proposeVendors } from './propose-and-pick.ts';
import { decideQuote } from './quote.ts';
import { reviewVendor } from './review-vendor.ts';
import { vendorCommands } from './vendor-commands.ts';
import { askReason, askReviewComment, finishApplication, vendorDialogs } from './vendor-dialogs.ts';
import { VendorPolicy } from './vendor-policy.ts';

/** `INC-000042:FOR-000003` → the two halves. */
function pair(value: string): [string, string] {
  const i = value.indexOf(':');
  return i < 0 ? [value, ''] : [value.slice(0, i), value.slice(i + 1)];
}

async function handleVendorAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const ctx = turn.ctx;
  switch (action.id) {
    case 'vendor.decide': {
      const [decision, ref] = pair(action.value);
      if (!(VENDOR_DECISIONS as readonly string[]).includes(decision)) throw new DomainError('invalid_input', { field: 'action', max: 0 });
      const vendor = await checkDecision(ctx, ref, decision as VendorDecision);
      return askReason(turn, decision as VendorDecision, vendor.ref);
    }
    case 'vendor.case': {
      VendorPolicy.assertCommittee(ctx.actor);
      const ref = RegisterRef.parse('complaint', action.value);
      const found = ref ? await ctx.repos.vendors.findComplaintByRef(ref) : undefined;
      if (!found) throw new DomainError('case_not_found', { ref: action.value.slice(0, 20) });
      if (found.status !== 'open') throw new DomainError('case_closed', { ref: found.ref });
      return askReason(turn, 'close_case', found.ref);
    }
    case 'vendor.apply':
      return finishApplication(turn, action.value === 'send');
    case 'vendor.propose': {
      const [ref, list] = pair(action.value);
      const r = await proposeVendors(ctx, ref, list.split(',').filter(Boolean));
      return turn.say(t(turn.locale, 'ok.proposed', { ref: r.ticket.ref, vendors: r.vendors.map((v) => `${v.ref} ${v.name}`).join(', ') }));
    }
    case 'vendor.pick': {
      const [ref, vendorRef] = pair(action.value);
      const r = await pickVendor(ctx, ref, vendorRef);
      return turn.say(t(turn.locale, 'ok.picked', { ref: r.ticket.ref, vendor: r.vendor.name }));
    }
    case 'vendor.approve':
    case 'vendor.decline': {
      const approve = action.id === 'vendor.approve';
      const e = await decideQuote(ctx, action.value, approve);
      const key = e.status === 'awaiting_second_approval' ? 'ok.quote_second' : approve ? 'ok.quote_approved' : 'ok.quote_declined';
      return turn.say(t(turn.locale, key, { ref: action.value }));
    }
    case 'vendor.review': {
      const [ref, stars] = pair(action.value);
      const r = await reviewVendor(ctx, ref, Number(stars));
      await askReviewComment(turn, r.ticket.ref);
      return turn.say(t(turn.locale, 'review.ask_comment', { ref: r.ticket.ref, vendor: r.vendor.name }));
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

export const vendorsFeature: Feature = {
  name: 'vendors',
  commands: [...vendorCommands, ...committeeCommands],
  actions: [{ prefix: 'vendor.', handle: handleVendorAction }],
  dialogs: vendorDialogs,
};
