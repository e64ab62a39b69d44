import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import type { Button, OutMessage } from '../../core/kernel/message.ts';
import { DeliveryError } from '../../core/kernel/outbox.ts';
import { clip, escapeDiscord } from './discord-markup.ts';

/** Discord's documented size limits for the parts we render. */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  selectPlaceholder: 150,
  selectOptions: 25,
  optionText: 100,
} as const;

/** The JSON body of a message create/edit (channel message, webhook follow-up, interaction edit). */
export interface DiscordMessageBody {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  /**
   * Empty: nothing we echo can ping a user, a role, @everyone or @here. The one exception is
   * the core's own `mention: 'here'` (an unclaimed ticket re-announced), which allows it.
   */
  allowed_mentions: { parse: [] } | { parse: ['everyone'] };
  flags?: number;
}

const SEPARATOR = '|';

/** `actionId|value`: the button's action comes back in the interaction's `custom_id`. */
export function encodeCustomId(actionId: string, value: string): string {
  const id = `${actionId}${SEPARATOR}${value}`;
  // A cut id would send the engine a different value than the one it asked for.
  if (id.length > DISCORD_LIMITS.customId)
    throw new DeliveryError(`custom_id longer than 100 characters: ${id.slice(0, 40)}…`, { permanent: true });
  return id;
}

/** The engine action behind a component's `custom_id` (and a select's chosen value). */
export function decodeCustomId(customId: string, selected?: string): { id: string; value: string } {
  const at = customId.indexOf(SEPARATOR);
  const id = at < 0 ? customId : customId.slice(0, at);
  const value = selected ?? (at < 0 ? '' : customId.slice(at + 1));
  return { id, value };
}

const STYLE: Record<NonNullable<Button['style']> | 'default', APIButtonComponentWithCustomId['style']> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

function buttonRows(buttons: readonly Button[], maxRows: number): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  const usable = buttons.slice(0, maxRows * DISCORD_LIMITS.buttonsPerRow);
  for (let i = 0; i < usable.length; i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({
      type: ComponentType.ActionRow,
      components: usable.slice(i, i + DISCORD_LIMITS.buttonsPerRow).map((b) => ({
        type: ComponentType.Button,
        style: STYLE[b.style ?? 'default'],
        // Button labels are plain text in Discord (no markdown), only the length is bounded.
        label: clip(b.label, DISCORD_LIMITS.buttonLabel),
        custom_id: encodeCustomId(b.actionId, b.value),
      })),
    });
  }
  return rows;
}

function components(m: OutMessage): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  if (m.select) {
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: encodeCustomId(m.select.actionId, ''),
          placeholder: clip(m.select.placeholder, DISCORD_LIMITS.selectPlaceholder),
          options: m.select.options.slice(0, DISCORD_LIMITS.selectOptions).map((o) => ({
            label: clip(o.label, DISCORD_LIMITS.optionText),
            value: o.value.slice(0, DISCORD_LIMITS.optionText),
          })),
        },
      ],
    });
  }
  if (m.buttons?.length) rows.push(...buttonRows(m.buttons, DISCORD_LIMITS.rows - rows.length));
  return rows;
}

/**
 * Renders a core message for Discord. A message with a title or fields (cards, summaries)
 * becomes one embed — title, description, fields — so long descriptions fit; plain replies
 * are message content. Buttons become action rows (5 per row), the select a string select.
 * Every string is escaped, and edits send every part so stale buttons disappear.
 */
export function renderMessage(m: OutMessage): DiscordMessageBody {
  const body: DiscordMessageBody = { content: '', embeds: [], components: components(m), allowed_mentions: { parse: [] } };
  if (m.title !== undefined || m.fields?.length) {
    const embed: APIEmbed = {};
    if (m.title) embed.title = clip(escapeDiscord(m.title), DISCORD_LIMITS.embedTitle);
    if (m.text) embed.description = clip(escapeDiscord(m.text), DISCORD_LIMITS.embedDescription);
    if (m.fields?.length)
      embed.fields = m.fields.slice(0, DISCORD_LIMITS.embedFields).map((f) => ({
        name: clip(escapeDiscord(f.label), DISCORD_LIMITS.fieldName) || '\u200b',
        // Discord rejects empty field values.
        value: clip(escapeDiscord(f.value), DISCORD_LIMITS.fieldValue) || '\u200b',
      }));
    body.embeds.push(embed);
  } else {
    body.content = clip(escapeDiscord(m.text), DISCORD_LIMITS.content);
  }
  if (m.mention === 'here') {
    body.content = clip(`@here ${body.content}`.trim(), DISCORD_LIMITS.content);
    body.allowed_mentions = { parse: ['everyone'] };
  }
  return body;
}
