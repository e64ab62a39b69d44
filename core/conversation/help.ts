import type { Actor } from '../kernel/actor.ts';
import type { CommandRegistry } from '../kernel/command.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { m } from './messages.ts';

/**
 * `aiuto`: the commands this actor can use, grouped, each with its help line, straight from the
 * registry. `unknown` prefixes "I did not understand".
 */
export function helpMessage(l: Locale, actor: Actor, registry: CommandRegistry, unknown = false): OutMessage {
  const body = [...registry.forActor(actor)]
    .map(([section, commands]) => [m.t(l, `section.${section}`), ...commands.map((c) => `• ${c.help?.(l) ?? ''}`)].join('\n'))
    .join('\n\n');
  return { title: m.t(l, 'help.title'), text: unknown ? `${m.t(l, 'help.unknown')}\n\n${body}` : body };
}
