import type { Actor } from '../kernel/actor.ts';
import { type Locale, toLocale } from '../kernel/i18n.ts';
import type { Person, Platform } from '../kernel/person.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';
import { createPerson } from './register.ts';

const TOUCH_EVERY_MS = 60_000;

/** The actor for a platform account with its current roles; undefined for an unknown account. */
export async function actorForPerson(repos: Repositories, person: Person): Promise<Actor> {
  const grants = await repos.people.activeGrants(person.id);
  return {
    personId: person.id,
    displayName: person.displayName,
    locale: person.locale,
    roles: grants.map((g) => ({ role: g.role, organisationId: g.organisationId, ...(g.vendorId ? { vendorId: g.vendorId } : {}) })),
  };
}

/**
 * Finds the person behind a platform account, creating one at first contact (with the
 * platform's name and language), and marks the account as the latest used for DMs.
 */
export async function resolveActor(
  repos: Repositories,
  clock: Clock,
  sender: { readonly platform: Platform; readonly externalId: string; readonly displayName?: string; readonly locale?: string },
  defaultLocale: Locale,
): Promise<{ actor: Actor; person: Person; firstContact: boolean }> {
  const now = clock.now();
  const identity = await repos.people.findIdentity(sender.platform, sender.externalId);
  let person = identity ? await repos.people.findPerson(identity.personId) : undefined;
  const firstContact = !person;
  if (!person) {
    person = await createPerson(repos, clock, {
      displayName: sender.displayName ?? `${sender.platform} ${sender.externalId}`,
      locale: toLocale(sender.locale) ?? defaultLocale,
    });
    await repos.people.linkIdentity({ platform: sender.platform, externalId: sender.externalId, personId: person.id, lastSeenAt: now });
  } else if (identity && now.getTime() - identity.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    // Which account a person used last decides where DMs go; a minute's precision is plenty,
    // and it spares a write on every message of a conversation.
    await repos.people.touchIdentity(sender.platform, sender.externalId, now);
  }
  return { actor: await actorForPerson(repos, person), person, firstContact };
}
