import { Actor } from '../kernel/actor.ts';
import type { ConfigurationItem } from '../kernel/configuration-item.ts';
import { DomainError } from '../kernel/errors.ts';

/**
 * Who may see and change configuration items. Volunteers, moderators and the committee work on
 * every organisation's machines; members see their organisation's items only, and another
 * organisation's item answers exactly like an unknown one. Adding, editing and linking items is
 * for the organisation's ICT lead (their own organisation only), volunteers, moderators and the
 * committee; a requester only looks.
 */
export const CmdbPolicy = {
  canRead(actor: Actor, item: Pick<ConfigurationItem, 'organisationId'>): boolean {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer') || Actor.organisations(actor).includes(item.organisationId);
  },

  /** The organisations whose items the actor may see; undefined means every one. */
  readableOrganisations(actor: Actor): readonly string[] | undefined {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer') ? undefined : Actor.organisations(actor);
  },

  /** Whether the actor may add, edit and link the items of the organisation. */
  canEdit(actor: Actor, organisationId: string): boolean {
    return (
      Actor.isStaff(actor) ||
      Actor.has(actor, 'volunteer') ||
      actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === organisationId)
    );
  },

  /** Whether the actor may edit items of any organisation (and so must name the organisation). */
  editsEveryOrganisation(actor: Actor): boolean {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer');
  },

  /** The organisations the actor leads as ICT lead. */
  ledOrganisations(actor: Actor): string[] {
    return [...new Set(actor.roles.filter((r) => r.role === 'ict_lead' && r.organisationId).map((r) => r.organisationId as string))];
  },

  /** Whether the actor may add items to some organisation at all. */
  mayEditSome(actor: Actor): boolean {
    return CmdbPolicy.editsEveryOrganisation(actor) || CmdbPolicy.ledOrganisations(actor).length > 0;
  },

  assertEdit(actor: Actor, organisationId: string): void {
    if (!CmdbPolicy.canEdit(actor, organisationId)) throw new DomainError('forbidden');
  },
};

export function assertReadItem(actor: Actor, item: ConfigurationItem | undefined, typed: string): ConfigurationItem {
  if (!item || !CmdbPolicy.canRead(actor, item)) throw new DomainError('ci_not_found', { ref: typed.trim().slice(0, 40) });
  return item;
}
