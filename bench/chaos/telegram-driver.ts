/** The load on Telegram: updates POSTed to the apps' webhook, the bot's answers read from the fake. */
import { decodeInline } from '../../bots/telegram/callback-data.ts';
import type { FakeCall, TelegramFake } from '../../test/fakes/telegram-fake.ts';
import type { ChatDriver, ChatUser } from './chat-driver.ts';
import type { Webhooks } from './webhooks.ts';

export const TELEGRAM_SECRET = 'chaos-webhook-secret-0123456789';
/** The volunteers' group. */
export const TELEGRAM_GROUP = -1001000000777;

function buttons(m: FakeCall): { id: string; value?: string; data: string }[] {
  const rows = (m.payload.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows
    .flat()
    .filter((b) => b.callback_data)
    .map((b) => {
      const a = decodeInline(b.callback_data!);
      return { id: a?.id ?? '', ...(a?.value !== undefined ? { value: a.value } : {}), data: b.callback_data! };
    });
}

let nextUpdate = 1_000_000;
let messageIds = 1;
let queryIds = 1;
const now = () => Math.floor(Date.now() / 1000);

export class TelegramDriver implements ChatDriver<FakeCall> {
  readonly platform = 'telegram' as const;

  constructor(
    private readonly fake: TelegramFake,
    private readonly webhooks: Webhooks,
    readonly requesters: readonly ChatUser[],
    readonly volunteers: readonly ChatUser[],
  ) {}

  conversationKey(who: ChatUser): string {
    return `telegram:${who.id}`;
  }

  private user(who: ChatUser) {
    return { id: Number(who.id), is_bot: false, first_name: who.name, language_code: 'it' };
  }

  private deliver(update: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify({ update_id: nextUpdate++, ...update });
    return this.webhooks.deliver(async (url) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      return res.status;
    });
  }

  say(who: ChatUser, text: string): Promise<void> {
    const from = this.user(who);
    return this.deliver({
      message: { message_id: messageIds++, date: now(), chat: { id: from.id, type: 'private', first_name: from.first_name }, from, text },
    });
  }

  press(who: ChatUser, m: FakeCall, action: string, value?: string): Promise<void> {
    const hit = buttons(m).find((b) => b.id === action && (value === undefined || b.value === value));
    if (!hit) throw new Error(`no ${action} button in ${JSON.stringify(m.payload).slice(0, 500)}`);
    const sent = m.result as Record<string, unknown>;
    return this.deliver({
      callback_query: {
        id: `chaos${queryIds++}`,
        from: this.user(who),
        chat_instance: 'ci',
        data: hit.data,
        message: { ...sent, date: now() },
      },
    });
  }

  hasButton(m: FakeCall, action: string): boolean {
    return buttons(m).some((b) => b.id === action);
  }

  text(m: FakeCall): string {
    return String(m.payload.text);
  }

  dmCount(who: ChatUser): number {
    return this.fake.sentTo(who.id).length;
  }

  nextDm(who: ChatUser, from: number, accept: (m: FakeCall) => boolean, timeoutMs: number): Promise<FakeCall> {
    return this.fake.waitFor(() => this.fake.sentTo(who.id).slice(from).find(accept), timeoutMs, `a message to ${who.name}`);
  }

  same(a: FakeCall, b: FakeCall): boolean {
    return a.payload.text === b.payload.text && JSON.stringify(a.payload.reply_markup) === JSON.stringify(b.payload.reply_markup);
  }

  card(ref: string, timeoutMs: number): Promise<FakeCall> {
    return this.fake.waitFor(
      () => this.fake.sentTo(TELEGRAM_GROUP).find((c) => this.text(c).includes(ref) && this.hasButton(c, 'ticket.claim')),
      timeoutMs,
      `the Telegram card of ${ref}`,
    );
  }
}
