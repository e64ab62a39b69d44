/**
 * What the load needs from a platform: people writing to the bot in their DMs, pressing the
 * buttons of the bot's messages, volunteers pressing "Prendo io" on a card. One driver per
 * platform (Telegram and Slack over webhooks, Discord over the gateway) feeds the same
 * lifecycle (lifecycle.ts).
 */
import type { Platform } from '../../core/kernel/person.ts';

export interface ChatUser {
  /** The platform's user id (the identity's external id). */
  readonly id: string;
  readonly name: string;
}

export interface ChatDriver<M> {
  readonly platform: Platform;
  readonly requesters: readonly ChatUser[];
  readonly volunteers: readonly ChatUser[];
  /** The outbox `conversation_key` of `who`'s DM with the bot. */
  conversationKey(who: ChatUser): string;
  /** `who` writes `text` in their DM; resolves once the platform handed it to Sportello (retrying as the platform would). */
  say(who: ChatUser, text: string): Promise<void>;
  /** `who` presses the button (or picks the menu option) `action` with `value` of message `m`. */
  press(who: ChatUser, m: M, action: string, value?: string): Promise<void>;
  hasButton(m: M, action: string): boolean;
  /** What a person reads in `m`. */
  text(m: M): string;
  /** How many messages the bot has sent to `who`'s DM so far. */
  dmCount(who: ChatUser): number;
  /** The first message to `who`'s DM after the first `from` ones that `accept` takes; waits for it. */
  nextDm(who: ChatUser, from: number, accept: (m: M) => boolean, timeoutMs: number): Promise<M>;
  /** Two messages with the same content (a blind resend shows as a copy). */
  same(a: M, b: M): boolean;
  /** The card of ticket `ref` in the volunteers channel, with its Claim button; waits for it. */
  card(ref: string, timeoutMs: number): Promise<M>;
}
