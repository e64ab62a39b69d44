import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { recordDecision } from '../people/decisions.ts';
import { vendorByRef } from './decide-vendor.ts';
import { t } from './messages.ts';
import { type Complaint, RegisterRef, Vendor } from './model.ts';
import { VendorPolicy } from './vendor-policy.ts';

export const COMPLAINT_MAX = 1000;
const caseRef = (c: Pick<Complaint, 'ref'>) => `case:${c.ref}`;

function caseCard(l: Locale, c: Complaint, filer: string): OutMessage {
  const open = c.status === 'open';
  return {
    title: t(l, 'complaint.title', { ref: c.ref, subject: neutralizeMentions(c.subjectLabel) }),
    text: open
      ? t(l, 'complaint.text', { reason: forChannel(c.reason, 800), by: neutralizeMentions(filer) })
      : t(l, 'complaint.closed_text', { reason: forChannel(c.reason, 800), decision: forChannel(c.decision ?? '', 800) }),
    ...(open ? { buttons: [{ actionId: 'vendor.case', value: c.ref, label: t(l, 'button.close_case'), style: 'primary' as const }] } : {}),
  };
}

/**
 * A complaint about a vendor (`FOR-000003`) or a certified person (`@handle`), by anyone taking
 * part: a case in the committee channel that the committee closes with a decision. Complaints
 * about volunteers follow the same path as those about vendors.
 */
export async function fileComplaint(ctx: UseCaseContext, subjectTyped: string, reasonTyped: string): Promise<Complaint> {
  VendorPolicy.assertRegisterReader(ctx.actor);
  const reason = reasonTyped.trim();
  if (!reason || reason.length > COMPLAINT_MAX) throw new DomainError('invalid_input', { field: 'reason', max: COMPLAINT_MAX });
  let subject: { kind: 'vendor' | 'person'; id: string; label: string };
  if (RegisterRef.parse('vendor', subjectTyped)) {
    const v = await vendorByRef(ctx, subjectTyped);
    subject = { kind: 'vendor', id: v.id, label: Vendor.label(v) };
  } else {
    const handle = subjectTyped.replace(/^@/, '').toLowerCase();
    const p = await ctx.repos.people.findPersonByHandle(handle);
    if (!p) throw new DomainError('person_not_found', { handle: subjectTyped.slice(0, 40) });
    subject = { kind: 'person', id: p.id, label: `@${p.handle}` };
  }
  const complaint = await ctx.repos.vendors.insertComplaint({
    ref: await ctx.repos.vendors.nextRef('complaint'),
    subjectKind: subject.kind,
    subjectId: subject.id,
    subjectLabel: subject.label,
    reason,
    filedBy: ctx.actor.personId,
    filedAt: ctx.clock.now(),
  });
  await ctx.notifier.toChannels('committee', (l) => caseCard(l, complaint, ctx.actor.displayName), { ref: caseRef(complaint) });
  return complaint;
}

/** The committee closes a case with its decision: recorded, the card updated, the complainant told. */
export async function closeComplaint(ctx: UseCaseContext, typedRef: string, decisionTyped: string): Promise<Complaint> {
  VendorPolicy.assertCommittee(ctx.actor);
  const decision = decisionTyped.trim();
  if (!decision || decision.length > COMPLAINT_MAX) throw new DomainError('invalid_input', { field: 'reason', max: COMPLAINT_MAX });
  const ref = RegisterRef.parse('complaint', typedRef);
  const found = ref ? await ctx.repos.vendors.findComplaintByRef(ref) : undefined;
  if (!found) throw new DomainError('case_not_found', { ref: typedRef.trim().slice(0, 20) });
  const closed = await ctx.repos.vendors.closeComplaint(found.id, decision, ctx.actor.personId, ctx.clock.now());
  if (!closed) throw new DomainError('case_closed', { ref: found.ref });
  await recordDecision(ctx, {
    subjectKind: 'complaint',
    subjectId: closed.id,
    subjectLabel: `${closed.ref} ${closed.subjectLabel}`,
    decision: 'close_case',
    reason: decision,
  });
  const filer = await ctx.repos.people.findPerson(closed.filedBy);
  await ctx.notifier.toChannels('committee', (l) => caseCard(l, closed, filer?.displayName ?? '—'), { ref: caseRef(closed) });
  await ctx.notifier.toChannels('committee', (l) => ({
    text: t(l, 'complaint.decided', {
      ref: closed.ref,
      subject: neutralizeMentions(closed.subjectLabel),
      by: ctx.actor.displayName,
      decision: forChannel(decision, 500),
    }),
  }));
  await ctx.notifier.toPerson(closed.filedBy, (l) => ({
    text: t(l, 'complaint.decided_filer', {
      ref: closed.ref,
      subject: neutralizeMentions(closed.subjectLabel),
      decision: forChannel(decision, 500),
    }),
  }));
  return closed;
}
