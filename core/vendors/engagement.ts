/**
 * An engagement: a nonprofit's request for a vendor on one ticket, through proposal, choice,
 * quote and approval to the paid work. At most one live engagement per ticket.
 *
 * requested → proposed → picked → quoted → (awaiting_second_approval →) active
 *                 ↑ (re-proposed)              ↘ declined
 * picked, quoted, awaiting_second_approval, active → handed_back (the vendor suspended, revoked, lapsed)
 * requested, proposed → cancelled
 */
import { DomainError } from '../kernel/errors.ts';
import type { VendorCategory } from './model.ts';

export const ENGAGEMENT_STATUSES = [
  'requested',
  'proposed',
  'picked',
  'quoted',
  'awaiting_second_approval',
  'active',
  'declined',
  'cancelled',
  'handed_back',
] as const;
export type EngagementStatus = (typeof ENGAGEMENT_STATUSES)[number];

/** Statuses in which a ticket's engagement is still under way (one per ticket). */
export const LIVE_ENGAGEMENT: readonly EngagementStatus[] = [
  'requested',
  'proposed',
  'picked',
  'quoted',
  'awaiting_second_approval',
  'active',
];

export interface Quote {
  readonly amountCents: number;
  readonly days: number;
  readonly note: string;
  readonly by: string;
  readonly at: Date;
}

export interface Engagement {
  readonly id: string;
  readonly ticketId: string;
  readonly organisationId: string;
  readonly status: EngagementStatus;
  readonly category: VendorCategory | null;
  readonly region: string | null;
  readonly requestedBy: string | null;
  readonly requestedAt: Date;
  /** Up to three certified vendors the moderators proposed. */
  readonly proposedVendorIds: readonly string[];
  readonly proposedBy: string | null;
  /** The vendor the nonprofit picked. */
  readonly vendorId: string | null;
  readonly pickedBy: string | null;
  readonly quote: Quote | null;
  readonly approvedBy: string | null;
  readonly secondApprovedBy: string | null;
  /** When the ticket moved to the vendor tier (the vendor SLA's start). */
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
  readonly updatedAt: Date;
}

/** A step of the flow, named as in the `action.<step>` messages. */
export type EngagementStep = 'propose' | 'pick' | 'quote' | 'approve_quote' | 'second_approve' | 'decline' | 'hand_back' | 'cancel';

const FLOW: Readonly<Record<EngagementStep, { readonly from: readonly EngagementStatus[]; readonly to: readonly EngagementStatus[] }>> = {
  propose: { from: ['requested', 'proposed'], to: ['proposed'] },
  pick: { from: ['proposed'], to: ['picked'] },
  quote: { from: ['picked'], to: ['quoted'] },
  // Within the organisation's spending cap the ICT lead's approval starts the work; above it a moderator approves too.
  approve_quote: { from: ['quoted'], to: ['active', 'awaiting_second_approval'] },
  second_approve: { from: ['awaiting_second_approval'], to: ['active'] },
  decline: { from: ['quoted', 'awaiting_second_approval'], to: ['declined'] },
  hand_back: { from: ['picked', 'quoted', 'awaiting_second_approval', 'active'], to: ['handed_back'] },
  cancel: { from: ['requested', 'proposed'], to: ['cancelled'] },
};

/** A fresh request for a vendor on a ticket: nothing proposed, picked or quoted yet. */
export function newRequest(r: {
  readonly ticketId: string;
  readonly organisationId: string;
  readonly category: Engagement['category'];
  readonly region: Engagement['region'];
  readonly requestedBy: string | null;
  readonly requestedAt: Date;
}): Omit<Engagement, 'id' | 'updatedAt'> {
  return {
    ...r,
    status: 'requested',
    proposedVendorIds: [],
    proposedBy: null,
    vendorId: null,
    pickedBy: null,
    quote: null,
    approvedBy: null,
    secondApprovedBy: null,
    startedAt: null,
    endedAt: null,
    endReason: null,
  };
}

export const EngagementFlow = {
  isLive(status: EngagementStatus): boolean {
    return LIVE_ENGAGEMENT.includes(status);
  },
  allowed(status: EngagementStatus, step: EngagementStep): boolean {
    return FLOW[step].from.includes(status);
  },
  targets(step: EngagementStep): readonly EngagementStatus[] {
    return FLOW[step].to;
  },
  /**
   * Refuses a step out of order (approve twice, quote after a rejection…) with a message that
   * names the step and where the request stands; nothing is changed.
   */
  assert(e: Pick<Engagement, 'status'>, step: EngagementStep, ticketRef: string): void {
    if (!EngagementFlow.allowed(e.status, step))
      throw new DomainError('engagement_state', { ref: ticketRef, action: step, state: e.status });
  },
};

/** Euro amounts as typed (`350`, `1.250,50`, `99.9`) in cents; undefined when not an amount. */
export function parseAmount(typed: string): number | undefined {
  const s = typed.replace(/€|eur/gi, '').trim();
  if (!/^\d{1,3}(\.\d{3})*(,\d{1,2})?$|^\d+([.,]\d{1,2})?$/.test(s)) return undefined;
  const normal = /,\d{1,2}$/.test(s) || /^\d{1,3}(\.\d{3})+$/.test(s) ? s.replace(/\./g, '').replace(',', '.') : s.replace(',', '.');
  const cents = Math.round(Number(normal) * 100);
  return Number.isFinite(cents) && cents > 0 && cents <= 100_000_000 ? cents : undefined;
}

/** Cents as euros in the reader's way ("€ 1.250,50", "€1,250.50"). */
export function formatAmount(locale: 'it' | 'en', cents: number): string {
  // A plain space before "€": no-break spaces turn into odd characters when people copy them.
  return new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-GB', { style: 'currency', currency: 'EUR', useGrouping: 'always' })
    .format(cents / 100)
    .replace(/[\u00a0\u202f]/g, ' ');
}
