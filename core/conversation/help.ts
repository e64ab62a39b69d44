import { Actor } from '../kernel/actor.ts';
import type { CommandRegistry } from '../kernel/command.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { m } from './messages.ts';

/** Each registry's help texts, by what they depend on (language, roles, membership): drawn once. */
const drawn = new WeakMap<CommandRegistry, Map<string, OutMessage>>();
const MAX_DRAWN = 256;

/**
 * `aiuto`: the commands this actor can use, grouped, each with its help line, straight from the
 * registry. `unknown` prefixes "I did not understand". Which commands an actor sees depends only
 * on its role names and whether it belongs to an organisation (`isFor`), so the text is drawn
 * once per language and such combination.
 */
export function helpMessage(l: Locale, actor: Actor, registry: CommandRegistry, unknown = false): OutMessage {
  const roles = [...new Set(actor.roles.map((r) => r.role))].sort().join(',');
  const key = `${l}|${unknown ? 1 : 0}|${Actor.organisations(actor).length > 0 ? 1 : 0}|${roles}`;
  let texts = drawn.get(registry);
  if (!texts) drawn.set(registry, (texts = new Map()));
  const known = texts.get(key);
  if (known) return known;
  const body = [...registry.forActor(actor)]
    .map(([section, commands]) => [m.t(l, `section.${section}`), ...commands.map((c) => `• ${c.help?.(l) ?? ''}`)].join('\n'))
    .join('\n\n');
  const message: OutMessage = Object.freeze({ title: m.t(l, 'help.title'), text: unknown ? `${m.t(l, 'help.unknown')}\n\n${body}` : body });
  if (texts.size >= MAX_DRAWN) texts.clear();
  texts.set(key, message);
  return message;
}
