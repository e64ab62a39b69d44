/** The load on Discord: messages and interactions dispatched on the fake's gateway, the bot's messages read from the fake. */
import type { DiscordFake, FakeMessage, FakeUser } from '../../test/fakes/discord-fake.ts';
import type { ChatDriver, ChatUser } from './chat-driver.ts';
import { Gate } from './gate.ts';

interface Component {
  readonly type: number;
  readonly custom_id: string;
  readonly options?: readonly { readonly value: string }[];
}

const components = (m: FakeMessage): Component[] => m.components.flatMap((row) => (row.components ?? []) as Component[]);
const unescape = (s: string) => s.replace(/\\(.)/g, '$1').replace(/\u200b/g, '');

export class DiscordDriver implements ChatDriver<FakeMessage> {
  readonly platform = 'discord' as const;
  readonly gate = new Gate();
  /** Interaction token → who pressed (ephemeral follow-ups are answered through it). */
  readonly pressedBy = new Map<string, string>();
  private readonly users = new Map<string, FakeUser>();

  constructor(
    private readonly fake: DiscordFake,
    private readonly volunteersChannel: string,
    people: { readonly requesters: readonly FakeUser[]; readonly volunteers: readonly FakeUser[] },
  ) {
    for (const u of [...people.requesters, ...people.volunteers]) this.users.set(u.id, u);
    this.requesters = people.requesters.map((u) => ({ id: u.id, name: u.global_name }));
    this.volunteers = people.volunteers.map((u) => ({ id: u.id, name: u.global_name }));
  }

  readonly requesters: readonly ChatUser[];
  readonly volunteers: readonly ChatUser[];

  conversationKey(who: ChatUser): string {
    return `discord:${who.id}`;
  }

  private user(who: ChatUser): FakeUser {
    const u = this.users.get(who.id);
    if (!u) throw new Error(`unknown Discord user ${who.id}`);
    return u;
  }

  async say(who: ChatUser, text: string): Promise<void> {
    this.fake.dm(this.user(who), text);
  }

  async press(who: ChatUser, m: FakeMessage, action: string, value?: string): Promise<void> {
    const current = this.fake.messages.get(m.id) ?? m;
    const hit = components(current).find(
      (c) =>
        c.custom_id.startsWith(`${action}|`) &&
        (value === undefined || c.custom_id === `${action}|${value}` || c.options?.some((o) => o.value === value)),
    );
    if (!hit) throw new Error(`no ${action} component in ${JSON.stringify(current.components).slice(0, 500)}`);
    const payload =
      hit.options && value !== undefined
        ? this.fake.choose(this.user(who), current, hit.custom_id, value)
        : this.fake.click(this.user(who), current, hit.custom_id);
    this.pressedBy.set(String(payload.token), who.id);
  }

  hasButton(m: FakeMessage, action: string): boolean {
    return components(m).some((c) => c.custom_id.startsWith(`${action}|`));
  }

  text(m: FakeMessage): string {
    const embeds = m.embeds.flatMap((e) => [
      e.title,
      e.description,
      ...((e.fields ?? []) as { name: string; value: string }[]).flatMap((f) => [f.name, f.value]),
    ]);
    return unescape([m.content, ...embeds].filter(Boolean).join('\n'));
  }

  dmCount(who: ChatUser): number {
    return this.fake.posted(this.fake.dmChannelOf(who.id)).length;
  }

  nextDm(who: ChatUser, from: number, accept: (m: FakeMessage) => boolean, timeoutMs: number): Promise<FakeMessage> {
    const channel = this.fake.dmChannelOf(who.id);
    return this.fake.waitFor(() => this.fake.posted(channel).slice(from).find(accept), timeoutMs, `a Discord message to ${who.name}`);
  }

  same(a: FakeMessage, b: FakeMessage): boolean {
    return (
      a.id === b.id || (a.content === b.content && JSON.stringify([a.embeds, a.components]) === JSON.stringify([b.embeds, b.components]))
    );
  }

  card(ref: string, timeoutMs: number): Promise<FakeMessage> {
    return this.fake.waitFor(
      () => this.fake.posted(this.volunteersChannel).find((m) => this.text(m).includes(ref) && this.hasButton(m, 'ticket.claim')),
      timeoutMs,
      `the Discord card of ${ref}`,
    );
  }
}
