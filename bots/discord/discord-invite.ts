import { OAuth2Scopes, PermissionFlagsBits } from 'discord.js';

/**
 * What the bot needs in the volunteers' channel: see it, read it (and the card a thread hangs
 * from), post cards as embeds, open a card's thread and write in it.
 */
export const BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.EmbedLinks;

/** The link a server administrator opens to add the bot (scopes `bot applications.commands`). */
export function inviteUrl(applicationId: string, guildId?: string): string {
  const q = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions: BOT_PERMISSIONS.toString(),
    ...(guildId ? { guild_id: guildId, disable_guild_select: 'true' } : {}),
  });
  return `https://discord.com/oauth2/authorize?${q.toString()}`;
}
