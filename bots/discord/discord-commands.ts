import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type REST,
  type RESTPutAPIApplicationCommandsJSONBody,
  Routes,
} from 'discord.js';
import { REGISTRY } from '../../core/features.ts';
import type { CommandRegistry } from '../../core/kernel/command.ts';

/** `/sportello testo:<parole>` carries any command words to the engine. */
export const MAIN_COMMAND = 'sportello';
/** The one text option: the command's arguments (`/stato testo:INC-000042`). */
export const MAIN_OPTION = 'testo';

const both = (en: string) => ({ 'en-US': en, 'en-GB': en });
const everywhere = {
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
};
/** Discord allows descriptions of 1–100 characters. */
const short = (s: string) => (s.length > 100 ? `${s.slice(0, 99)}…` : s);

/**
 * The slash commands, generated from the core's command registry: `/sportello` for any words,
 * and one command per registry entry with a menu line, named by its Italian word with the
 * English word and description as localizations (Discord shows each user their client's
 * language; payloads always carry the base, Italian, names).
 */
export function slashCommands(registry: CommandRegistry = REGISTRY): RESTPutAPIApplicationCommandsJSONBody {
  const english = new Map(registry.menu('en').map((e) => [e.name, e]));
  const textOption = (required: boolean, description: { it: string; en: string }) => ({
    type: ApplicationCommandOptionType.String as const,
    name: MAIN_OPTION,
    name_localizations: { it: MAIN_OPTION, ...both('text') },
    description: description.it,
    description_localizations: { it: description.it, ...both(description.en) },
    required,
    max_length: 4000,
  });
  const main = {
    type: ApplicationCommandType.ChatInput as const,
    name: MAIN_COMMAND,
    name_localizations: { it: MAIN_COMMAND, ...both('sportello') },
    description: 'Scrivi a Sportello un comando, es. «stato INC-000042» o «canale volontari»',
    description_localizations: {
      it: 'Scrivi a Sportello un comando, es. «stato INC-000042» o «canale volontari»',
      ...both('Send Sportello a command, e.g. "status INC-000042" or "channel volunteers"'),
    },
    ...everywhere,
    options: [textOption(true, { it: 'Il comando e i suoi argomenti', en: 'The command and its arguments' })],
  };
  const perCommand = registry
    .menu('it')
    .filter((e) => /^[a-z0-9_]{1,32}$/.test(e.word) && e.word !== MAIN_COMMAND)
    .slice(0, 99) // Discord's limit is 100 commands, with /sportello
    .map((e) => {
      const en = english.get(e.name);
      const takesWords = registry.command(e.name)?.grammar.kind !== 'none';
      return {
        type: ApplicationCommandType.ChatInput as const,
        name: e.word,
        name_localizations: { it: e.word, ...both(en?.word ?? e.word) },
        description: short(e.description),
        description_localizations: { it: short(e.description), ...both(short(en?.description ?? e.description)) },
        ...everywhere,
        ...(takesWords
          ? { options: [textOption(false, { it: 'Gli argomenti, es. INC-000042', en: 'The arguments, e.g. INC-000042' })] }
          : {}),
      };
    });
  return [main, ...perCommand];
}

/**
 * Registers (overwrites) the commands: in one guild when `guildId` is given — instant, for a
 * single-community install — otherwise globally.
 */
export async function registerCommands(rest: REST, applicationId: string, guildId?: string): Promise<void> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  await rest.put(route, { body: slashCommands() });
}

/** The engine text for a slash command: `/stato testo:X` → "/stato X"; `/sportello testo:T` → T. */
export function commandText(name: string, option: (name: string) => string | null): string {
  const words = option(MAIN_OPTION)?.trim() ?? '';
  if (name === MAIN_COMMAND) return words;
  // Base names are the registry's Italian words; the `/` marks the text as a command, so neither
  // an open dialog nor the sentence check of a DM takes it for something else.
  return REGISTRY.parse(name) ? `/${name} ${words}`.trim() : '';
}
