/**
 * The tickets feature in chat: its commands (`ticket`, `stato`, `commenta`, `prendi`, `risolvi`…),
 * the buttons on cards and status messages, and the note dialog a Resolve / Put on hold /
 * Reopen button opens.
 */

import { Actor } from '../kernel/actor.ts';
import { type CommandSpec, type Feature, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { personArg } from '../kernel/person-arg.ts';
import { type Ticket, TicketRef, type TicketStatus } from '../kernel/ticket.ts';
import type { Turn } from '../kernel/turn.ts';
import { ticketSlaSummary } from '../sla/sla-events.ts';
import { addComment } from './add-comment.ts';
import { changeTicketStatus, type StatusAction } from './change-ticket-status.ts';
import { claimTicket } from './claim-ticket.ts';
import { findTicketOrThrow } from './find-ticket.ts';
import { handOverTicket } from './hand-over-ticket.ts';
import { listTickets } from './list-tickets.ts';
import { m, t } from './messages.ts';
import { Policy } from './policy.ts';
import { rateTicket } from './rate-ticket.ts';
import { recordEffort } from './record-effort.ts';
import { itemLabel } from './ticket-notices.ts';
import { ticketDetails, ticketList, ticketStatus } from './ticket-replies.ts';
import { TicketStateMachine } from './ticket-status.ts';

/** The note dialog: the free text typed after a Resolve, Put on hold or Reopen button. */
export interface NoteState {
  readonly flow: 'note';
  readonly action: 'resolve' | 'hold' | 'reopen';
  readonly ref: string;
}

const isNoteState = (v: unknown): v is NoteState => typeof v === 'object' && v !== null && (v as NoteState).flow === 'note';

/** Who works tickets: volunteers, staff, and vendors' members on the tickets engaged to their company. */
const WORKERS = ['volunteer', 'vendor', 'moderator', 'committee'] as const;

/** Answers with the command's usage when the ticket id is missing. */
function refArg(turn: Turn, c: ParsedCommand, usage: () => string): string | undefined {
  const ref = c.args[0];
  if (!ref) turn.say(usage());
  return ref;
}

/**
 * After a confirmation: rate the help, or on a vendor-tier ticket review the vendor (the stars
 * go to `vendor.review`, which the vendors feature answers with a comment request).
 */
function askRating(turn: Turn, ticket: Ticket): void {
  const { ref } = ticket;
  const vendor = ticket.tier === 'vendor' && ticket.vendorId !== null;
  turn.replyPrivately({
    text: t(turn.locale, vendor ? 'rate.ask_vendor' : 'rate.ask', { ref }),
    buttons: [1, 2, 3, 4, 5].map((n) => ({
      actionId: vendor ? 'vendor.review' : 'ticket.rate',
      value: `${ref}:${n}`,
      label: '★'.repeat(n),
    })),
  });
}

function statusDone(turn: Turn, { ref, status, tier }: Ticket): void {
  turn.say(t(turn.locale, 'ok.status', { ref, status: t(turn.locale, `status.${status}`) }));
  // The time a volunteer gave, asked once resolved: the reports' volunteer hours are these answers.
  if (status === 'resolved' && tier === 'volunteer')
    turn.replyPrivately({
      text: t(turn.locale, 'effort.ask', { ref }),
      buttons: EFFORT_MINUTES.map((minutes) => ({
        actionId: 'ticket.effort',
        value: `${ref}:${minutes}`,
        label: t(turn.locale, `effort.${minutes}`),
      })),
    });
}

/** The answers offered to "how long did it take?", in minutes. */
const EFFORT_MINUTES = [15, 30, 60, 120, 240, 480] as const;

/** A command moving a ticket through its states with an optional note (`risolvi INC-1 fatto`). */
function statusCommand(
  name: 'confirm' | 'reopen' | 'withdraw' | 'unclaim' | 'hold' | 'resume' | 'resolve',
  words: CommandSpec['words'],
  section: CommandSpec['section'],
  audience: CommandSpec['audience'],
): CommandSpec {
  const usageKey = `usage.${name}` as const;
  return {
    name,
    words,
    grammar: Grammar.ticket,
    audience,
    section,
    ...m.helpOf(name),
    usage: (l) => t(l, usageKey),
    async handle(turn, c) {
      const ref = refArg(turn, c, () => t(turn.locale, usageKey));
      if (!ref) return;
      const action: StatusAction = name === 'withdraw' ? 'cancel' : name;
      const ticket = await changeTicketStatus(turn.ctx, ref, action, restAfter(c.rest, 1));
      if (action === 'confirm') return askRating(turn, ticket);
      statusDone(turn, ticket);
    },
  };
}

const commands: CommandSpec[] = [
  {
    name: 'mine',
    words: { it: ['ticket', 'miei', 'lista'], en: ['tickets', 'mine', 'list'] },
    grammar: Grammar.none,
    audience: ['anyone'],
    section: 'requester',
    ...m.helpOf('mine'),
    async handle(turn) {
      const tickets = await listTickets(turn.ctx, { mine: Actor.has(turn.ctx.actor, 'volunteer') });
      turn.replyPrivately(ticketList(turn.locale, tickets));
    },
  },
  {
    name: 'status',
    words: { it: ['stato'], en: ['status'] },
    grammar: Grammar.ticket,
    audience: ['anyone'],
    section: 'requester',
    ...m.helpOf('status'),
    usage: (l) => t(l, 'usage.status'),
    async handle(turn, c) {
      const ref = refArg(turn, c, () => t(turn.locale, 'usage.status'));
      if (!ref) return;
      const ctx = turn.ctx;
      const ticket = await findTicketOrThrow(ctx, ref);
      const owner = ticket.assigneeId ? await ctx.repos.people.findPerson(ticket.assigneeId) : undefined;
      const sla = await ticketSlaSummary(ctx.repos, ticket, ctx.clock.now());
      turn.replyPrivately(ticketStatus(turn.locale, ticket, owner?.displayName ?? null, ctx.actor, sla));
    },
  },
  ...(['comment', 'note'] as const).map(
    (name): CommandSpec => ({
      name,
      words: name === 'comment' ? { it: ['commenta', 'rispondi'], en: ['comment', 'reply'] } : { it: ['nota'], en: ['note'] },
      // `rispondi Q-000001 …` answers a community question: the id decides where it goes.
      grammar: name === 'comment' ? Grammar.first(/^((INC|REQ|RFC|PRB)|Q)[\s-]*\d+$/i) : Grammar.ticket,
      audience: name === 'comment' ? ['anyone'] : WORKERS,
      section: name === 'comment' ? 'requester' : 'volunteer',
      ...m.helpOf(name),
      usage: (l) => t(l, `usage.${name}`),
      async handle(turn, c, registry) {
        const ref = refArg(turn, c, () => t(turn.locale, `usage.${name}`));
        if (!ref) return;
        // Not a ticket id: a question's, answered by the feature registered as `answer`.
        const answer = name === 'comment' && !TicketRef.parse(ref) ? registry.command('answer') : undefined;
        if (answer) return answer.handle(turn, c, registry);
        const ticket = await addComment(turn.ctx, ref, restAfter(c.rest, 1), name === 'note');
        turn.say(t(turn.locale, 'ok.comment', { ref: ticket.ref }));
      },
    }),
  ),
  statusCommand('confirm', { it: ['conferma'], en: ['confirm'] }, 'requester', ['anyone']),
  statusCommand('reopen', { it: ['riapri'], en: ['reopen'] }, 'requester', ['anyone']),
  {
    name: 'rate',
    words: { it: ['valuta'], en: ['rate'] },
    grammar: Grammar.ticket,
    audience: ['anyone'],
    section: 'requester',
    ...m.helpOf('rate'),
    usage: (l) => t(l, 'usage.rate'),
    async handle(turn, c) {
      const ref = refArg(turn, c, () => t(turn.locale, 'usage.rate'));
      if (!ref) return;
      const stars = Number(c.args[1]);
      const ticket = await rateTicket(turn.ctx, ref, stars);
      turn.say(t(turn.locale, 'ok.rated', { ref: ticket.ref, stars }));
    },
  },
  statusCommand('withdraw', { it: ['ritira'], en: ['withdraw'] }, 'requester', ['anyone']),
  {
    name: 'claim',
    words: { it: ['prendi'], en: ['claim'] },
    grammar: Grammar.ticket,
    audience: WORKERS,
    section: 'volunteer',
    ...m.helpOf('claim'),
    usage: (l) => t(l, 'usage.claim'),
    async handle(turn, c) {
      const ref = refArg(turn, c, () => t(turn.locale, 'usage.claim'));
      if (!ref) return;
      const ticket = await claimTicket(turn.ctx, ref);
      turn.say(t(turn.locale, 'ok.claimed', { ref: ticket.ref }));
    },
  },
  statusCommand('unclaim', { it: ['rilascia'], en: ['unclaim'] }, 'volunteer', WORKERS),
  statusCommand('hold', { it: ['sospendi'], en: ['hold'] }, 'volunteer', WORKERS),
  statusCommand('resume', { it: ['riprendi'], en: ['resume'] }, 'volunteer', WORKERS),
  statusCommand('resolve', { it: ['risolvi'], en: ['resolve'] }, 'volunteer', WORKERS),
  {
    name: 'handover',
    words: { it: ['passa'], en: ['handover'] },
    grammar: Grammar.ticket,
    audience: WORKERS,
    section: 'volunteer',
    ...m.helpOf('handover'),
    usage: (l) => t(l, 'usage.handover'),
    async handle(turn, c) {
      const [ref, handle] = c.args;
      if (!ref || !handle) return turn.say(t(turn.locale, 'usage.handover'));
      const ticket = await handOverTicket(turn.ctx, ref, await personArg(turn, handle), restAfter(c.rest, 2));
      turn.say(t(turn.locale, 'ok.handed_over', { ref: ticket.ref, handle }));
    },
  },
];

/** Buttons on cards and status messages: `ticket.<what>` with the ticket id as value. */
async function handleTicketAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const ctx = turn.ctx;
  switch (action.id) {
    case 'ticket.claim': {
      const ticket = await claimTicket(ctx, action.value);
      return turn.say(t(turn.locale, 'ok.claimed', { ref: ticket.ref }));
    }
    case 'ticket.details': {
      const ticket = await findTicketOrThrow(ctx, action.value);
      const owner = ticket.assigneeId ? await ctx.repos.people.findPerson(ticket.assigneeId) : undefined;
      return turn.replyPrivately(ticketDetails(turn.locale, ticket, owner?.displayName ?? null, await itemLabel(ctx, ticket)));
    }
    case 'ticket.confirm': {
      const ticket = await changeTicketStatus(ctx, action.value, 'confirm');
      return askRating(turn, ticket);
    }
    case 'ticket.unclaim': {
      const ticket = await changeTicketStatus(ctx, action.value, 'unclaim');
      return statusDone(turn, ticket);
    }
    case 'ticket.rate': {
      const [ref, n] = action.value.split(':');
      const ticket = await rateTicket(ctx, ref ?? '', Number(n));
      return turn.say(t(turn.locale, 'ok.rated', { ref: ticket.ref, stars: Number(n) }));
    }
    case 'ticket.effort': {
      const [ref, minutes] = action.value.split(':');
      const n = Number(minutes);
      if (!ref || !(EFFORT_MINUTES as readonly number[]).includes(n)) throw new DomainError('invalid_input', { field: 'effort', max: 480 });
      const ticket = await recordEffort(ctx, ref, n);
      return turn.say(
        t(turn.locale, 'effort.recorded', { ref: ticket.ref, time: t(turn.locale, `effort.${n as (typeof EFFORT_MINUTES)[number]}`) }),
      );
    }
    case 'ticket.resolve':
    case 'ticket.hold':
    case 'ticket.reopen': {
      // Check now that the move is possible, then ask for the note that completes it.
      const act = action.id === 'ticket.resolve' ? 'resolve' : action.id === 'ticket.hold' ? 'hold' : 'reopen';
      const ticket = await findTicketOrThrow(ctx, action.value);
      Policy.assertTransition(ctx.actor, ticket, act);
      TicketStateMachine.nextOrThrow(ticket.kind, ticket.status, act);
      const state: NoteState = { flow: 'note', action: act, ref: ticket.ref };
      await ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
      return turn.say(t(turn.locale, `note.ask_${act}`, { ref: ticket.ref }));
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

export const ticketsFeature: Feature = {
  name: 'tickets',
  commands,
  actions: [{ prefix: 'ticket.', handle: handleTicketAction }],
  threads: [
    {
      // The volunteers' thread under a card is their workspace: replies there are internal notes.
      refPrefix: 'card:',
      async handle(turn, ref, text) {
        const ticket = await addComment(turn.ctx, ref.slice('card:'.length), text, true);
        turn.say(t(turn.locale, 'ok.comment', { ref: ticket.ref }));
      },
    },
  ],
  dialogs: [
    {
      flow: 'note',
      owns: isNoteState,
      /** The note typed after pressing Resolve, Put on hold or Reopen completes that action. */
      async continue(turn, state, text) {
        if (!isNoteState(state)) return;
        await turn.ctx.repos.dialogs.delete(turn.dialogKey);
        const ticket = await changeTicketStatus(turn.ctx, state.ref, state.action, text);
        statusDone(turn, ticket);
      },
    },
  ],
};
