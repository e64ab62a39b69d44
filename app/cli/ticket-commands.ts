import { Actor } from '../../core/kernel/actor.ts';
import { type Impact, TICKET_KINDS, TICKET_STATUSES, type TicketStatus, type Urgency } from '../../core/kernel/ticket.ts';
import { ticketSlaSummary } from '../../core/sla/sla-events.ts';
import { slaFields } from '../../core/sla/sla-format.ts';
import { createTicket } from '../../core/tickets/create-ticket.ts';
import { findTicketOrThrow } from '../../core/tickets/find-ticket.ts';
import { listTickets } from '../../core/tickets/list-tickets.ts';
import { list, optional, optionalInt, required, requiredChoice, requiredInt } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { cliText } from './messages.ts';
import { organisationByFiscalCode } from './session.ts';
import { ticketDetails, ticketTable, viewTickets } from './ticket-view.ts';

export const ticketCreate = defineCommand({
  name: 'ticket create',
  synopsis: `--as HANDLE --kind ${TICKET_KINDS.join('|')} --title T --description D --impact 1-3 --urgency 1-3 [--org FISCALCODE]`,
  summary: 'open a ticket on behalf of a person (--org when they belong to several)',
  options: {
    as: { type: 'string' },
    kind: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    impact: { type: 'string' },
    urgency: { type: 'string' },
    org: { type: 'string' },
  },
  parse: (args) => ({
    as: required(args, 'as'),
    kind: requiredChoice(args, 'kind', TICKET_KINDS),
    title: required(args, 'title'),
    description: required(args, 'description'),
    impact: requiredInt(args, 'impact', 1, 3) as Impact,
    urgency: requiredInt(args, 'urgency', 1, 3) as Urgency,
    fiscalCode: optional(args, 'org'),
  }),
  async run(session, input) {
    const view = await session.run(input.as, async (ctx) => {
      const organisationId = input.fiscalCode ? (await organisationByFiscalCode(ctx.repos, input.fiscalCode)).id : undefined;
      const { ticket } = await createTicket(ctx, {
        kind: input.kind,
        title: input.title,
        description: input.description,
        impact: input.impact,
        urgency: input.urgency,
        ...(organisationId ? { organisationId } : {}),
      });
      const [v] = await viewTickets(ctx.repos, [ticket]);
      return v ?? ticket;
    });
    return { json: view, text: cliText(session.locale, 'ticket.created', { ref: view.ref, priority: view.priority }) };
  },
});

export const ticketList = defineCommand({
  name: 'ticket list',
  synopsis: `[--status S]… [--as HANDLE] [--limit N]`,
  summary: 'list tickets, newest first (as HANDLE: only those they may see)',
  options: { status: { type: 'string', multiple: true }, as: { type: 'string' }, limit: { type: 'string' } },
  parse(args) {
    const statuses = list(args, 'status');
    for (const s of statuses)
      if (!(TICKET_STATUSES as readonly string[]).includes(s))
        throw new UsageError(`--status must be one of ${TICKET_STATUSES.join(', ')} (got ${JSON.stringify(s)})`);
    return {
      statuses: statuses as TicketStatus[],
      as: optional(args, 'as'),
      limit: optionalInt(args, 'limit', 1, 1000) ?? 100,
    };
  },
  async run(session, input) {
    const views = await session.run(input.as, async (ctx) => {
      const tickets = await listTickets(ctx, { ...(input.statuses.length ? { statuses: input.statuses } : {}), limit: input.limit });
      return viewTickets(ctx.repos, tickets);
    });
    return { json: views, text: ticketTable(session.locale, views) };
  },
});

export const ticketShow = defineCommand({
  name: 'ticket show',
  synopsis: 'REF [--as HANDLE]',
  summary: 'show a ticket with its history and comments',
  options: { as: { type: 'string' } },
  positionals: ['REF'],
  parse: (args) => ({ ref: args.positionals[0] ?? '', as: optional(args, 'as') }),
  async run(session, input) {
    const shown = await session.run(input.as, async (ctx) => {
      const ticket = await findTicketOrThrow(ctx, input.ref);
      const [[view], events, allComments] = await Promise.all([
        viewTickets(ctx.repos, [ticket]),
        ctx.repos.tickets.listEvents(ticket.id),
        ctx.repos.tickets.listComments(ticket.id),
      ]);
      const seesInternal = Actor.isStaff(ctx.actor) || Actor.has(ctx.actor, 'volunteer') || ticket.assigneeId === ctx.actor.personId;
      const comments = allComments.filter((c) => seesInternal || !c.internal);
      // Assignee changes record person ids; people read handles.
      const assigneeIds = events.filter((e) => e.field === 'assignee').flatMap((e) => [e.from, e.to]);
      const handles = new Map<string, string>();
      for (const id of new Set([...events.map((e) => e.actorId), ...assigneeIds, ...comments.map((c) => c.authorId)])) {
        const p = id ? await ctx.repos.people.findPerson(id) : undefined;
        if (id && p) handles.set(id, p.handle);
      }
      const handleOf = (id: string | null) => (id ? (handles.get(id) ?? id) : null);
      return {
        ...(view ?? { ...ticket, organisation: null, requester: null, assignee: null }),
        sla: await ticketSlaSummary(ctx.repos, ticket, ctx.clock.now()),
        events: events.map((e) => ({
          ...e,
          ...(e.field === 'assignee' ? { from: handleOf(e.from), to: handleOf(e.to) } : {}),
          actor: e.actorId ? (handles.get(e.actorId) ?? null) : null,
        })),
        comments: comments.map((c) => ({ ...c, author: handles.get(c.authorId) ?? null })),
      };
    });
    return { json: shown, text: ticketDetails(session.locale, shown, shown.events, shown.comments, slaFields(session.locale, shown.sla)) };
  },
});
