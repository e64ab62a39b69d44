import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';

/** The organisations whose ICT lead the actor is. */
const ledBy = (actor: Actor): string[] =>
  actor.roles.filter((r) => r.role === 'ict_lead' && r.organisationId !== null).map((r) => r.organisationId as string);

/**
 * Who reads which report. The flow report names tickets and people: the committee, moderators
 * and volunteers read it for everyone; an ICT lead only for their organisation. The observers'
 * report is aggregated and anonymised: observers, moderators and the committee read it.
 */
export const ReportPolicy = {
  /** The organisation a flow report may cover (undefined: every one), or a refusal. */
  flowScope(actor: Actor, organisationId: string | undefined): string | undefined {
    if (Actor.isStaff(actor) || Actor.has(actor, 'volunteer')) return organisationId;
    const led = ledBy(actor);
    if (organisationId ? led.includes(organisationId) : led.length === 1) return organisationId ?? led[0];
    throw new DomainError('forbidden');
  },

  assertObserverReport(actor: Actor): void {
    if (!Actor.isStaff(actor) && !Actor.has(actor, 'observer')) throw new DomainError('forbidden');
  },

  /** Whether the organisation may be named in reports is its ICT lead's (or staff's) to say. */
  assertNaming(actor: Actor, organisationId: string): void {
    if (!Actor.isStaff(actor) && !ledBy(actor).includes(organisationId)) throw new DomainError('forbidden');
  },
};
