/**
 * Who may do what in the community. Questions, answers and search are for anyone Sportello knows
 * in some role (members, volunteers, staff, observers); the asker and the moderators accept
 * answers; only the asker says whether an answer worked; moderators (and the committee)
 * moderate and approve; observers announce through the moderators.
 */
import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Question } from './model.ts';

export const CommunityPolicy = {
  isModerator(actor: Actor): boolean {
    return Actor.isStaff(actor);
  },

  assertModerator(actor: Actor): void {
    if (!CommunityPolicy.isModerator(actor)) throw new DomainError('forbidden');
  },

  /** Someone with a role: an unknown newcomer is told how to join first. */
  assertMember(actor: Actor): void {
    if (actor.roles.length === 0) throw new DomainError('community_members_only');
  },

  /** The asker, or a moderator on their behalf. */
  assertAcceptor(actor: Actor, q: Question): void {
    if (q.authorId !== actor.personId && !CommunityPolicy.isModerator(actor)) throw new DomainError('not_asker', { ref: q.ref });
  },

  /** Whether it worked is the asker's word alone. */
  assertAsker(actor: Actor, q: Question): void {
    if (q.authorId !== actor.personId) throw new DomainError('asker_only', { ref: q.ref });
  },

  assertAnnouncer(actor: Actor): void {
    if (!Actor.has(actor, 'observer') && !CommunityPolicy.isModerator(actor)) throw new DomainError('forbidden');
  },
};
