/**
 * The monitoring commands and the alert buttons:
 * `agente` (an enrolment code), `agente revoca <macchina> <motivo>` (the agent revoked),
 * `agenti` (the agents and their heartbeat), `rumorosi` (the checks that fire and cry wolf most),
 * `silenzia <org|macchina> <durata> [motivo]`.
 */

import { Actor } from '../kernel/actor.ts';
import { type CommandSpec, type Feature, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { formatDate } from '../kernel/format.ts';
import { isFiscalCode } from '../kernel/person.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Turn } from '../kernel/turn.ts';
import { acknowledgeAlert, claimAlert, markFalseAlarm, snoozeAlert } from './alert-actions.ts';
import { kindLabel } from './alert-message.ts';
import { canManageMonitoring, createEnrolmentCode, ledOrganisations } from './enrolment.ts';
import { isOverdue } from './hysteresis.ts';
import { m, t } from './messages.ts';
import { AlertRef, type ConfigurationItem, ConfigurationItemRef } from './model.ts';
import { machineLabel, revokeAgent } from './revoke-agent.ts';
import { parseDuration } from './silence.ts';

const NOISY_WINDOW_MS = 30 * 86_400_000;
/** `agente revoca …` / `agent revoke …`: the subcommand word, in either language. */
const REVOKE_WORDS: ReadonlySet<string> = new Set(['revoca', 'revoke']);

/** Organisations whose monitoring the actor sees: all for volunteers and staff, their own otherwise. */
function visibleOrganisations(actor: Actor): string[] | undefined {
  if (Actor.has(actor, 'volunteer') || Actor.isStaff(actor)) return undefined;
  return Actor.organisations(actor);
}

async function enrolmentCode(turn: Turn, c: ParsedCommand): Promise<void> {
  // An enrolment code lets a machine report as the organisation: never shown in a channel.
  if (!turn.inDm) throw new DomainError('dm_only');
  const ctx = turn.ctx;
  const arg = c.args[0];
  const led = ledOrganisations(ctx.actor);
  if (!arg && led.length !== 1) {
    if (!Actor.isStaff(ctx.actor) && led.length === 0) throw new DomainError('forbidden');
    return turn.say(t(turn.locale, 'usage.agent'));
  }
  const { code, organisation } = await createEnrolmentCode(ctx, arg ? { fiscalCode: arg } : { organisationId: led[0]! });
  turn.replyPrivately({ text: t(turn.locale, 'agent.code', { code, org: organisation.name }) });
}

/** `agente revoca <CI-000042 | nome macchina> <motivo>`: reports refused from now on, open alerts resolved. */
async function revoke(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  const machine = c.args[1];
  const reason = restAfter(c.rest, 2);
  if (!machine || !reason) {
    if (!Actor.isStaff(ctx.actor) && ledOrganisations(ctx.actor).length === 0) throw new DomainError('forbidden');
    return turn.say(t(turn.locale, 'usage.agent'));
  }
  const r = await revokeAgent(ctx, { agent: machine, reason });
  turn.say(
    t(turn.locale, 'agent.revoked', {
      machine: forChannel(machineLabel(r.agent, r.configurationItem), 80),
      org: neutralizeMentions(r.organisation?.name ?? '?'),
      n: r.resolved.length,
    }),
  );
}

async function listAgents(turn: Turn): Promise<void> {
  const ctx = turn.ctx;
  const orgs = visibleOrganisations(ctx.actor);
  if (orgs && !ctx.actor.roles.some((r) => r.role === 'ict_lead')) throw new DomainError('forbidden');
  const agents = await ctx.repos.monitoring.listAgents(orgs);
  if (agents.length === 0) return turn.say(t(turn.locale, 'agents.empty'));
  const now = ctx.clock.now();
  const lines = await Promise.all(
    agents.slice(0, 50).map(async (a) => {
      const [org, item] = await Promise.all([
        ctx.repos.people.findOrganisation(a.organisationId),
        ctx.repos.monitoring.findConfigurationItemOfAgent(a.id),
      ]);
      const online = !isOverdue(a.lastSeenAt, a.enrolledAt, a.heartbeatSeconds, a.graceSeconds, now);
      return t(turn.locale, 'agents.line', {
        ci: item ? ConfigurationItemRef.format(item.number) : '—',
        name: forChannel(a.name, 60),
        org: neutralizeMentions(org?.name ?? '?'),
        state: t(turn.locale, online ? 'agents.online' : 'agents.offline'),
        seen: a.lastSeenAt ? formatDate(turn.locale, a.lastSeenAt) : '—',
      });
    }),
  );
  turn.replyPrivately({ title: t(turn.locale, 'agents.title', { n: agents.length }), text: lines.join('\n') });
}

async function noisy(turn: Turn): Promise<void> {
  const ctx = turn.ctx;
  const orgs = visibleOrganisations(ctx.actor);
  if (orgs && !ctx.actor.roles.some((r) => r.role === 'ict_lead')) throw new DomainError('forbidden');
  const since = new Date(ctx.clock.now().getTime() - NOISY_WINDOW_MS);
  const rows = await ctx.repos.monitoring.listNoisy(since, orgs, 10);
  if (rows.length === 0) return turn.say(t(turn.locale, 'noisy.empty'));
  const lines = rows.map((r, i) =>
    t(turn.locale, 'noisy.line', {
      n: i + 1,
      check: forChannel(r.checkId, 60),
      kind: kindLabel(turn.locale, r.kind),
      target: forChannel(r.target, 80),
      machine: forChannel(r.agentName, 60),
      false_alarms: r.falseAlarms,
      firings: r.firings,
    }),
  );
  turn.replyPrivately({ title: t(turn.locale, 'noisy.title'), text: lines.join('\n') });
}

/** `silenzia <codice fiscale | CI-000042 | nome macchina> <durata> [motivo]`; without arguments, the active silences. */
async function silence(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  const [target, durationText] = c.args;
  const now = ctx.clock.now();
  if (!target || !durationText) {
    const silences = await ctx.repos.monitoring.listSilences(now, visibleOrganisations(ctx.actor));
    const lines = await Promise.all(
      silences.map(async (s) => {
        const [org, item] = await Promise.all([
          ctx.repos.people.findOrganisation(s.organisationId),
          s.configurationItemId ? ctx.repos.monitoring.findConfigurationItem(s.configurationItemId) : undefined,
        ]);
        return t(turn.locale, 'silence.line', {
          what: item ? `${ConfigurationItemRef.format(item.number)} ${forChannel(item.name, 60)}` : neutralizeMentions(org?.name ?? '?'),
          until: formatDate(turn.locale, s.endsAt),
          reason: forChannel(s.reason, 100) || '—',
        });
      }),
    );
    return turn.replyPrivately({
      text: [t(turn.locale, 'usage.silence'), ...(lines.length ? ['', t(turn.locale, 'silence.active'), ...lines] : [])].join('\n'),
    });
  }
  const ms = parseDuration(durationText);
  if (!ms) return turn.say(t(turn.locale, 'usage.silence'));
  const reason = restAfter(c.rest, 2).slice(0, 300);

  let organisationId: string;
  let item: ConfigurationItem | undefined;
  if (isFiscalCode(target)) {
    const org = await ctx.repos.people.findOrganisationByFiscalCode(target.trim().toUpperCase());
    if (!org) throw new DomainError('organisation_not_found', { code: target.slice(0, 20) });
    organisationId = org.id;
  } else {
    const found = await ctx.repos.monitoring.findConfigurationItemsByName(target, visibleOrganisations(ctx.actor));
    if (found.length !== 1) throw new DomainError('machine_not_found', { name: target.slice(0, 60), n: found.length });
    item = found[0]!;
    organisationId = item.organisationId;
  }
  // The organisation's ICT lead, moderators and the committee plan maintenance; volunteers may too, while they work on it.
  if (!canManageMonitoring(ctx.actor, organisationId) && !Actor.has(ctx.actor, 'volunteer')) throw new DomainError('forbidden');
  const org = await ctx.repos.people.findOrganisation(organisationId);
  const s = await ctx.repos.monitoring.addSilence({
    organisationId,
    configurationItemId: item?.id ?? null,
    startsAt: now,
    endsAt: new Date(now.getTime() + ms),
    reason,
    createdBy: ctx.actor.personId,
  });
  const what = item ? `${ConfigurationItemRef.format(item.number)} ${forChannel(item.name, 60)}` : neutralizeMentions(org?.name ?? '?');
  turn.reply({
    text: t(turn.locale, 'silence.done', { what, until: formatDate(turn.locale, s.endsAt), reason: forChannel(reason, 100) || '—' }),
  });
}

/** The alert buttons: `alert.claim`, `alert.ack`, `alert.snooze`, `alert.false_alarm` (value: the alert id). */
async function handleAlertAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const ctx = turn.ctx;
  switch (action.id) {
    case 'alert.claim': {
      const { alert, ticket } = await claimAlert(ctx, action.value);
      return turn.say(t(turn.locale, 'alert.ok.claimed', { alert: AlertRef.format(alert.number), ref: ticket.ref }));
    }
    case 'alert.ack': {
      const alert = await acknowledgeAlert(ctx, action.value);
      return turn.say(t(turn.locale, 'alert.ok.acknowledged', { alert: AlertRef.format(alert.number) }));
    }
    case 'alert.snooze': {
      const alert = await snoozeAlert(ctx, action.value);
      return turn.say(
        t(turn.locale, 'alert.ok.snoozed', {
          alert: AlertRef.format(alert.number),
          until: formatDate(turn.locale, alert.snoozedUntil ?? ctx.clock.now()),
        }),
      );
    }
    case 'alert.false_alarm': {
      const alert = await markFalseAlarm(ctx, action.value);
      return turn.say(
        t(turn.locale, 'alert.ok.false_alarm', { alert: AlertRef.format(alert.number), check: forChannel(alert.checkId, 60) }),
      );
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

/** Who looks after monitoring: ICT leads for their organisation, volunteers and staff for all. */
const MONITORING = ['ict_lead', 'volunteer', 'moderator', 'committee'] as const;

const commands: CommandSpec[] = [
  {
    name: 'agent',
    words: { it: ['agente'], en: ['agent'] },
    grammar: Grammar.free,
    audience: ['ict_lead', 'moderator', 'committee'],
    section: 'monitoring',
    ...m.helpOf('agent'),
    usage: (l) => t(l, 'usage.agent'),
    handle: (turn, c) => (REVOKE_WORDS.has((c.args[0] ?? '').toLowerCase()) ? revoke(turn, c) : enrolmentCode(turn, c)),
  },
  {
    name: 'agents',
    words: { it: ['agenti'], en: ['agents'] },
    grammar: Grammar.none,
    audience: MONITORING,
    section: 'monitoring',
    ...m.helpOf('agents'),
    handle: listAgents,
  },
  {
    name: 'silence',
    words: { it: ['silenzia'], en: ['silence'] },
    grammar: Grammar.free,
    audience: MONITORING,
    section: 'monitoring',
    ...m.helpOf('silence'),
    usage: (l) => t(l, 'usage.silence'),
    handle: silence,
  },
  {
    name: 'noisy',
    words: { it: ['rumorosi'], en: ['noisy'] },
    grammar: Grammar.none,
    audience: MONITORING,
    section: 'monitoring',
    ...m.helpOf('noisy'),
    handle: noisy,
  },
];

export const alertsFeature: Feature = {
  name: 'alerts',
  commands,
  actions: [{ prefix: 'alert.', handle: handleAlertAction }],
};
