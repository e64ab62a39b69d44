import type { Repositories } from '../kernel/ports.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { loadSlaContext, type SlaContext, ticketSlaSummary } from '../sla/sla-events.ts';
import type { Vendor } from './model.ts';

/** A vendor's record, as the register, the committee and `sportello vendor show --json` show it. */
export interface VendorStats {
  /** Engagements whose quote was approved (the work started). */
  readonly engagements: number;
  /** Of those, still under way. */
  readonly active: number;
  /** Of those, finished (the ticket resolved or closed at the vendor tier). */
  readonly finished: number;
  /** Handed back (the vendor suspended, revoked or lapsed mid-way). */
  readonly handedBack: number;
  /** Share of finished engagements whose first response met the vendor SLA, 0–1; null before any. */
  readonly responseOnTime: number | null;
  /** Share of finished engagements resolved within the vendor SLA, 0–1; null before any. */
  readonly resolutionOnTime: number | null;
  readonly rating: number | null;
  readonly reviews: number;
  readonly complaints: number;
  readonly openComplaints: number;
}

const share = (met: number, of: number): number | null => (of === 0 ? null : Math.round((met / of) * 1000) / 1000);

/**
 * The vendor's figures. On-time rates come from the same SLA clocks as the volunteers' (business
 * calendar, pauses), counted from the move to the vendor tier: a target counts as met when its
 * clock stopped within it.
 */
export async function vendorStats(repos: Repositories, vendor: Vendor, now: Date, sla?: SlaContext): Promise<VendorStats> {
  const context = sla ?? (await loadSlaContext(repos));
  const [engagements, reviews, complaints] = await Promise.all([
    repos.vendors.listEngagements({ vendorId: vendor.id, statuses: ['active', 'handed_back'] }),
    repos.vendors.reviewSummaries([vendor.id]),
    repos.vendors.countComplaints(vendor.id),
  ]);
  const started = engagements.filter((e) => e.startedAt !== null);
  let finished = 0;
  let responseMet = 0;
  let resolutionMet = 0;
  let active = 0;
  for (const e of started.filter((x) => x.status === 'active')) {
    const ticket = await repos.tickets.findById(e.ticketId);
    if (!ticket || !isVendorWork(ticket, vendor)) continue;
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') {
      active++;
      continue;
    }
    finished++;
    const summary = await ticketSlaSummary(repos, ticket, now, context);
    if (summary.response.state === 'met') responseMet++;
    if (summary.resolution.state === 'met') resolutionMet++;
  }
  const r = reviews.get(vendor.id);
  return {
    engagements: started.length,
    active,
    finished,
    handedBack: started.filter((e) => e.status === 'handed_back').length,
    responseOnTime: share(responseMet, finished),
    resolutionOnTime: share(resolutionMet, finished),
    rating: r?.average ?? null,
    reviews: r?.count ?? 0,
    complaints: complaints.total,
    openComplaints: complaints.open,
  };
}

function isVendorWork(ticket: Ticket, vendor: Vendor): boolean {
  return ticket.tier === 'vendor' && ticket.vendorId === vendor.id;
}
