import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Problem } from './model.ts';

/**
 * Who may work problems: volunteers, moderators and the committee (problems span organisations).
 * Requesters hear of a problem only through their own incidents — the workaround and the
 * resolution told privately — so for them a problem's commands are forbidden. Once a problem has
 * an owner, only the owner or staff move it on.
 */
export const ProblemPolicy = {
  isWorker(actor: Actor): boolean {
    return Actor.isStaff(actor) || Actor.has(actor, 'volunteer');
  },

  assertWorker(actor: Actor): void {
    if (!ProblemPolicy.isWorker(actor)) throw new DomainError('forbidden');
  },

  /** The owner, staff, or any volunteer while nobody owns it. */
  assertMove(actor: Actor, problem: Problem): void {
    ProblemPolicy.assertWorker(actor);
    if (Actor.isStaff(actor) || problem.ownerId === null || problem.ownerId === actor.personId) return;
    throw new DomainError('not_owner', { ref: problem.ref });
  },
};
