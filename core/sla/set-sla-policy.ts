import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { TICKET_STATUSES } from '../kernel/ticket.ts';
import { SlaClock } from './sla-clock.ts';
import { loadSlaContext, rescheduleSla } from './sla-events.ts';
import { SlaPolicy, type SlaPolicyRow } from './sla-policy.ts';

/** Statuses in which an SLA clock may still run (everything but stopped and cancelled). */
const LIVE_STATUSES = TICKET_STATUSES.filter((s) => ['counting', 'paused'].includes(SlaClock.resolutionPhase(s)));

/**
 * A moderator (or the committee) changes the targets of one tier × priority. The change moves
 * deadlines: every live ticket of that tier and priority has its SLA events rewritten at once,
 * in this transaction (a ticket past a tighter target gets its warning or breach now).
 *
 * @example await setSlaPolicy(ctx, { tier: 'volunteer', priority: 2, responseMinutes: 240, resolutionMinutes: 1620, allHours: false })
 */
export async function setSlaPolicy(ctx: UseCaseContext, row: SlaPolicyRow): Promise<{ row: SlaPolicyRow; rescheduled: number }> {
  if (!Actor.isStaff(ctx.actor)) throw new DomainError('forbidden');
  if (SlaPolicy.validate(row)) throw new DomainError('invalid_input', { field: 'sla', max: 366 });
  const now = ctx.clock.now();
  await ctx.repos.sla.savePolicy(row, Actor.isSystem(ctx.actor) ? null : ctx.actor.personId, now);
  const sla = await loadSlaContext(ctx.repos);
  const tickets = (await ctx.repos.tickets.list({ statuses: LIVE_STATUSES })).filter(
    (x) => x.tier === row.tier && x.priority === row.priority,
  );
  for (const x of tickets) {
    const locked = await ctx.repos.sla.lockTicket(x.id);
    if (locked) await rescheduleSla(ctx, locked, sla);
  }
  return { row, rescheduled: tickets.length };
}
