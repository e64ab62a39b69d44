import { t } from './messages.ts';
import type { Feature } from '../kernel/command.ts';
import { requestEscalation } from './request-escalation.ts';

/** The "Ask for a vendor" button on a breach report. */
export const escalationFeature: Feature = {
  name: 'escalation',
  actions: [
    {
      prefix: 'ticket.escalate',
      async handle(turn, action) {
        const { ticket, already } = await requestEscalation(turn.ctx, action.value);
        turn.say(t(turn.locale, already ? 'sla.escalation.already' : 'sla.escalation.requested', { ref: ticket.ref }));
      },
    },
  ],
};
