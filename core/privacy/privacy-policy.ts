import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';

/**
 * Who may exercise a person's privacy rights:
 * - the export: the person themself (in chat, delivered privately) or the operator at the CLI
 *   (the system actor), who answers a request received by mail or on paper;
 * - the erasure: only the operator at the CLI, after checking who asks — a chat account can be
 *   borrowed, and an erasure cannot be undone.
 */
export const PrivacyPolicy = {
  canExport(actor: Actor, personId: string): boolean {
    return Actor.isSystem(actor) || actor.personId === personId;
  },
  assertExport(actor: Actor, personId: string): void {
    if (!PrivacyPolicy.canExport(actor, personId)) throw new DomainError('forbidden');
  },
  canErase(actor: Actor): boolean {
    return Actor.isSystem(actor);
  },
  assertErase(actor: Actor): void {
    if (!PrivacyPolicy.canErase(actor)) throw new DomainError('forbidden');
  },
};
