import type { Ticket } from '../kernel/ticket.ts';
import type { NewTicket } from './ports.ts';

/**
 * The ticket a `NewTicket` row becomes once inserted: status new, nobody on it yet. What the
 * database chooses (id, ref) is given; `createTicket` plans its SLA on it before the insert (with
 * neither), and the repository returns it after, instead of reading the row back.
 */
export function newTicket(row: Omit<NewTicket, 'ref' | 'idempotencyKey'>, id: string, ref: string): Ticket {
  return {
    id,
    ref,
    kind: row.kind,
    title: row.title,
    description: row.description,
    category: row.category,
    impact: row.impact,
    urgency: row.urgency,
    priority: row.priority,
    tier: row.tier,
    status: 'new',
    pendingOn: null,
    organisationId: row.organisationId,
    requesterId: row.requesterId,
    assigneeId: null,
    vendorId: null,
    configurationItemId: row.configurationItemId,
    rating: null,
    createdAt: row.createdAt,
    updatedAt: row.createdAt,
    resolvedAt: null,
    closedAt: null,
  };
}
