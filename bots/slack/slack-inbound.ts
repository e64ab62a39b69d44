import type { Inbound } from '../../core/kernel/message.ts';
import { coreActionId } from './block-kit.ts';

/** An inbound event before the sender's profile is known (see `SlackUsers`). */
export interface InboundDraft {
  readonly deliveryId: string;
  readonly conversation: Inbound['conversation'];
  readonly userId: string;
  readonly text?: string;
  readonly action?: { readonly id: string; readonly value: string };
}

type Obj = Readonly<Record<string, unknown>>;

const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (o: Obj | undefined, key: string): string | undefined => {
  const v = o?.[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};

/** D… is a direct message with the bot; C… and G… are channels and private groups. */
const isDmChannel = (channelId: string): boolean => channelId.startsWith('D');

/** A thread reply has a `thread_ts` other than its own `ts` (a parent carries its own ts there). */
function threadOf(message: Obj | undefined): string | undefined {
  const thread = str(message, 'thread_ts');
  return thread && thread !== str(message, 'ts') ? thread : undefined;
}

/** A message a person typed: not an edit, deletion, join notice or another bot's post. */
function isHumanMessage(event: Obj): boolean {
  const subtype = str(event, 'subtype');
  return (!subtype || subtype === 'file_share') && !str(event, 'bot_id') && !!str(event, 'user') && typeof event.text === 'string';
}

/** `message.im`: a direct message to the bot. */
export function directMessage(event: Obj, eventId: string): InboundDraft | undefined {
  const channel = str(event, 'channel');
  if (str(event, 'type') !== 'message' || !channel || str(event, 'channel_type') !== 'im' || !isHumanMessage(event)) return undefined;
  return { deliveryId: eventId, conversation: { id: channel, kind: 'dm' }, userId: str(event, 'user')!, text: String(event.text) };
}

/**
 * `message.channels` / `message.groups`: only replies in a thread are for us (the adapter then
 * checks the thread is under one of our messages). A reply that mentions the bot is left to
 * the `app_mention` event Slack sends for it too, so it is handled once.
 */
export function threadReply(event: Obj, eventId: string, botUserId: string | undefined): InboundDraft | undefined {
  const channel = str(event, 'channel');
  const thread = threadOf(event);
  if (str(event, 'type') !== 'message' || !channel || isDmChannel(channel) || !thread || !isHumanMessage(event)) return undefined;
  const text = String(event.text);
  if (botUserId && text.includes(`<@${botUserId}`)) return undefined;
  return { deliveryId: eventId, conversation: { id: channel, kind: 'channel', threadId: thread }, userId: str(event, 'user')!, text };
}

/** `app_mention`: "@Sportello stato INC-000001" in a channel, without the mention itself. */
export function mention(event: Obj, eventId: string, botUserId: string | undefined): InboundDraft | undefined {
  const channel = str(event, 'channel');
  const user = str(event, 'user');
  if (str(event, 'type') !== 'app_mention' || !channel || !user || str(event, 'bot_id') || typeof event.text !== 'string') return undefined;
  const text = botUserId ? event.text.split(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`)).join(' ') : event.text;
  const thread = threadOf(event);
  const kind = isDmChannel(channel) ? 'dm' : 'channel';
  return {
    deliveryId: eventId,
    conversation: { id: channel, kind, ...(thread && kind === 'channel' ? { threadId: thread } : {}) },
    userId: user,
    text: text.trim(),
  };
}

/**
 * `block_actions`: a button or select in one of our messages. The delivery id is stable across
 * Slack's redeliveries of the same click (action time + user + action), and differs between
 * two people clicking the same button.
 */
export function blockAction(body: Obj): InboundDraft | undefined {
  if (str(body, 'type') !== 'block_actions') return undefined;
  const user = str(obj(body.user), 'id');
  const channel = str(obj(body.channel), 'id') ?? str(obj(body.container), 'channel_id');
  const action = obj(Array.isArray(body.actions) ? body.actions[0] : undefined);
  const slackId = str(action, 'action_id');
  if (!user || !channel || !action || !slackId) return undefined;
  const value = str(action, 'value') ?? str(obj(action.selected_option), 'value') ?? '';
  const stamp = str(action, 'action_ts') ?? str(body, 'trigger_id') ?? '';
  const thread = threadOf(obj(body.message));
  const kind = isDmChannel(channel) ? 'dm' : 'channel';
  return {
    deliveryId: `action:${stamp}:${user}:${slackId}`,
    conversation: { id: channel, kind, ...(thread && kind === 'channel' ? { threadId: thread } : {}) },
    userId: user,
    action: { id: coreActionId(slackId), value },
  };
}

/** `/sportello <words>`: the words are the command; alone it asks for help. */
export function slashCommand(command: Obj): InboundDraft | undefined {
  const user = str(command, 'user_id');
  const channel = str(command, 'channel_id');
  const trigger = str(command, 'trigger_id');
  if (!user || !channel || !trigger) return undefined;
  const text = typeof command.text === 'string' ? command.text.trim() : '';
  return {
    deliveryId: `command:${trigger}`,
    conversation: { id: channel, kind: isDmChannel(channel) ? 'dm' : 'channel' },
    userId: user,
    text: text || 'aiuto',
  };
}

const BROADCASTS = new Set(['here', 'channel', 'everyone']);

/**
 * A Slack link as the person wrote it. Slack turns a typed address, phone number or bare domain
 * into `<mailto:a@b.org|a@b.org>`, `<tel:+39…|+39 …>`, `<http://x.org|x.org>`: those are
 * the words typed, so only the label stays. A link whose label differs keeps both, the address
 * without its `mailto:`/`tel:` scheme.
 */
function linkToPlain(target: string, label: string | undefined): string {
  const address = /^(mailto|tel):/i.test(target) ? target.slice(target.indexOf(':') + 1) : target;
  if (!label || label === address || label === target) return address;
  if (/^tel:/i.test(target) && label.replace(/[^\d+]/g, '') === address.replace(/[^\d+]/g, '')) return label;
  if (target.replace(/^https?:\/\//i, '').replace(/\/$/, '') === label) return label;
  return `${label} (${address})`;
}

/** User ids mentioned as `<@U…>` in Slack message text. */
export function mentionedUsers(text: string): string[] {
  return [...new Set([...text.matchAll(/<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!))];
}

/**
 * Slack message text → the plain text the core reads. Slack sends markup between `<` and `>`
 * (mentions, channels, links) and escapes what the person typed as `&lt;` `&gt;` `&amp;`: the
 * markup becomes words (`@handle`, `#channel`, the URL) and the entities become characters
 * again. `handles` names the mentioned users (their Sportello handle when known).
 */
export function slackToPlain(text: string, handles: ReadonlyMap<string, string> = new Map()): string {
  return text
    .replace(/<([^<>]*)>/g, (_whole, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return `@${handles.get(target.slice(1)) ?? label ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!')) {
        const name = target.slice(1).split('^')[0] ?? '';
        return BROADCASTS.has(name) ? `@${name}` : (label ?? `@${name}`);
      }
      return linkToPlain(target, label);
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
