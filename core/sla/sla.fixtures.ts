/** Tickets and histories for the SLA unit tests. */
import type { TicketEvent } from '../ports.ts';
import type { Ticket, TicketStatus } from '../tickets/ticket.ts';

const d = (iso: string) => new Date(iso);

export function ticketAt(createdAt: string, over: Partial<Ticket> = {}): Ticket {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    ref: 'INC-000001',
    kind: 'incident',
    title: 'Stampante ferma',
    description: 'Non stampa',
    category: null,
    impact: 2,
    urgency: 2,
    priority: 3,
    tier: 'volunteer',
    status: 'new',
    pendingOn: null,
    organisationId: 'org',
    requesterId: 'req',
    assigneeId: null,
    configurationItem: null,
    rating: null,
    createdAt: d(createdAt),
    updatedAt: d(createdAt),
    resolvedAt: null,
    closedAt: null,
    ...over,
  };
}

/** A history: `[iso, status]` moves after creation. */
export function history(createdAt: string, moves: readonly (readonly [string, TicketStatus])[]): TicketEvent[] {
  const events: TicketEvent[] = [{ ticketId: 't', actorId: null, at: d(createdAt), field: 'status', from: null, to: 'new', note: null }];
  let from: TicketStatus = 'new';
  for (const [at, to] of moves) {
    events.push({ ticketId: 't', actorId: null, at: d(at), field: 'status', from, to, note: null });
    from = to;
  }
  return events;
}

