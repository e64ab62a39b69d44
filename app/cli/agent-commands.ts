import { AlertRef, ConfigurationItemRef } from '../../core/alerts/model.ts';
import { machineLabel, revokeAgent } from '../../core/alerts/revoke-agent.ts';
import { optional, required } from './arguments.ts';
import { defineCommand } from './command.ts';
import { cliText } from './messages.ts';

export const agentRevoke = defineCommand({
  name: 'agent revoke',
  synopsis: '--machine NAME|CI-000042|AGENT-ID --reason TEXT [--as HANDLE]',
  summary:
    "revoke a monitoring agent: its reports are refused from now on, its open alerts resolved (as HANDLE: an ICT lead's own organisation only)",
  options: { machine: { type: 'string' }, reason: { type: 'string' }, as: { type: 'string' } },
  parse: (args) => ({ machine: required(args, 'machine').trim(), reason: required(args, 'reason'), as: optional(args, 'as') }),
  async run(session, input) {
    const r = await session.run(input.as, (ctx) => revokeAgent(ctx, { agent: input.machine, reason: input.reason }));
    // Never the agent's secret.
    const json = {
      agentId: r.agent.id,
      name: r.agent.name,
      configurationItem: r.configurationItem ? ConfigurationItemRef.format(r.configurationItem.number) : null,
      organisation: r.organisation ? { fiscalCode: r.organisation.fiscalCode, name: r.organisation.name } : null,
      revokedAt: r.agent.revokedAt,
      reason: r.agent.revokeReason,
      resolvedAlerts: r.resolved.map((a) => AlertRef.format(a.number)),
    };
    const text = cliText(session.locale, 'agent.revoked', {
      machine: machineLabel(r.agent, r.configurationItem),
      org: r.organisation?.name ?? '?',
      n: r.resolved.length,
    });
    return { json, text };
  },
});
