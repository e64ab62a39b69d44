/** Ticket kinds, one per ITIL process that Sportello tracks as a ticket. */
export const TICKET_KINDS = ['incident', 'service_request', 'change'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const TICKET_STATUSES = [
  'new',
  'assigned',
  'in_progress',
  'pending',
  'resolved',
  'closed',
  'cancelled',
  'awaiting_approval',
  'approved',
  'rejected',
  'scheduled',
  'implemented',
  'failed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** 1 = the whole organisation, 2 = a team or a service, 3 = one person. */
export type Impact = 1 | 2 | 3;
/** 1 = work is stopped now, 2 = work is hampered, 3 = it can wait. */
export type Urgency = 1 | 2 | 3;
/** P1 critical … P5 planning. */
export type Priority = 1 | 2 | 3 | 4 | 5;
export type Tier = 'volunteer' | 'vendor';

/** Who is waiting on whom while a ticket is pending: the SLA clock pauses meanwhile. */
export type PendingOn = 'requester' | 'vendor';

export interface Ticket {
  readonly id: string; // internal uuid
  readonly ref: string; // human id, e.g. INC-000042
  readonly kind: TicketKind;
  readonly title: string;
  readonly description: string;
  readonly category: string | null;
  readonly impact: Impact;
  readonly urgency: Urgency;
  readonly priority: Priority;
  readonly tier: Tier;
  readonly status: TicketStatus;
  readonly pendingOn: PendingOn | null;
  readonly organisationId: string;
  readonly requesterId: string;
  readonly assigneeId: string | null;
  /** The vendor company engaged on the ticket (picked by the nonprofit); its members may read it. */
  readonly vendorId: string | null;
  /** The configuration item it is about (`configurationItems.find`), chosen at intake or set by an alert. */
  readonly configurationItemId: string | null;
  readonly rating: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
}

const REF_PREFIX: Readonly<Record<TicketKind, string>> = {
  incident: 'INC',
  service_request: 'REQ',
  change: 'RFC',
};

export const TicketRef = {
  prefix(kind: TicketKind): string {
    return REF_PREFIX[kind];
  },
  format(kind: TicketKind, n: number): string {
    return `${REF_PREFIX[kind]}-${String(n).padStart(6, '0')}`;
  },
  /** Normalises what a user typed ("inc-42", "INC 000042") to the canonical ref, or undefined. */
  parse(text: string): string | undefined {
    const m = /^\s*(INC|REQ|RFC|PRB)[\s-]*0*(\d{1,9})\s*$/i.exec(text);
    if (!m || !m[1] || !m[2]) return undefined;
    return `${m[1].toUpperCase()}-${m[2].padStart(6, '0')}`;
  },
};

/** Statuses in which nobody is working the ticket any more. */
export function isFinal(status: TicketStatus): boolean {
  return status === 'closed' || status === 'cancelled' || status === 'rejected' || status === 'failed';
}

/** Statuses in which a ticket is still open for work (not resolved, closed or cancelled). */
export function isOpen(status: TicketStatus): boolean {
  return !isFinal(status) && status !== 'resolved' && status !== 'implemented';
}

export interface TicketEvent {
  readonly ticketId: string;
  readonly actorId: string | null;
  readonly at: Date;
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly note: string | null;
}
