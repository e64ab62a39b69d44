/**
 * What people do with an alert from its buttons: Claim (the incident, via `claimTicket`),
 * Acknowledge, Snooze 1 h, False alarm. Each redraws the alert's one message.
 */

import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { claimTicket } from '../tickets/claim-ticket.ts';
import { agentContext, ensureIncident } from './alert-incident.ts';
import { publishAlert } from './alert-message.ts';
import { AlertStateMachine, SNOOZE_MS } from './alert-state.ts';
import { type Alert, AlertRef } from './model.ts';

/** Volunteers and staff work alerts; an organisation's ICT lead works its own. */
export function canWorkAlert(actor: Actor, alert: Pick<Alert, 'organisationId'>): boolean {
  return (
    Actor.has(actor, 'volunteer') ||
    Actor.isStaff(actor) ||
    actor.roles.some((r) => r.role === 'ict_lead' && r.organisationId === alert.organisationId)
  );
}

/** The alert, locked for this transaction, if the actor may work it (otherwise as if it did not exist). */
async function alertForWork(ctx: UseCaseContext, alertId: string): Promise<Alert> {
  const alert = await ctx.repos.monitoring.lockAlert(alertId);
  if (!alert || !canWorkAlert(ctx.actor, alert)) throw new DomainError('alert_not_found');
  return alert;
}

export async function acknowledgeAlert(ctx: UseCaseContext, alertId: string): Promise<Alert> {
  const alert = await alertForWork(ctx, alertId);
  const state = AlertStateMachine.nextOrThrow(alert.state, 'acknowledge', AlertRef.format(alert.number));
  const now = ctx.clock.now();
  const updated = await ctx.repos.monitoring.updateAlert(alert.id, { state, acknowledgedAt: now, acknowledgedBy: ctx.actor.personId }, now);
  await publishAlert(ctx.repos, ctx.notifier, updated);
  return updated;
}

/** Mutes the alert for an hour; if it still fires then, the watchdog sets it firing again. */
export async function snoozeAlert(ctx: UseCaseContext, alertId: string, forMs = SNOOZE_MS): Promise<Alert> {
  const alert = await alertForWork(ctx, alertId);
  const state = AlertStateMachine.nextOrThrow(alert.state, 'snooze', AlertRef.format(alert.number));
  const now = ctx.clock.now();
  const updated = await ctx.repos.monitoring.updateAlert(
    alert.id,
    {
      state,
      snoozedUntil: new Date(now.getTime() + forMs),
      acknowledgedAt: alert.acknowledgedAt ?? now,
      acknowledgedBy: alert.acknowledgedBy ?? ctx.actor.personId,
    },
    now,
  );
  await publishAlert(ctx.repos, ctx.notifier, updated);
  return updated;
}

/** Records that the check cried wolf (counted per check by `rumorosi`), and mutes the alert. */
export async function markFalseAlarm(ctx: UseCaseContext, alertId: string): Promise<Alert> {
  const alert = await alertForWork(ctx, alertId);
  const state = AlertStateMachine.nextOrThrow(alert.state, 'false_alarm', AlertRef.format(alert.number));
  if (alert.falseAlarmAt) return alert;
  const now = ctx.clock.now();
  const updated = await ctx.repos.monitoring.updateAlert(
    alert.id,
    {
      state,
      falseAlarmAt: now,
      falseAlarmBy: ctx.actor.personId,
      ...(state === 'acknowledged' && !alert.acknowledgedAt ? { acknowledgedAt: now, acknowledgedBy: ctx.actor.personId } : {}),
    },
    now,
  );
  await publishAlert(ctx.repos, ctx.notifier, updated);
  return updated;
}

/**
 * Claims the alert's incident for the volunteer (through `claimTicket`: one of any number of
 * simultaneous claims wins). A warning that opened no incident gets one now, so the work is
 * tracked. A firing alert counts as acknowledged by whoever claims it.
 */
export async function claimAlert(ctx: UseCaseContext, alertId: string): Promise<{ alert: Alert; ticket: Ticket }> {
  const alert = await alertForWork(ctx, alertId);
  if (alert.state === 'resolved') throw new DomainError('alert_transition', { ref: AlertRef.format(alert.number) });
  if (!Actor.has(ctx.actor, 'volunteer')) throw new DomainError('not_volunteer');
  const now = ctx.clock.now();
  let incident = alert.incidentId ? await ctx.repos.tickets.findById(alert.incidentId) : undefined;
  let current = alert;
  if (!incident || incident.status === 'closed' || incident.status === 'cancelled') {
    const agent = await ctx.repos.monitoring.findAgent(alert.agentId);
    const item = alert.configurationItemId ? await ctx.repos.monitoring.findConfigurationItem(alert.configurationItemId) : undefined;
    const asAgent = agent && (await agentContext(ctx, agent));
    if (!asAgent) throw new DomainError('alert_not_found');
    incident = await ensureIncident(asAgent, alert, item?.name ?? agent.name, item?.number ?? null);
    current = await ctx.repos.monitoring.updateAlert(alert.id, { incidentId: incident.id }, now);
  }
  const ticket = await claimTicket(ctx, incident.ref);
  if (current.state === 'firing')
    current = await ctx.repos.monitoring.updateAlert(
      current.id,
      { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: ctx.actor.personId },
      now,
    );
  await publishAlert(ctx.repos, ctx.notifier, current);
  return { alert: current, ticket };
}
