/**
 * The `sla` chat command: `sla` shows the targets (volunteers and staff); `sla <tier> <P1..P5>
 * <first response> <resolution> [24x7|lavorativo]` changes one row (moderators, committee).
 * Durations read like `45m`, `4h`, `1h30m`, `3g`/`3d` (a day is a working day, or 24 h for a
 * round-the-clock row); without the last word the row keeps its current hours.
 */

import { Actor } from '../kernel/actor.ts';
import { type Feature, Grammar, type ParsedCommand } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Priority, Tier } from '../kernel/ticket.ts';
import type { Turn } from '../kernel/turn.ts';
import { m, t } from './messages.ts';
import { setSlaPolicy } from './set-sla-policy.ts';
import { loadSlaContext } from './sla-events.ts';
import { policyDurations, policyTable, tierLabel } from './sla-format.ts';
import { SlaPolicy, type SlaPolicyRow } from './sla-policy.ts';

const TIER_WORDS: Readonly<Record<string, Tier>> = {
  volunteer: 'volunteer',
  volunteers: 'volunteer',
  volontari: 'volunteer',
  volontario: 'volunteer',
  volontaria: 'volunteer',
  vendor: 'vendor',
  vendors: 'vendor',
  fornitore: 'vendor',
  fornitori: 'vendor',
};

const ALL_HOURS_WORDS: Readonly<Record<string, boolean>> = {
  '24x7': true,
  '24/7': true,
  '24×7': true,
  h24: true,
  sempre: true,
  always: true,
  lavorativo: false,
  lavorative: false,
  ufficio: false,
  business: false,
};

async function handleSlaCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  if (c.args.length === 0) {
    if (!Actor.isStaff(ctx.actor) && !Actor.has(ctx.actor, 'volunteer')) throw new DomainError('forbidden');
    const sla = await loadSlaContext(ctx.repos);
    return turn.replyPrivately(policyTable(turn.locale, sla.policies, sla.settings));
  }
  if (!Actor.isStaff(ctx.actor)) throw new DomainError('forbidden');
  const [tierWord = '', priorityWord = '', responseText = '', resolutionText = '', modeWord] = c.args;
  const tier = TIER_WORDS[tierWord.toLowerCase()];
  const p = /^p?([1-5])$/i.exec(priorityWord)?.[1];
  const mode = modeWord === undefined ? undefined : ALL_HOURS_WORDS[modeWord.toLowerCase()];
  if (!tier || !p || !responseText || !resolutionText || c.args.length > 5 || (modeWord !== undefined && mode === undefined)) {
    return turn.say(t(turn.locale, 'usage.sla'));
  }
  const priority = Number(p) as Priority;
  const sla = await loadSlaContext(ctx.repos);
  const allHours = mode ?? SlaPolicy.find(sla.policies, tier, priority).allHours;
  const day = SlaPolicy.dayMinutes(SlaPolicy.calendar(sla.settings, allHours));
  const responseMinutes = SlaPolicy.parseDuration(responseText, day);
  const resolutionMinutes = SlaPolicy.parseDuration(resolutionText, day);
  if (responseMinutes === undefined || resolutionMinutes === undefined) return turn.say(t(turn.locale, 'usage.sla'));
  const row: SlaPolicyRow = { tier, priority, responseMinutes, resolutionMinutes, allHours };
  if (SlaPolicy.validate(row)) return turn.say(t(turn.locale, 'sla.policy.invalid'));
  const { rescheduled } = await setSlaPolicy(ctx, row);
  return turn.say(
    t(turn.locale, 'ok.sla', {
      tier: tierLabel(turn.locale, tier),
      priority,
      ...policyDurations(turn.locale, row, sla.settings),
      n: rescheduled,
    }),
  );
}

export const slaFeature: Feature = {
  name: 'sla',
  commands: [
    {
      name: 'sla',
      words: { it: ['sla'], en: ['sla'] },
      grammar: Grammar.free,
      audience: ['volunteer', 'moderator', 'committee'],
      section: 'sla',
      ...m.helpOf('sla'),
      usage: (l) => t(l, 'usage.sla'),
      handle: handleSlaCommand,
    },
  ],
};
