import type { MessageImage } from './chart.ts';
import type { Platform } from './person.ts';

/** A button; `actionId` + `value` come back to the engine as an inbound action. */
export interface Button {
  readonly actionId: string;
  readonly value: string;
  readonly label: string;
  readonly style?: 'primary' | 'danger';
}

export interface SelectMenu {
  readonly actionId: string;
  readonly placeholder: string;
  readonly options: readonly { readonly label: string; readonly value: string }[];
}

/**
 * The channel-neutral outbound message. The markup subset is deliberately small: a bold
 * `title`, plain `text` (line breaks only, never interpreted as markup by any adapter), labelled
 * `fields`, `buttons` and one `select`. Adapters render it (Block Kit, Telegram HTML,
 * Discord components, web HTML) and escape every string.
 */
export interface OutMessage {
  readonly title?: string;
  readonly text: string;
  readonly fields?: readonly { readonly label: string; readonly value: string }[];
  readonly buttons?: readonly Button[];
  readonly select?: SelectMenu;
  /**
   * A wider mention, set only by Sportello itself (never from user text) for an escalation
   * everyone in the channel should see: `'here'` asks the adapter to notify the members who are
   * online (Slack `<!here>`, Discord `@here` with `allowed_mentions` parse `everyone`, a bold
   * prefix on Telegram and in the web chat). In a DM it means nothing; adapters may ignore it.
   */
  readonly mention?: 'here';
  /**
   * A chart image (the reports): stored as data, drawn by the adapter at delivery time — a PNG
   * beside the text on Slack, Telegram and Discord, an SVG image in the web chat.
   */
  readonly image?: MessageImage;
}

/** Where a message goes. For a DM `conversationId` is the recipient's platform user id. */
export interface Address {
  readonly platform: Platform;
  readonly kind: 'dm' | 'channel';
  readonly conversationId: string;
  /** A platform thread id, when the conversation is a thread (Slack thread_ts, forum topic). */
  readonly threadId?: string;
  /** Reply in the thread of the earlier message with this stable reference (e.g. a card). */
  readonly threadRef?: string;
}

/** An inbound event from any platform, already stripped of its platform types. */
export interface Inbound {
  readonly platform: Platform;
  /** Platform delivery id (Slack event_id, Telegram update_id, …): a duplicate has no effect. */
  readonly deliveryId: string;
  readonly conversation: {
    readonly id: string;
    readonly kind: 'dm' | 'channel';
    readonly threadId?: string;
  };
  readonly sender: {
    readonly externalId: string;
    readonly displayName?: string;
    readonly locale?: string;
  };
  readonly text?: string;
  readonly action?: { readonly id: string; readonly value: string };
}
