import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Impact, Ticket, TicketEvent, TicketKind, Urgency } from '../kernel/ticket.ts';
import { planOpeningSla } from '../sla/sla-events.ts';
import { newTicket } from './new-ticket.ts';
import { Policy } from './policy.ts';
import { type NewTicket, type OpenedTicket, StaleConfiguration } from './ports.ts';
import { computePriority } from './priority.ts';
import { announceTicket } from './ticket-notices.ts';

export interface CreateTicketInput {
  readonly kind: TicketKind;
  readonly title: string;
  readonly description: string;
  readonly impact: Impact;
  readonly urgency: Urgency;
  readonly category?: string | null;
  /** The configuration item it is about; it must belong to the ticket's organisation. */
  readonly configurationItemId?: string | null;
  /** Required when the actor belongs to several organisations (or is staff). */
  readonly organisationId?: string;
  /** A retried delivery with the same key returns the first ticket instead of a second. */
  readonly idempotencyKey?: string;
}

export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 4000;

/**
 * Opens a ticket for the actor's organisation: allocates its human id, computes the priority
 * from the matrix, records the history, and announces it in the volunteers channels.
 *
 * @example await createTicket(ctx, { kind: 'incident', title: 'Stampante ferma', description: '…', impact: 2, urgency: 2 })
 */
export async function createTicket(ctx: UseCaseContext, input: CreateTicketInput): Promise<{ ticket: Ticket; created: boolean }> {
  const title = input.title.trim();
  const description = input.description.trim();
  if (!title || title.length > TITLE_MAX) throw new DomainError('invalid_input', { field: 'title', max: TITLE_MAX });
  if (!description || description.length > DESCRIPTION_MAX)
    throw new DomainError('invalid_input', { field: 'description', max: DESCRIPTION_MAX });

  const orgs = Actor.organisations(ctx.actor);
  const organisationId = input.organisationId ?? (orgs.length === 1 ? orgs[0] : undefined);
  if (!organisationId) throw new DomainError('no_organisation');
  Policy.assertCreate(ctx.actor, organisationId, input.kind);

  const now = ctx.clock.now();
  const actorId = Actor.recordedId(ctx.actor);
  const row = {
    kind: input.kind,
    title,
    description,
    category: input.category ?? null,
    impact: input.impact,
    urgency: input.urgency,
    priority: computePriority(input.impact, input.urgency),
    tier: 'volunteer' as const,
    organisationId,
    requesterId: ctx.actor.personId,
    configurationItemId: await ownItem(ctx, input.configurationItemId, organisationId),
    idempotencyKey: input.idempotencyKey ?? null,
    createdAt: now,
  };
  // Its SLA events are planned from the row about to be inserted (nothing in it depends on the
  // id or ref the database gives it), so the ref, the row, its history and its SLA events go in
  // one statement; a retried delivery whose key is taken (by an earlier or a concurrent one)
  // gets that ticket back instead.
  const draft = newTicket(row, '', '');
  const opening: TicketEvent = { ticketId: '', actorId, at: now, field: 'status', from: null, to: 'new', note: null };
  const opened = await openPlanned(ctx, row, draft, opening, now);
  if (!opened) {
    const winner = input.idempotencyKey ? await ctx.repos.tickets.findByIdempotencyKey(input.idempotencyKey) : undefined;
    if (!winner) throw new Error('ticket not opened and no ticket holds its idempotency key');
    return { ticket: winner, created: false };
  }
  await announceTicket(ctx, opened.ticket, { org: opened.organisationName });
  return { ticket: opened.ticket, created: true };
}

/** Tries before giving up when the SLA configuration keeps changing under the opening. */
const OPEN_ATTEMPTS = 5;

/**
 * Plans the SLA events on this process's copy of the policies and opens the ticket; when the
 * opening statement finds that copy stale (a committee member changed a policy, maybe in
 * another process), nothing was written: the policies are read again and it is planned again.
 */
async function openPlanned(
  ctx: UseCaseContext,
  row: Omit<NewTicket, 'ref'>,
  draft: Ticket,
  opening: TicketEvent,
  now: Date,
): Promise<OpenedTicket | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { events, version } = await planOpeningSla(ctx.repos, draft, opening, now);
    try {
      return await ctx.repos.tickets.open(row, { actorId: opening.actorId, sla: events, configVersion: version });
    } catch (e) {
      if (!(e instanceof StaleConfiguration) || attempt >= OPEN_ATTEMPTS) throw e;
    }
  }
}

/** The item's id when it belongs to the organisation; another organisation's item is refused like an unknown one. */
async function ownItem(ctx: UseCaseContext, id: string | null | undefined, organisationId: string): Promise<string | null> {
  if (!id) return null;
  const item = await ctx.repos.configurationItems.find(id);
  if (!item || item.organisationId !== organisationId) throw new DomainError('not_found', { what: 'configuration_item', ref: id });
  return item.id;
}
