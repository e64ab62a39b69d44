import type { Feature } from '../kernel/command.ts';
import { t } from './messages.ts';
import { requestEscalation } from './request-escalation.ts';

/** The "Ask for a vendor" button on a breach report. */
export const escalationFeature: Feature = {
  name: 'escalation',
  actions: [
    {
      prefix: 'ticket.escalate',
      async handle(turn, action) {
        const { ticket, already, suggested } = await requestEscalation(turn.ctx, action.value);
        turn.say(t(turn.locale, suggested ? 'request.suggested' : already ? 'request.already' : 'request.done', { ref: ticket.ref }));
      },
    },
  ],
};
