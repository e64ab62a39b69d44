/** The load on Slack: signed Events API and interactivity requests to the apps' Bolt receiver, the bot's posts read from the fake. */
import { buttonPress, dmChannelOf, dmEvent, eventCallback, postSigned, type SlackFake } from '../../test/fakes/slack-fake.ts';
import type { ChatDriver, ChatUser } from './chat-driver.ts';
import type { Webhooks } from './webhooks.ts';

export const SLACK_SIGNING_SECRET = 'chaos-slack-signing-secret';
export const SLACK_EVENTS_PATH = '/slack/events';
/** The volunteers' channel. */
export const SLACK_VOLUNTEERS = 'C_VOLONTARI';

type Post = Record<string, unknown>;
interface Element {
  readonly action_id: string;
  readonly value?: string;
  readonly options?: readonly { readonly value: string }[];
}

const unescape = (s: unknown) => String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const elements = (post: Post): Element[] =>
  ((post.blocks ?? []) as { elements?: Element[]; accessory?: Element }[]).flatMap((b) => [
    ...(b.elements ?? []),
    ...(b.accessory ? [b.accessory] : []),
  ]);

export class SlackDriver implements ChatDriver<Post> {
  readonly platform = 'slack' as const;

  constructor(
    private readonly fake: SlackFake,
    private readonly webhooks: Webhooks,
    readonly requesters: readonly ChatUser[],
    readonly volunteers: readonly ChatUser[],
  ) {}

  conversationKey(who: ChatUser): string {
    return `slack:${who.id}`;
  }

  /** The same request (same event id, same action) until an app takes it; a resend says it is one, like Slack. */
  private deliver(payload: Parameters<typeof postSigned>[2]): Promise<void> {
    return this.webhooks.deliver(
      async (url, attempt) =>
        (await postSigned(url, SLACK_SIGNING_SECRET, payload, attempt > 0 ? { retryNum: Math.min(attempt, 3) } : {})).status,
    );
  }

  say(who: ChatUser, text: string): Promise<void> {
    return this.deliver(eventCallback(dmEvent(who.id, text)));
  }

  press(who: ChatUser, m: Post, action: string, value?: string): Promise<void> {
    const hit = elements(m).find(
      (e) =>
        e.action_id.startsWith(`${action}#`) && (value === undefined || e.value === value || e.options?.some((o) => o.value === value)),
    );
    if (!hit) throw new Error(`no ${action} button in ${JSON.stringify(m.blocks).slice(0, 500)}`);
    const chosen = value ?? hit.value;
    return this.deliver(
      buttonPress({
        user: who.id,
        channel: String(m.channel),
        messageTs: String(m.ts),
        actionId: hit.action_id,
        ...(chosen !== undefined ? { value: chosen } : {}),
      }),
    );
  }

  hasButton(m: Post, action: string): boolean {
    return elements(m).some((e) => e.action_id.startsWith(`${action}#`));
  }

  text(m: Post): string {
    return unescape(m.text);
  }

  dmCount(who: ChatUser): number {
    return this.fake.posts(dmChannelOf(who.id)).length;
  }

  async nextDm(who: ChatUser, from: number, accept: (m: Post) => boolean, timeoutMs: number): Promise<Post> {
    return this.fake.waitFor(() => this.fake.posts(dmChannelOf(who.id)).slice(from).find(accept), timeoutMs);
  }

  same(a: Post, b: Post): boolean {
    return a.text === b.text && JSON.stringify(a.blocks) === JSON.stringify(b.blocks);
  }

  card(ref: string, timeoutMs: number): Promise<Post> {
    return this.fake.waitFor(
      () => this.fake.posts(SLACK_VOLUNTEERS).find((p) => this.text(p).includes(ref) && this.hasButton(p, 'ticket.claim')),
      timeoutMs,
    );
  }
}
