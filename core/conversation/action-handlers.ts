import { handleAlertAction } from '../alerts/alert-commands.ts';
import { DomainError } from '../kernel/errors.ts';
import { Policy } from '../tickets/policy.ts';
import { TicketStateMachine } from '../tickets/ticket-status.ts';
import { changeTicketStatus } from '../tickets/change-ticket-status.ts';
import { claimTicket } from '../tickets/claim-ticket.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { rateTicket } from '../tickets/rate-ticket.ts';
import { requestEscalation } from '../escalation/request-escalation.ts';
import { continueIntake } from './command-handlers.ts';
import { isDialogState, type NoteState } from './dialog-state.ts';
import { ticketDetails } from './replies.ts';
import type { Turn } from '../kernel/turn.ts';

/** Button presses and select choices, by action id. */
export async function handleAction(turn: Turn, action: { id: string; value: string }, ttlMs: number): Promise<void> {
  const ctx = turn.ctx;
  const now = ctx.clock.now();
  if (action.id.startsWith('intake.')) {
    const raw = await ctx.repos.dialogs.get(turn.dialogKey, now);
    if (action.id === 'intake.cancel') {
      await ctx.repos.dialogs.delete(turn.dialogKey);
      return turn.say(raw ? 'dialog.cancelled' : 'dialog.nothing_to_cancel');
    }
    if (!isDialogState(raw) || raw.flow !== 'intake') return turn.say('dialog.expired');
    return continueIntake(turn, raw, { action }, ttlMs);
  }
  if (action.id.startsWith('alert.')) return handleAlertAction(turn, action);

  switch (action.id) {
    case 'ticket.claim': {
      const t = await claimTicket(ctx, action.value);
      return turn.say('ok.claimed', { ref: t.ref });
    }
    case 'ticket.details': {
      const t = await findTicketOrThrow(ctx, action.value);
      const owner = t.assigneeId ? await ctx.repos.people.findPerson(t.assigneeId) : undefined;
      return turn.replyPrivately(ticketDetails(turn.locale, t, owner?.displayName ?? null));
    }
    case 'ticket.confirm': {
      const t = await changeTicketStatus(ctx, action.value, 'confirm');
      return turn.replyPrivately({
        text: turn.t('rate.ask', { ref: t.ref }),
        buttons: [1, 2, 3, 4, 5].map((n) => ({ actionId: 'ticket.rate', value: `${t.ref}:${n}`, label: '★'.repeat(n) })),
      });
    }
    case 'ticket.unclaim': {
      const t = await changeTicketStatus(ctx, action.value, 'unclaim');
      return turn.say('ok.status', { ref: t.ref, status: turn.t(`status.${t.status}`) });
    }
    case 'ticket.rate': {
      const [ref, n] = action.value.split(':');
      const t = await rateTicket(ctx, ref ?? '', Number(n));
      return turn.say('ok.rated', { ref: t.ref, stars: Number(n) });
    }
    case 'ticket.resolve':
    case 'ticket.hold':
    case 'ticket.reopen': {
      // Check now that the move is possible, then ask for the note that completes it.
      const act = action.id.slice('ticket.'.length) as NoteState['action'];
      const t = await findTicketOrThrow(ctx, action.value);
      Policy.assertTransition(ctx.actor, t, act);
      TicketStateMachine.nextOrThrow(t.kind, t.status, act);
      const state: NoteState = { flow: 'note', action: act, ref: t.ref };
      await ctx.repos.dialogs.put(turn.dialogKey, state, new Date(now.getTime() + ttlMs));
      return turn.say(`note.ask_${act}`, { ref: t.ref });
    }
    case 'ticket.escalate': {
      const { ticket, already } = await requestEscalation(ctx, action.value);
      return turn.say(already ? 'sla.escalation.already' : 'sla.escalation.requested', { ref: ticket.ref });
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}
