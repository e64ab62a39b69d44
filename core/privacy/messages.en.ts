import type { it } from './messages.it.ts';

/** The privacy feature's English catalog (the same keys as the Italian one, or the typecheck fails). */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'help.privacy_export': 'my data: a personal link to download all the data Sportello holds about you (JSON), valid 10 minutes and once',
  'menu.privacy_export': 'Download your personal data',
  'usage.privacy_export': 'Write "my data" (or "mydata") to receive, privately, the link to your personal data.',
  'privacy.link':
    'Here is your personal data, as the GDPR provides: {url}\nThe link is for you only, valid for 10 minutes and works once. To have your data erased, write to the data controller (the committee).',
  'privacy.sent_privately': 'I sent you the link to your data in a private message.',
  'privacy.no_dm': 'I cannot write to you privately: send me "my data" in a direct message.',
  'privacy.pseudonym': 'Erased person {code}',
  'privacy.removed_text': '[text removed at the request of the data subject]',
  'privacy.page.title': 'Your personal data',
  'privacy.page.help': 'Press the button to download your data (a JSON file). The link works once: after the download it cannot be reused.',
  'privacy.page.download': 'Download my data',
  'privacy.page.link_unknown': 'This link is not valid. Write "my data" to the bot again for a new one.',
  'privacy.page.link_used': 'This link was already used: each link works once. Write "my data" to the bot again.',
  'privacy.page.link_expired': 'This link has expired (it is valid for 10 minutes). Write "my data" to the bot again.',
};
