import { Routes, type REST } from 'discord.js';

const MAX_CACHED = 50_000;

/**
 * User id → DM channel id. The core addresses DMs by user id; Discord posts into a channel.
 * Learned from inbound DMs, otherwise opened with `POST /users/@me/channels` (idempotent on
 * Discord's side: it returns the existing DM channel), so a cold cache only costs one call.
 */
export class DmChannels {
  private readonly known = new Map<string, string>();
  private readonly opening = new Map<string, Promise<string>>();

  constructor(private readonly rest: REST) {}

  learn(userId: string, channelId: string): void {
    if (this.known.get(userId) === channelId) return;
    if (this.known.size >= MAX_CACHED) this.known.delete(this.known.keys().next().value as string);
    this.known.set(userId, channelId);
  }

  async channelOf(userId: string): Promise<string> {
    const cached = this.known.get(userId);
    if (cached) return cached;
    let pending = this.opening.get(userId);
    if (!pending) {
      pending = (async () => {
        const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
        this.learn(userId, channel.id);
        return channel.id;
      })().finally(() => this.opening.delete(userId));
      this.opening.set(userId, pending);
    }
    return pending;
  }
}
