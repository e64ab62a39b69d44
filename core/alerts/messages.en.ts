import type { it } from './messages.it.ts';

/** The monitoring feature's messages in English. */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'help.agent': 'agent [fiscal code]: a code to enrol an agent (ICT leads, moderators); agent revoke <machine> <reason>: revoke the agent of a machine',
  'menu.agent': 'A code to enrol a monitoring agent',
  'help.agents': 'agents: the agents and their status',
  'menu.agents': 'The monitoring agents and their status',
  'help.silence': 'silence <organisation|machine> <duration> [reason]: a maintenance window',
  'menu.silence': 'Silence alerts for maintenance',
  'help.noisy': 'noisy: the checks with the most false alarms (on alert messages: Claim, Acknowledge, Snooze 1 h, False alarm)',
  'menu.noisy': 'The checks with the most false alarms',
};
