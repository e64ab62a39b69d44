/**
 * The dashboard's port: one-time login links, browser sessions and the overview query.
 * `db/dashboard.repository.ts` implements it. Tokens are made and hashed there (only their
 * SHA-256 is stored): core never sees randomness or hashing, and a copy of the database opens
 * nothing.
 */
import type { Severity } from '../alerts/model.ts';
import type { Priority, TicketKind, TicketStatus } from '../kernel/ticket.ts';
import type { SlaEventKind } from '../sla/sla-event-kind.ts';
import type { EngagementStatus } from '../vendors/engagement.ts';

/** Why a login link was refused: never issued (forged), already used, or past its expiry. */
export type LinkRefusal = 'unknown' | 'used' | 'expired';

export interface DashboardSession {
  readonly personId: string;
  readonly expiresAt: Date;
}

/** Which organisations the overview covers: every one, or these only. */
export type DashboardScope = { readonly all: true } | { readonly all: false; readonly organisationIds: readonly string[] };

export interface DashboardFilters {
  readonly organisationId?: string;
  /** The tickets' kind (incident, service request, change). */
  readonly kind?: TicketKind;
  readonly priority?: Priority;
}

/** What the overview query needs to know of the SLA rules (the morning digest's definitions). */
export interface DashboardSlaRules {
  /** Open tickets: statuses whose resolution clock counts or is paused. */
  readonly statuses: readonly TicketStatus[];
  /** Of those, the statuses whose resolution clock counts. */
  readonly counting: readonly TicketStatus[];
  /** A running target is at risk once an event of one of these kinds is due. */
  readonly riskKinds: readonly SlaEventKind[];
}

export interface OverviewQuery {
  readonly scope: DashboardScope;
  readonly filters: DashboardFilters;
  readonly sla: DashboardSlaRules;
  readonly now: Date;
  /** Live engagement statuses. */
  readonly liveEngagements: readonly EngagementStatus[];
  /** How many rows each list holds at most. */
  readonly limit: number;
  /** Committee decisions taken since. */
  readonly decisionsSince: Date;
}

export interface OrganisationCount {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly warn: number;
  readonly crit: number;
}

export interface OverviewAlert {
  readonly ref: string;
  readonly organisationName: string;
  readonly severity: Severity;
  readonly kind: string;
  readonly target: string;
  readonly state: string;
  readonly openedAt: Date;
}

export interface OfflineAgent {
  readonly name: string;
  readonly organisationName: string;
  readonly lastSeenAt: Date | null;
}

export interface PriorityCount {
  readonly priority: Priority;
  readonly open: number;
  readonly atRisk: number;
  readonly breached: number;
}

export interface OverviewTicket {
  readonly ref: string;
  readonly title: string;
  readonly kind: TicketKind;
  readonly priority: Priority;
  readonly status: TicketStatus;
  readonly organisationName: string;
  readonly sla: 'at_risk' | 'breached' | null;
  /** When it (last) entered the queue, for the unclaimed ones; its creation otherwise. */
  readonly since: Date;
}

export interface OverviewEngagement {
  readonly ticketRef: string;
  readonly organisationName: string;
  readonly status: EngagementStatus;
  readonly vendorName: string | null;
  readonly since: Date;
}

export interface OverviewDecision {
  readonly decision: string;
  readonly subjectKind: string;
  readonly subjectLabel: string;
  readonly decidedAt: Date;
}

/**
 * Everything the dashboard shows, counted in SQL over the live tables. Lists are cut at the
 * query's `limit`; the counts are over every row.
 */
export interface DashboardOverview {
  readonly generatedAt: Date;
  readonly organisations: readonly { readonly id: string; readonly name: string }[];
  readonly alerts: {
    readonly open: number;
    readonly bySeverity: { readonly warn: number; readonly crit: number };
    readonly byOrganisation: readonly OrganisationCount[];
    readonly latest: readonly OverviewAlert[];
  };
  readonly agents: { readonly total: number; readonly offline: number; readonly offlineList: readonly OfflineAgent[] };
  readonly tickets: {
    readonly open: number;
    readonly atRisk: number;
    readonly breached: number;
    readonly byPriority: readonly PriorityCount[];
    /** Breached first, then at risk. */
    readonly urgent: readonly OverviewTicket[];
  };
  readonly queue: { readonly count: number; readonly oldestSince: Date | null; readonly items: readonly OverviewTicket[] };
  readonly engagements: {
    readonly live: number;
    readonly byStatus: readonly { readonly status: EngagementStatus; readonly count: number }[];
    readonly items: readonly OverviewEngagement[];
  };
  readonly decisions: {
    readonly count: number;
    readonly byDecision: readonly { readonly decision: string; readonly count: number }[];
    readonly recent: readonly OverviewDecision[];
  };
}

export interface DashboardRepository {
  /** A new login link for the person; returns the token (only its hash is stored). */
  createLink(personId: string, now: Date, expiresAt: Date): Promise<string>;
  /**
   * Uses a link exactly once: of concurrent callers one gets the person, the others find it
   * used. A refused token says why (for the log and the page).
   */
  consumeLink(token: string, now: Date): Promise<{ readonly personId: string } | { readonly refused: LinkRefusal }>;
  /** Opens a session for the person; returns its token. */
  openSession(personId: string, now: Date, expiresAt: Date): Promise<string>;
  /** The live session of a token (not revoked, not expired), or undefined. */
  findSession(token: string, now: Date): Promise<DashboardSession | undefined>;
  /** Ends a session; false when it was not live. */
  revokeSession(token: string, now: Date): Promise<boolean>;
  /** Deletes login links and sessions that expired before `before`; returns how many. */
  purgeExpired(before: Date): Promise<number>;
  /** The figures and lists of the scope (the organisations for the filter are the use case's). */
  overview(q: OverviewQuery): Promise<Omit<DashboardOverview, 'organisations'>>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly dashboard: DashboardRepository;
  }
}
