import { Actor } from '../kernel/actor.ts';
import type { ConfigurationItem } from '../kernel/configuration-item.ts';
import { DomainError } from '../kernel/errors.ts';

/**
 * Who may see and change configuration items. Volunteers, moderators and the committee work on
 * every organisation's machines; members see their organisation's items only, and another
 * organisation's item answers exactly like an unknown one.
 */
export const CmdbPolicy = {
  canRead(actor: Actor, item: Pick<ConfigurationItem, 'organisationId'>): boolean {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer') || Actor.organisations(actor).includes(item.organisationId);
  },

  /** The organisations whose items the actor may see; undefined means every one. */
  readableOrganisations(actor: Actor): readonly string[] | undefined {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer') ? undefined : Actor.organisations(actor);
  },
};

export function assertReadItem(actor: Actor, item: ConfigurationItem | undefined, typed: string): ConfigurationItem {
  if (!item || !CmdbPolicy.canRead(actor, item)) throw new DomainError('ci_not_found', { ref: typed.trim().slice(0, 40) });
  return item;
}
