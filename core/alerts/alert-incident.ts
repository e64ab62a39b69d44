/**
 * The incident behind a serious alert. The agent opens it through the ordinary `createTicket`
 * use case, as the person it acts for (enrolled as a requester of its organisation), so the
 * policy, the priority matrix, the history, the SLA clock and the volunteers' card all apply.
 * Its resolution is noted on the incident as a comment from the agent.
 */

import type { UseCaseContext } from '../kernel/context.ts';
import { type Locale } from '../kernel/i18n.ts';
import type { Notifier } from '../kernel/notifier.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';
import { forChannel } from '../kernel/sanitize.ts';
import { isFinal, type Ticket } from '../kernel/ticket.ts';
import { actorForPerson } from '../people/resolve-actor.ts';
import { addComment } from '../tickets/add-comment.ts';
import { createTicket, DESCRIPTION_MAX, TITLE_MAX } from '../tickets/create-ticket.ts';
import { formatValue, kindLabel, suggestion, summary } from './alert-message.ts';
import { t } from './messages.ts';
import { type Alert, AlertRef, ConfigurationItemRef, type MonitoredAgent, type Severity } from './model.ts';

/** Alerts at or above this severity open an incident. */
export const INCIDENT_SEVERITY: Severity = 'crit';

const RANK: Readonly<Record<Severity, number>> = { warn: 1, crit: 2 };

export function opensIncident(severity: Severity): boolean {
  return RANK[severity] >= RANK[INCIDENT_SEVERITY];
}

export interface AgentContextDeps {
  readonly repos: Repositories;
  readonly clock: Clock;
  readonly notifier: Notifier;
  readonly defaultLocale: Locale;
}

/** A use-case context acting as the agent's person (with its real, recorded roles). */
export async function agentContext(deps: AgentContextDeps, agent: MonitoredAgent): Promise<UseCaseContext | undefined> {
  const person = await deps.repos.people.findPerson(agent.personId);
  if (!person) return undefined;
  const actor = await actorForPerson(deps.repos, person);
  return { repos: deps.repos, clock: deps.clock, actor, notifier: deps.notifier, defaultLocale: deps.defaultLocale };
}

/** The incident's description: what, where, the evidence (masked) and the first step. */
export function incidentDescription(l: Locale, alert: Alert, machine: string): string {
  const lines = [
    summary(l, alert),
    '',
    `${t(l, 'alert.field.machine')}: ${machine}`,
    `${t(l, 'alert.field.check')}: ${alert.checkId} · ${alert.target}`,
    `${t(l, 'alert.field.value')}: ${formatValue(l, alert.lastValue, alert.unit)}`,
  ];
  if (alert.message) lines.push(`${t(l, 'alert.field.detail')}: ${forChannel(alert.message, 500)}`);
  const details = Object.entries(alert.evidence?.details ?? {});
  for (const [k, v] of details.slice(0, 10)) lines.push(`${forChannel(k, 40)}: ${forChannel(String(v), 200)}`);
  const excerpt = alert.evidence?.lines ?? [];
  if (excerpt.length) {
    lines.push('', `${t(l, 'alert.evidence')}:`);
    // Log lines can carry e-mail addresses and phone numbers: masked like every text shown to volunteers.
    for (const line of excerpt.slice(-10)) lines.push(`› ${forChannel(line, 300)}`);
  }
  lines.push(
    '',
    `${t(l, 'alert.first_step')}: ${suggestion(l, alert.kind)}`,
    '',
    t(l, 'alert.incident_footer', { alert: AlertRef.format(alert.number) }),
  );
  const text = lines.join('\n');
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}

/**
 * Opens the alert's incident unless it has a live one; returns the ticket (new or existing).
 * Idempotent per alert firing: a retried report finds the ticket by its idempotency key.
 */
export async function ensureIncident(ctx: UseCaseContext, alert: Alert, machineName: string, ciNumber: number | null): Promise<Ticket> {
  if (alert.incidentId) {
    const existing = await ctx.repos.tickets.findById(alert.incidentId);
    // A resolved incident is done with: an alert firing again needs one somebody can claim.
    if (existing && !isFinal(existing.status) && existing.status !== 'resolved') return existing;
  }
  const l = ctx.defaultLocale;
  const title = t(l, 'alert.incident_title', { check: kindLabel(l, alert.kind), machine: machineName }).slice(0, TITLE_MAX);
  const machine = ciNumber !== null ? `${ConfigurationItemRef.format(ciNumber)} ${machineName}` : machineName;
  const { ticket } = await createTicket(ctx, {
    kind: 'incident',
    title,
    description: incidentDescription(l, alert, machine),
    impact: 2,
    urgency: 2,
    category: 'monitoring',
    configurationItemId: alert.configurationItemId,
    organisationId: alert.organisationId,
    idempotencyKey: `alert:${alert.id}:${alert.flaps}`,
  });
  return ticket;
}

/** Notes on the incident that the alert resolved (a comment from the agent, so the owner hears it). */
export async function noteResolution(ctx: UseCaseContext, alert: Alert): Promise<void> {
  if (!alert.incidentId) return;
  const ticket = await ctx.repos.tickets.findById(alert.incidentId);
  if (!ticket || isFinal(ticket.status)) return;
  const l = ctx.defaultLocale;
  const body = t(l, 'alert.resolved_note', {
    alert: AlertRef.format(alert.number),
    check: kindLabel(l, alert.kind),
    target: forChannel(alert.target, 120),
  });
  await addComment(ctx, ticket.ref, body);
}
