import type { it } from './messages.it.ts';

/** The conversation's messages in English. */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'help.title': 'Sportello: how I can help',
  'help.unknown': 'I did not understand the command.',
  'section.requester': 'To ask for help, write me your problem privately.',
  'section.volunteer': 'Volunteers:',
  'section.staff': 'Moderation:',
  'section.sla': 'Times (SLA):',
  'section.monitoring': 'Monitoring:',
  'section.committee': 'Committee:',
  'section.account': 'Account:',
  'help.help': 'help: this list',
  'menu.help': 'How to use Sportello',
  'help.cancel': 'cancel: stops the conversation in progress',
  'menu.cancel': 'Cancel what is in progress',
  'help.bind': 'channel volunteers | alerts [fiscal code] | committee | community (typed in the channel)',
  'menu.bind': 'Bind this group: /channel volunteers',
  'help.unbind': 'unbind volunteers | alerts | committee | community',
  'menu.unbind': 'Unbind this group',
};
