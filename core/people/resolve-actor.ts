import type { Actor } from '../kernel/actor.ts';
import { type Locale, toLocale } from '../kernel/i18n.ts';
import type { Person, Platform, RoleGrant } from '../kernel/person.ts';
import type { Clock, Repositories, Sender } from '../kernel/ports.ts';
import { createPerson } from './register.ts';

const TOUCH_EVERY_MS = 60_000;

/** The actor for a platform account with its current roles; undefined for an unknown account. */
export async function actorForPerson(repos: Repositories, person: Person): Promise<Actor> {
  return actorOf(person, await repos.people.activeGrants(person.id));
}

function actorOf(person: Person, grants: readonly RoleGrant[]): Actor {
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
  /** The account as the caller already read it (undefined: unknown); read here when not given. */
  read?: { readonly sender: Sender | undefined },
): Promise<{ actor: Actor; person: Person; firstContact: boolean }> {
  const now = clock.now();
  // The identity, the person and their grants in one read: every inbound event starts here.
  const known = read ? read.sender : await repos.people.findSender(sender.platform, sender.externalId);
  if (!known) {
    const person = await createPerson(repos, clock, {
      displayName: sender.displayName ?? `${sender.platform} ${sender.externalId}`,
      locale: toLocale(sender.locale) ?? defaultLocale,
    });
    await repos.people.linkIdentity({ platform: sender.platform, externalId: sender.externalId, personId: person.id, lastSeenAt: now });
    return { actor: await actorForPerson(repos, person), person, firstContact: true };
  }
  if (now.getTime() - known.identity.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    // Which account a person used last decides where DMs go; a minute's precision is plenty,
    // and it spares a write on every message of a conversation.
    await repos.people.touchIdentity(sender.platform, sender.externalId, now);
  }
  return { actor: actorOf(known.person, known.grants), person: known.person, firstContact: false };
}
