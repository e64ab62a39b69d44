import { Actor } from '../kernel/actor.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';
import type { CommitteeDecision } from './ports.ts';

/**
 * Records a decision of the committee in its ledger, with who took it (null for the system: an
 * automatic lapse, the CLI) and when. Every certification, renewal, suspension, reinstatement,
 * revocation, lapse, approval or rejection of an application and every closed complaint goes
 * through here, so `decisioni` answers "who, when and why" for any certified party.
 */
export async function recordDecision(
  ctx: { readonly repos: Repositories; readonly clock: Clock; readonly actor: Actor },
  d: Omit<CommitteeDecision, 'id' | 'decidedBy' | 'decidedAt' | 'role' | 'validUntil'> &
    Partial<Pick<CommitteeDecision, 'role' | 'validUntil'>>,
): Promise<CommitteeDecision> {
  return ctx.repos.certifications.recordDecision({
    ...d,
    role: d.role ?? null,
    validUntil: d.validUntil ?? null,
    decidedBy: Actor.recordedId(ctx.actor),
    decidedAt: ctx.clock.now(),
  });
}
