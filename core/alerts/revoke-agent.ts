/**
 * Revoking a monitoring agent — the machine was retired or reinstalled, or its credentials
 * leaked. From then on the ingest refuses its reports (401, nothing stored) and the watchdog no
 * longer expects its heartbeat; every open alert of the agent, its "agent offline" alert
 * included, is resolved, each one's message edited (not a new one). Like a role revocation the
 * decision is recorded with who and why, and announced — in the alerts channels, where its
 * alerts were. Moderators, the committee (and so the CLI) and the organisation's ICT lead only.
 */

import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Organisation } from '../kernel/person.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { publishAlert } from './alert-message.ts';
import { AlertStateMachine } from './alert-state.ts';
import { canManageMonitoring, ledOrganisations } from './enrolment.ts';
import { t } from './messages.ts';
import { type Alert, type ConfigurationItem, ConfigurationItemRef, type MonitoredAgent } from './model.ts';

export const REVOKE_REASON_MAX = 500;

export interface RevokeAgentInput {
  /** The machine: its name (hostname), its configuration item (CI-000042) or the agent's id. */
  readonly agent: string;
  readonly reason: string;
}

export interface RevokedAgent {
  readonly agent: MonitoredAgent;
  readonly organisation: Organisation | undefined;
  readonly configurationItem: ConfigurationItem | undefined;
  /** The alerts that were open and are now resolved. */
  readonly resolved: readonly Alert[];
}

const AGENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "CI-000007 pc-segreteria", or the agent's own name when it has no configuration item. */
export function machineLabel(agent: Pick<MonitoredAgent, 'name'>, item: Pick<ConfigurationItem, 'number' | 'name'> | undefined): string {
  return item ? `${ConfigurationItemRef.format(item.number)} ${item.name}` : agent.name;
}

export async function revokeAgent(ctx: UseCaseContext, input: RevokeAgentInput): Promise<RevokedAgent> {
  // Nobody else may revoke anything: refused before saying which machines exist.
  if (!Actor.isStaff(ctx.actor) && ledOrganisations(ctx.actor).length === 0) throw new DomainError('forbidden');
  const reason = input.reason.trim();
  if (!reason || reason.length > REVOKE_REASON_MAX) throw new DomainError('invalid_input', { field: 'reason', max: REVOKE_REASON_MAX });
  const found = await findAgent(ctx, input.agent.trim());
  if (!canManageMonitoring(ctx.actor, found.organisationId)) throw new DomainError('forbidden');

  // Under the agent's row lock, like a report and the watchdog: one waiting on us then sees it revoked.
  const now = ctx.clock.now();
  const locked = await ctx.repos.monitoring.lockAgent(found.id);
  const agent = locked && (await ctx.repos.monitoring.revokeAgent(locked.id, Actor.recordedId(ctx.actor), reason, now));
  const [organisation, item] = await Promise.all([
    ctx.repos.people.findOrganisation(found.organisationId),
    ctx.repos.monitoring.findConfigurationItemOfAgent(found.id),
  ]);
  if (!agent) throw new DomainError('agent_revoked', { name: forChannel(machineLabel(found, item), 80) });

  const resolved: Alert[] = [];
  for (const open of await ctx.repos.monitoring.listOpenAlerts(agent.id)) {
    const alert = await ctx.repos.monitoring.lockAlert(open.id);
    const state = alert && AlertStateMachine.next(alert.state, 'resolve');
    if (!alert || !state) continue;
    const updated = await ctx.repos.monitoring.updateAlert(alert.id, { state, resolvedAt: now, snoozedUntil: null, notifiedAt: now }, now);
    await publishAlert(ctx.repos, ctx.notifier, updated);
    resolved.push(updated);
  }

  const machine = forChannel(machineLabel(agent, item), 80);
  await ctx.notifier.toChannels(
    'alerts',
    (l) => ({
      text: t(l, 'agent.revoked_notice', {
        machine,
        org: neutralizeMentions(organisation?.name ?? '?'),
        by: neutralizeMentions(ctx.actor.displayName),
        reason: forChannel(reason, 300),
        n: resolved.length,
      }),
    }),
    { organisationId: agent.organisationId },
  );
  return { agent, organisation, configurationItem: item, resolved };
}

/**
 * The agent named by `text`, among the machines the actor may see (every organisation for
 * moderators and the committee, their own otherwise: another organisation's machine answers like
 * an unknown one). Several machines may share a name over time (one reinstalled and enrolled
 * again): the live agent among them is meant.
 */
async function findAgent(ctx: UseCaseContext, text: string): Promise<MonitoredAgent> {
  const scope = Actor.isStaff(ctx.actor) ? undefined : Actor.organisations(ctx.actor);
  const visible = (a: MonitoredAgent | undefined): a is MonitoredAgent => !!a && (!scope || scope.includes(a.organisationId));
  const name = text.slice(0, 60);
  if (AGENT_ID.test(text)) {
    const agent = await ctx.repos.monitoring.findAgent(text);
    if (!visible(agent)) throw new DomainError('machine_not_found', { name, n: 0 });
    return agent;
  }
  const items = text ? await ctx.repos.monitoring.findConfigurationItemsByName(text, scope) : [];
  const agents = (await Promise.all(items.map((i) => (i.agentId ? ctx.repos.monitoring.findAgent(i.agentId) : undefined)))).filter(visible);
  const live = agents.filter((a) => !a.revokedAt);
  if (live.length === 1) return live[0]!;
  // Only revoked ones: say so, rather than "not found".
  if (live.length === 0 && agents.length > 0) return agents[0]!;
  throw new DomainError('machine_not_found', { name, n: live.length });
}
