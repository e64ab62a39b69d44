/**
 * The conversation's own commands: `aiuto`, `annulla`, `canale`/`scollega` (binding a channel
 * to a purpose), the intake dialog and its buttons.
 */

import { type CommandSpec, type Feature, Grammar } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { CHANNEL_PURPOSES, type ChannelPurpose } from '../kernel/ports.ts';
import type { Turn } from '../kernel/turn.ts';
import { Policy } from '../tickets/policy.ts';
import { isIntakeState } from './dialog-state.ts';
import { continueIntake } from './free-text.ts';
import { helpMessage } from './help.ts';
import { m, t } from './messages.ts';

const PURPOSE_WORDS: Readonly<Record<string, ChannelPurpose>> = {
  volontari: 'volunteers',
  allerte: 'alerts',
  allarmi: 'alerts',
  comitato: 'committee',
  osservatori: 'observers',
  ...Object.fromEntries(CHANNEL_PURPOSES.map((p) => [p, p])),
};

const STAFF = ['moderator', 'committee'] as const;

async function cancel(turn: Turn): Promise<void> {
  const had = await turn.ctx.repos.dialogs.get(turn.dialogKey, turn.ctx.clock.now());
  await turn.ctx.repos.dialogs.delete(turn.dialogKey);
  turn.say(t(turn.locale, had ? 'dialog.cancelled' : 'dialog.nothing_to_cancel'));
}

/** `canale <scopo> [codice fiscale]` / `scollega <scopo>`, typed in the channel itself. */
async function bindChannel(turn: Turn, args: readonly string[], unbind: boolean): Promise<void> {
  const ctx = turn.ctx;
  const purpose = PURPOSE_WORDS[(args[0] ?? '').toLowerCase()];
  if (!purpose || turn.inDm) return turn.say(t(turn.locale, 'usage.bind'));
  Policy.assertBindChannel(ctx.actor);
  const { platform, conversation } = turn.inbound;
  const purposeName = t(turn.locale, `purpose.${purpose}`);
  if (unbind) {
    await ctx.repos.channels.unbind(platform, conversation.id, purpose);
    return turn.reply({ text: t(turn.locale, 'ok.unbound', { purpose: purposeName }) });
  }
  // `canale allerte <codice fiscale>`: this channel gets that organisation's messages only.
  const fiscal = args[1];
  const org = fiscal ? await ctx.repos.people.findOrganisationByFiscalCode(fiscal.trim().toUpperCase()) : undefined;
  if (fiscal && !org) throw new DomainError('organisation_not_found', { code: fiscal.slice(0, 20) });
  await ctx.repos.channels.bind({
    purpose,
    platform,
    conversationId: conversation.id,
    threadId: conversation.threadId ?? null,
    organisationId: org?.id ?? null,
    boundBy: ctx.actor.personId,
    boundAt: ctx.clock.now(),
  });
  turn.reply({
    text: org
      ? t(turn.locale, 'ok.bound_org', { purpose: purposeName, org: org.name })
      : t(turn.locale, 'ok.bound', { purpose: purposeName }),
  });
}

const commands: CommandSpec[] = [
  {
    name: 'help',
    words: { it: ['aiuto', 'comandi', 'start', '?'], en: ['help', 'commands'] },
    grammar: Grammar.none,
    audience: ['anyone'],
    section: 'account',
    menu: m.text('menu.help'),
    async handle(turn, _command, registry) {
      turn.replyPrivately(helpMessage(turn.locale, turn.ctx.actor, registry));
    },
  },
  {
    name: 'cancel',
    words: { it: ['annulla'], en: ['cancel', 'stop'] },
    grammar: Grammar.none,
    audience: ['anyone'],
    section: 'requester',
    ...m.helpOf('cancel'),
    handle: cancel,
  },
  {
    name: 'bind',
    words: { it: ['canale'], en: ['channel'] },
    grammar: Grammar.free,
    audience: STAFF,
    section: 'staff',
    ...m.helpOf('bind'),
    usage: (l) => t(l, 'usage.bind'),
    handle: (turn, c) => bindChannel(turn, c.args, false),
  },
  {
    name: 'unbind',
    words: { it: ['scollega'], en: ['unbind'] },
    grammar: Grammar.free,
    audience: STAFF,
    section: 'staff',
    ...m.helpOf('unbind'),
    usage: (l) => t(l, 'usage.bind'),
    handle: (turn, c) => bindChannel(turn, c.args, true),
  },
];

export const conversationFeature: Feature = {
  name: 'conversation',
  commands,
  actions: [
    {
      prefix: 'intake.',
      async handle(turn, action) {
        if (action.id === 'intake.cancel') return cancel(turn);
        const raw = await turn.ctx.repos.dialogs.get(turn.dialogKey, turn.ctx.clock.now());
        if (!isIntakeState(raw)) return turn.say(t(turn.locale, 'dialog.expired'));
        return continueIntake(turn, raw, { action });
      },
    },
  ],
  dialogs: [
    {
      flow: 'intake',
      owns: isIntakeState,
      async continue(turn, state, text) {
        if (isIntakeState(state)) await continueIntake(turn, state, { text });
      },
    },
  ],
};
