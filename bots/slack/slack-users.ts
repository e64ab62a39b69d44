import type { webApi } from '@slack/bolt';
import type { DeliveryContextRepository } from '../../core/kernel/delivery-context.ts';
import type { Inbound } from '../../core/kernel/message.ts';
import type { PeopleRepository } from '../../core/kernel/ports.ts';
import { Batcher } from '../kit/batcher.ts';
import { ExpiringCache } from './expiring-cache.ts';

interface Profile {
  readonly displayName?: string;
  readonly locale?: string;
}

export interface UsersLog {
  warn(obj: object, msg?: string): void;
}

/**
 * Who a Slack user is, for the core: the user id always; the real name and language (from
 * `users.info`, cached briefly) only when Sportello does not know the account yet, since they
 * matter only at first contact. Also maps mentioned users to their Sportello handles.
 */
export class SlackUsers {
  private readonly profiles = new ExpiringCache<string, Profile>(10 * 60_000, 10_000);
  /** Accounts Sportello already knows: no database look-up for them on every event. */
  private readonly known = new ExpiringCache<string, true>(10 * 60_000, 50_000);
  /**
   * The others are looked up together, one statement for the events arriving meanwhile, which
   * also stores the DM channels to remember.
   */
  private readonly lookups: Batcher<{ readonly userId: string; readonly dmChannel?: string }, boolean>;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly people: Pick<PeopleRepository, 'findIdentity' | 'findPerson' | 'knownAccounts'>,
    private readonly log: UsersLog,
    context: Pick<DeliveryContextRepository, 'rememberDmChannels'>,
    now: () => Date = () => new Date(),
  ) {
    this.lookups = new Batcher(async (items) => {
      const userIds = items.map((i) => i.userId);
      const channels = items.flatMap((i) => (i.dmChannel === undefined ? [] : [{ userId: i.userId, channelId: i.dmChannel }]));
      const found = new Set(
        channels.length > 0
          ? await context.rememberDmChannels('slack', channels, now(), userIds)
          : await this.people.knownAccounts('slack', userIds),
      );
      return userIds.map((id) => found.has(id));
    });
  }

  /**
   * Who sent an event. `rememberDm`: the DM channel it came from, to be stored (the DM's answer
   * is delivered there, by whichever process) in the same statement as the look-up; resolves
   * once it is.
   */
  async sender(userId: string, rememberDm?: string): Promise<Inbound['sender']> {
    const cached = this.known.get(userId);
    if (!cached || rememberDm !== undefined) {
      const found = await this.lookups.run({ userId, ...(rememberDm !== undefined ? { dmChannel: rememberDm } : {}) });
      if (!cached && !found) return { externalId: userId, ...(await this.profile(userId)) };
    }
    this.known.set(userId, true);
    return { externalId: userId };
  }

  /** An account found known by another statement (the inbox's, storing the user's event): no look-up for a while. */
  markKnown(userId: string): void {
    this.known.set(userId, true);
  }

  /** Sportello handles of the given Slack users, for those Sportello knows. */
  async handles(userIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    await Promise.all(
      userIds.map(async (id) => {
        const identity = await this.people.findIdentity('slack', id);
        const person = identity ? await this.people.findPerson(identity.personId) : undefined;
        if (person) found.set(id, person.handle);
      }),
    );
    return found;
  }

  private async profile(userId: string): Promise<Profile> {
    try {
      return await this.profiles.getOrLoad(userId, async () => {
        const u = (await this.client.users.info({ user: userId, include_locale: true })).user;
        const name = u?.real_name || u?.profile?.real_name || u?.profile?.display_name || u?.name;
        return { ...(name ? { displayName: name } : {}), ...(u?.locale ? { locale: u.locale } : {}) };
      });
    } catch (err) {
      // Not cached: the next event asks again. Meanwhile a first contact gets a placeholder name.
      this.log.warn({ userId, err: String(err) }, 'slack users.info failed');
      return {};
    }
  }
}
