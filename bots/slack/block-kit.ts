import type { types } from '@slack/bolt';
import type { Button, OutMessage, SelectMenu } from '../../core/kernel/message.ts';

type Block = types.KnownBlock;
type ButtonElement = types.Button;

/** What a Slack message needs: the notification/fallback `text` and the Block Kit `blocks`. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

// Slack's documented limits (Block Kit reference); longer input is cut, never rejected by Slack.
const MAX_BLOCKS = 50;
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const ELEMENTS_PER_ACTIONS = 25;
const BUTTON_LABEL_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const OPTION_VALUE_MAX = 150;
const OPTIONS_MAX = 100;
const FALLBACK_MAX = 4000;

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` become entities, so nothing a user typed can
 * form a mention (`<@U…>`, `<!here>`, `<!channel>`) or a link once it is echoed back.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Slack wants action ids unique within a message, but one message may carry several buttons of
 * the same core action (the five rating stars): the core id goes first, a `#` and the button's
 * position after. `coreActionId` undoes it.
 */
export function slackActionId(coreActionId: string, position: number | 's'): string {
  return `${coreActionId}#${position}`;
}

/** The core action id inside a Slack `action_id` made by `slackActionId`. */
export function coreActionId(slackId: string): string {
  return slackId.replace(/#(\d+|s)$/, '');
}

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Splits `text` into pieces whose escaped form fits `max`, preferring line breaks. */
export function splitEscaped(text: string, max = SECTION_TEXT_MAX): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let n = 0;
    let size = 0;
    let lastBreak = -1;
    while (n < rest.length) {
      const ch = rest[n]!;
      const grow = ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : 1;
      if (size + grow > max) break;
      size += grow;
      if (ch === '\n') lastBreak = n;
      n++;
    }
    const end = n === rest.length || lastBreak <= 0 ? n : lastBreak + 1;
    pieces.push(escapeMrkdwn(rest.slice(0, end)));
    rest = rest.slice(end);
  }
  return pieces;
}

/** `prefix` + escaped `text`, cut (before escaping, so never inside an entity) to fit `max`. */
function fitEscaped(prefix: string, text: string, max: number): string {
  const pieces = splitEscaped(text, max - prefix.length - 1);
  return prefix + (pieces[0] ?? '') + (pieces.length > 1 ? '…' : '');
}

function plain(text: string, max: number): types.PlainTextElement {
  return { type: 'plain_text', text: cut(text, max) || ' ', emoji: true };
}

function button(b: Button, position: number): ButtonElement {
  return {
    type: 'button',
    action_id: slackActionId(b.actionId, position),
    text: plain(b.label, BUTTON_LABEL_MAX),
    // Slack rejects an empty value; an absent one comes back as '' (see slack-inbound.ts).
    ...(b.value ? { value: b.value.slice(0, BUTTON_VALUE_MAX) } : {}),
    ...(b.style ? { style: b.style } : {}),
  };
}

function select(s: SelectMenu): types.StaticSelect {
  return {
    type: 'static_select',
    action_id: slackActionId(s.actionId, 's'),
    placeholder: plain(s.placeholder, HEADER_MAX),
    options: s.options
      .slice(0, OPTIONS_MAX)
      .map((o) => ({ text: plain(o.label, BUTTON_LABEL_MAX), value: o.value.slice(0, OPTION_VALUE_MAX) || ' ' })),
  };
}

/**
 * Renders the channel-neutral message as Block Kit: the title as a header (plain text, so it
 * is bold and never markup), the text as escaped mrkdwn sections with `verbatim` (no
 * auto-linking), the fields as escaped section fields, the buttons and select in actions
 * blocks. `text` is the escaped plain fallback Slack shows in notifications.
 */
export function renderMessage(m: OutMessage): SlackMessage {
  const blocks: Block[] = [];
  // The one mention we ever produce, set by the core itself (never from user text).
  if (m.mention === 'here') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '<!here>' } });
  if (m.title) blocks.push({ type: 'header', text: plain(m.title, HEADER_MAX) });
  if (m.text.trim()) {
    for (const piece of splitEscaped(m.text)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: piece, verbatim: true } });
  }
  const fields = m.fields ?? [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: fields.slice(i, i + FIELDS_PER_SECTION).map((f) => ({
        type: 'mrkdwn' as const,
        text: fitEscaped(`*${escapeMrkdwn(cut(f.label, 100))}*\n`, f.value, FIELD_MAX),
        verbatim: true,
      })),
    });
  }
  const elements: (ButtonElement | types.StaticSelect)[] = (m.buttons ?? []).map(button);
  if (m.select) elements.push(select(m.select));
  for (let i = 0; i < elements.length; i += ELEMENTS_PER_ACTIONS)
    blocks.push({ type: 'actions', elements: elements.slice(i, i + ELEMENTS_PER_ACTIONS) });

  const fallback = [m.title, m.text, ...fields.map((f) => `${f.label}: ${f.value}`)].filter((s) => s && s.trim()).join('\n');
  const text = fitEscaped('', fallback, FALLBACK_MAX) || ' ';
  return { text: m.mention === 'here' ? `<!here> ${text}` : text, blocks: blocks.slice(0, MAX_BLOCKS) };
}
