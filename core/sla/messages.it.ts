/** The SLA feature's messages in Italian (the default). Every key must exist in messages.en.ts too. */
export const it = {
  'help.sla': 'sla: gli obiettivi di tempo per priorità; sla volontari P2 4h 3g: cambia un obiettivo (moderatori)',
  'menu.sla': 'Gli obiettivi di tempo (SLA)',
} as const;
