import type { it } from './messages.it.ts';

/** The SLA feature's messages in English. */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'help.sla': 'sla: the time targets by priority; sla volunteers P2 4h 3d: change a target (moderators)',
  'menu.sla': 'The time targets (SLA)',
};
