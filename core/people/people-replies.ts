import { type Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import type { Person, Role } from '../kernel/person.ts';
import { t } from './messages.ts';

export function certifiedList(l: Locale, groups: readonly (readonly [Role, readonly Person[]])[]): OutMessage {
  return {
    title: t(l, 'certified.title'),
    text: groups
      .map(([role, people]) => `${t(l, `role.${role}`)}: ${people.map((p) => `${p.displayName} (@${p.handle})`).join(', ') || '—'}`)
      .join('\n'),
  };
}
