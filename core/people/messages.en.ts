import type { it } from './messages.it.ts';

/** The people feature's messages in English. */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'help.certify': 'certify @<username> <role> [reason]',
  'menu.certify': 'Certify a person (committee)',
  'help.revoke': 'revoke @<username> <role> <reason>',
  'menu.revoke': 'Revoke a certification (committee)',
  'help.certified': 'certified: who is certified, by role',
  'menu.certified': 'Certified people (committee)',
  'help.invite': 'invite <fiscal code> [lead]: a code to join the organisation',
  'menu.invite': 'Invite someone to your organisation',
  'help.language': 'language it | en',
  'menu.language': 'Change language: /language it',
  'help.link': 'link: link another account (Slack, Telegram, Discord)',
  'menu.link': 'Link another chat account',
  'help.join': 'join <code>: join your organisation',
  'menu.join': 'Join your organisation with a code',
  'help.whoami': 'whoami: who you are to Sportello',
  'menu.whoami': 'Who you are to Sportello',
};
