import { type REST, Routes } from 'discord.js';
import type { DeliveryContextRepository } from '../../core/kernel/delivery-context.ts';

const MAX_CACHED = 50_000;

/**
 * User id → DM channel id. The core addresses DMs by user id; Discord posts into a channel.
 * Learned from inbound DMs and kept in the database, so any process delivering the outbox
 * (a `sportello worker` too) posts into it without asking Discord; otherwise opened with
 * `POST /users/@me/channels` (idempotent on Discord's side: it returns the existing DM channel)
 * and stored. The map in memory only spares this process a query per DM.
 */
export class DmChannels {
  private readonly known = new Map<string, string>();
  private readonly opening = new Map<string, Promise<string>>();

  constructor(
    private readonly rest: REST,
    private readonly repo: Pick<DeliveryContextRepository, 'findDmChannel' | 'rememberDmChannel'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records the DM channel a user wrote from (stored when this process did not know it yet). */
  async learn(userId: string, channelId: string): Promise<void> {
    if (this.known.get(userId) === channelId) return;
    await this.repo.rememberDmChannel('discord', userId, channelId, this.now());
    this.cache(userId, channelId);
  }

  async channelOf(userId: string): Promise<string> {
    const cached = this.known.get(userId);
    if (cached) return cached;
    let pending = this.opening.get(userId);
    if (!pending) {
      pending = (async () => {
        const stored = await this.repo.findDmChannel('discord', userId);
        if (stored) {
          this.cache(userId, stored);
          return stored;
        }
        const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
        await this.learn(userId, channel.id);
        return channel.id;
      })().finally(() => this.opening.delete(userId));
      this.opening.set(userId, pending);
    }
    return pending;
  }

  private cache(userId: string, channelId: string): void {
    if (this.known.size >= MAX_CACHED && !this.known.has(userId)) this.known.delete(this.known.keys().next().value as string);
    this.known.set(userId, channelId);
  }
}
