import { randomUUID } from 'node:crypto';
import { Actor } from '../kernel/actor.ts';
import type { ConfigurationItem } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { storableText } from '../kernel/sanitize.ts';
import { type Impact, isOpen, type Ticket, type TicketEvent, type TicketKind, type Urgency } from '../kernel/ticket.ts';
import { planOpeningSla } from '../sla/sla-events.ts';
import { newTicket } from './new-ticket.ts';
import { Policy } from './policy.ts';
import { type NewTicket, type OpenedTicket, type ProblemCandidate, StaleConfiguration, type TicketOpening } from './ports.ts';
import { computePriority } from './priority.ts';
import { cardRef, ticketCard } from './ticket-card.ts';
import { announceTicket, cardNames } from './ticket-notices.ts';

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
  // The chat paths clean their text already; the CLI, the alerts and the API call this directly.
  const title = storableText(input.title.trim());
  const description = storableText(input.description.trim());
  if (!title || title.length > TITLE_MAX) throw new DomainError('invalid_input', { field: 'title', max: TITLE_MAX });
  if (!description || description.length > DESCRIPTION_MAX)
    throw new DomainError('invalid_input', { field: 'description', max: DESCRIPTION_MAX });

  const orgs = Actor.organisations(ctx.actor);
  const organisationId = input.organisationId ?? (orgs.length === 1 ? orgs[0] : undefined);
  if (!organisationId) throw new DomainError('no_organisation');
  Policy.assertCreate(ctx.actor, organisationId, input.kind);

  const now = ctx.clock.now();
  const actorId = Actor.recordedId(ctx.actor);
  const item = await ownItem(ctx, input.configurationItemId, organisationId);
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
    configurationItemId: item?.id ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    createdAt: now,
  };
  // Its SLA events are planned from the row about to be inserted (nothing in it depends on the
  // id or ref the database gives it), and so, when this process has copies of the bindings and
  // the organisation's name, is its card (with a placeholder for the ref): the ref, the row, its
  // history, its SLA events and its card go in one statement; a retried delivery whose key is
  // taken (by an earlier or a concurrent one) gets that ticket back instead.
  const draft = newTicket(row, '', '');
  const opening: TicketEvent = { ticketId: '', actorId, at: now, field: 'status', from: null, to: 'new', note: null };
  const opened = await openPlanned(ctx, row, draft, opening, now, item);
  if (!opened) {
    const winner = input.idempotencyKey ? await ctx.repos.tickets.findByIdempotencyKey(input.idempotencyKey) : undefined;
    if (!winner) throw new Error('ticket not opened and no ticket holds its idempotency key');
    return { ticket: winner, created: false };
  }
  if (!opened.cardWritten) await announceTicket(ctx, opened.ticket, { org: opened.organisationName, item: item ?? null });
  return { ticket: opened.ticket, created: true };
}

/** Tries before giving up when the SLA configuration keeps changing under the opening. */
const OPEN_ATTEMPTS = 5;

/**
 * Plans the SLA events on this process's copy of the policies (and the card on its copies of
 * the bindings and the organisation's name) and opens the ticket; when the opening statement
 * finds a copy stale (a committee member changed a policy, maybe in another process), nothing
 * was written: the copies are read again and it is planned again.
 */
async function openPlanned(
  ctx: UseCaseContext,
  row: Omit<NewTicket, 'ref'>,
  draft: Ticket,
  opening: TicketEvent,
  now: Date,
  item: ConfigurationItem | undefined,
): Promise<(OpenedTicket & { readonly cardWritten: boolean }) | undefined> {
  let problems: Promise<ProblemCandidate[]> | undefined;
  for (let attempt = 1; ; attempt++) {
    const { events, version } = await planOpeningSla(ctx.repos, draft, opening, now);
    const card = await cardBeforeOpening(ctx, draft, version, item, () => {
      problems ??= openProblemsOf(ctx, draft);
      return problems;
    });
    try {
      const opened = await ctx.repos.tickets.open(row, {
        actorId: opening.actorId,
        sla: events,
        configVersion: version,
        ...(card ? { card } : {}),
      });
      return opened && { ...opened, cardWritten: card !== undefined };
    } catch (e) {
      if (!(e instanceof StaleConfiguration) || attempt >= OPEN_ATTEMPTS) throw e;
    }
  }
}

/**
 * Stands for the ref in a card rendered before its ticket's opening, which replaces it with the
 * ref it draws: made of characters JSON leaves as they are, and never shown (nor guessable).
 * It starts with `~`, which cannot end a JSON escape, so no escaped text can form it.
 */
const REF_PLACEHOLDER = `~ref-${randomUUID()}`;

/**
 * The card `announceTicket` would post once the ticket is opened, rendered before, for the
 * opening statement to write: when this process has copies of the volunteers' bindings at the
 * configuration version the SLA events were planned at and of the organisation's name (the
 * opening checks both) and nothing else waits in the notifier (the card would go before it).
 */
async function cardBeforeOpening(
  ctx: UseCaseContext,
  draft: Ticket,
  version: string,
  item: ConfigurationItem | undefined,
  problems: () => Promise<ProblemCandidate[]>,
): Promise<TicketOpening['card']> {
  if (ctx.notifier.pending > 0) return undefined;
  const copies = ctx.repos.tickets.cardCopies?.(draft.organisationId, 'volunteers');
  if (!copies || copies.version !== version) return undefined;
  const org = copies.organisationName;
  if ([draft.title, draft.description, org].some((text) => text.includes(REF_PLACEHOLDER))) return undefined;
  const ticket: Ticket = { ...draft, ref: REF_PLACEHOLDER };
  const names = await cardNames(ctx, ticket, { org, item: item ?? null, problems: await problems() });
  const entries = ctx.notifier.channelEntries(copies.bindings, (locale) => ticketCard(locale, ticket, names), {
    organisationId: ticket.organisationId,
    ref: cardRef(ticket),
  });
  return { placeholder: REF_PLACEHOLDER, organisationName: org, entries };
}

/**
 * The open problems a new incident's card offers to join (`cardNames` asks the same).
 * Asked before the ticket exists: the id is one no ticket has, and no problem links a new ticket.
 */
function openProblemsOf(ctx: UseCaseContext, draft: Ticket): Promise<ProblemCandidate[]> {
  if (draft.kind !== 'incident' || !isOpen(draft.status)) return Promise.resolve([]);
  return ctx.repos.problemCandidates.openProblemsMatching({ ...draft, id: NO_TICKET }, 2);
}

const NO_TICKET = '00000000-0000-0000-0000-000000000000';

/** The item, when it belongs to the organisation; another organisation's item is refused like an unknown one. */
async function ownItem(ctx: UseCaseContext, id: string | null | undefined, organisationId: string): Promise<ConfigurationItem | undefined> {
  if (!id) return undefined;
  const item = await ctx.repos.configurationItems.find(id);
  if (!item || item.organisationId !== organisationId) throw new DomainError('not_found', { what: 'configuration_item', ref: id });
  return item;
}
