/**
 * The command menu Telegram shows when a user types `/`, in Italian (the default, and for
 * `it` clients) and English (for `en` clients), generated from the core's command registry:
 * each entry is the first word of a command in that language, so the engine understands it.
 */

import { REGISTRY } from '../../core/features.ts';
import type { CommandRegistry } from '../../core/kernel/command.ts';

export interface Menu {
  readonly language_code?: 'it' | 'en';
  readonly commands: { command: string; description: string }[];
}

/** The `setMyCommands` calls to make at start: default and `it` in Italian, `en` in English. */
export function commandMenus(registry: CommandRegistry = REGISTRY): Menu[] {
  // Telegram takes `[a-z0-9_]{1,32}` names and at most 100 commands, descriptions up to 256.
  const menu = (l: 'it' | 'en') =>
    registry
      .menu(l)
      .filter((e) => /^[a-z0-9_]{1,32}$/.test(e.word))
      .slice(0, 100)
      .map((e) => ({ command: e.word, description: e.description.slice(0, 256) }));
  const it = menu('it');
  return [{ commands: it }, { language_code: 'it', commands: it }, { language_code: 'en', commands: menu('en') }];
}
