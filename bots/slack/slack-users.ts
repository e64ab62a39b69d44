import type { webApi } from '@slack/bolt';
import type { Inbound } from '../../core/kernel/message.ts';
import type { PeopleRepository } from '../../core/kernel/ports.ts';
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

  constructor(
    private readonly client: webApi.WebClient,
    private readonly people: Pick<PeopleRepository, 'findIdentity' | 'findPerson'>,
    private readonly log: UsersLog,
  ) {}

  async sender(userId: string): Promise<Inbound['sender']> {
    if (this.known.get(userId) || (await this.people.findIdentity('slack', userId))) {
      this.known.set(userId, true);
      return { externalId: userId };
    }
    const profile = await this.profile(userId);
    return { externalId: userId, ...profile };
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
