import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  Routes,
  type REST,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';

/** `/sportello testo:<parole>` carries any command words to the engine. */
export const MAIN_COMMAND = 'sportello';
export const MAIN_OPTION = 'testo';
/** `/stato id:<INC-…>`: a shortcut for the most asked question. */
export const STATUS_COMMAND = 'stato';
export const STATUS_OPTION = 'id';
/** `/aiuto`: the help message. */
export const HELP_COMMAND = 'aiuto';

const both = (en: string) => ({ 'en-US': en, 'en-GB': en });
const everywhere = {
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
};

/**
 * The slash commands, Italian by default with English localizations (Discord shows each user
 * the names and descriptions of their client language; payloads always carry the base names).
 */
export const SLASH_COMMANDS: RESTPutAPIApplicationCommandsJSONBody = [
  {
    type: ApplicationCommandType.ChatInput,
    name: MAIN_COMMAND,
    name_localizations: { it: MAIN_COMMAND, ...both('sportello') },
    description: 'Scrivi a Sportello un comando, es. «stato INC-000042» o «canale volontari»',
    description_localizations: {
      it: 'Scrivi a Sportello un comando, es. «stato INC-000042» o «canale volontari»',
      ...both('Send Sportello a command, e.g. "status INC-000042" or "channel volunteers"'),
    },
    ...everywhere,
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: MAIN_OPTION,
        name_localizations: { it: MAIN_OPTION, ...both('text') },
        description: 'Il comando e i suoi argomenti',
        description_localizations: { it: 'Il comando e i suoi argomenti', ...both('The command and its arguments') },
        required: true,
        max_length: 4000,
      },
    ],
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: STATUS_COMMAND,
    name_localizations: { it: STATUS_COMMAND, ...both('status') },
    description: 'Lo stato di un ticket',
    description_localizations: { it: 'Lo stato di un ticket', ...both('The status of a ticket') },
    ...everywhere,
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: STATUS_OPTION,
        name_localizations: { it: STATUS_OPTION, ...both('id') },
        description: 'Il codice del ticket, es. INC-000042',
        description_localizations: { it: 'Il codice del ticket, es. INC-000042', ...both('The ticket id, e.g. INC-000042') },
        required: true,
        max_length: 20,
      },
    ],
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: HELP_COMMAND,
    name_localizations: { it: HELP_COMMAND, ...both('help') },
    description: 'Cosa può fare Sportello per te',
    description_localizations: { it: 'Cosa può fare Sportello per te', ...both('What Sportello can do for you') },
    ...everywhere,
  },
];

/**
 * Registers (overwrites) the commands: in one guild when `guildId` is given — instant, for a
 * single-community install — otherwise globally.
 */
export async function registerCommands(rest: REST, applicationId: string, guildId?: string): Promise<void> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  await rest.put(route, { body: SLASH_COMMANDS });
}

/** The engine text for a slash command: `/stato id:X` → "stato X"; `/sportello testo:T` → T. */
export function commandText(name: string, option: (name: string) => string | null): string {
  switch (name) {
    case MAIN_COMMAND:
      return option(MAIN_OPTION) ?? '';
    case STATUS_COMMAND:
      return `${STATUS_COMMAND} ${option(STATUS_OPTION) ?? ''}`.trim();
    case HELP_COMMAND:
      return HELP_COMMAND;
    default:
      return '';
  }
}
