/**
 * What the reports say, computed in SQL over the real records every time (no counters kept by
 * hand that could drift). A period is `[from, to)`.
 */
import type { Role } from '../kernel/person.ts';
import type { TicketKind, Tier } from '../kernel/ticket.ts';

export interface Period {
  readonly from: Date;
  readonly to: Date;
}

export interface TargetFigures {
  /** Targets that concluded in the period (claimed for response, resolved for resolution). */
  readonly concluded: number;
  /** Of those, how many had breached. */
  readonly breached: number;
  /** Share met, 0–100 with one decimal; null when nothing concluded. */
  readonly metPct: number | null;
}

/** Why a target was breached, read from the ticket at the moment of the breach. */
export type BreachCause = 'not_claimed' | 'volunteer_work' | 'vendor_work' | 'waiting';

export interface Breach {
  readonly ref: string;
  readonly target: 'response' | 'resolution';
  readonly tier: Tier;
  readonly priority: number;
  readonly cause: BreachCause;
  readonly at: Date;
}

export interface VendorOnTime {
  readonly vendorRef: string;
  readonly vendorName: string;
  readonly engagements: number;
  readonly onTime: number;
  readonly pct: number | null;
}

/** The committee's weekly flow report. */
export interface FlowReport {
  readonly period: Period;
  readonly opened: Readonly<Record<TicketKind, number>>;
  readonly closed: Readonly<Record<TicketKind, number>>;
  readonly response: TargetFigures;
  readonly resolution: TargetFigures;
  /** Open tickets still unclaimed at the end of the period whose response target had passed. */
  readonly unclaimedOverTarget: readonly { readonly ref: string; readonly priority: number; readonly openedAt: Date }[];
  readonly breaches: readonly Breach[];
  /** Certifications of people expiring within 30 days of the period's end. */
  readonly certificationsExpiring: readonly { readonly name: string; readonly role: Role; readonly expiresAt: Date }[];
  readonly complaintsOpen: readonly { readonly ref: string; readonly subject: string; readonly filedAt: Date }[];
  readonly vendorsOnTime: readonly VendorOnTime[];
}

export interface Durations {
  readonly count: number;
  /** Wall-clock hours, median and 90th percentile; null when there is none. */
  readonly p50Hours: number | null;
  readonly p90Hours: number | null;
}

/** The observers' monthly report: aggregated, no organisation named unless it agreed. */
export interface ObserverReport {
  readonly period: Period;
  readonly servedByTier: Readonly<Record<Tier, number>>;
  readonly organisationsServed: number;
  /** Organisations that agreed to be named, with the requests served. */
  readonly namedOrganisations: readonly { readonly name: string; readonly served: number }[];
  readonly response: Durations;
  readonly resolution: Durations;
  readonly satisfaction: { readonly ratings: number; readonly average: number | null };
  readonly deflection: { readonly offers: number; readonly solved: number; readonly pct: number | null };
  readonly volunteerHours: { readonly hours: number; readonly ticketsWithTime: number; readonly ticketsWithoutTime: number };
  readonly vendorEngagements: { readonly count: number; readonly valueCents: number };
}

/** Reports over one organisation, or every one. */
export interface ReportScope {
  readonly organisationId?: string;
}
