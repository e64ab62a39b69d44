import { handleMonitoringCommand } from '../alerts/alert-commands.ts';
import { DomainError } from '../kernel/errors.ts';
import { isLocale, t, type MessageKey } from '../kernel/i18n.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import { Actor } from '../kernel/actor.ts';
import { isOrgRole, ROLES, type Role } from '../kernel/person.ts';
import { Policy } from '../tickets/policy.ts';
import { CHANNEL_PURPOSES, type ChannelPurpose } from '../kernel/ports.ts';
import { addComment } from '../tickets/add-comment.ts';
import { changeTicketStatus, type StatusAction } from '../tickets/change-ticket-status.ts';
import { claimTicket } from '../tickets/claim-ticket.ts';
import { handOverTicket } from '../tickets/hand-over-ticket.ts';
import { listTickets } from '../tickets/list-tickets.ts';
import { grantRole, revokeRole } from '../people/manage-roles.ts';
import { rateTicket } from '../tickets/rate-ticket.ts';
import { createInvite, createLinkCode, redeemCode } from '../people/one-time-codes.ts';
import { handleSlaCommand } from '../sla/sla-command.ts';
import { ticketSlaSummary } from '../sla/sla-events.ts';
import { restAfter, looksLikeCommand, type ParsedCommand } from './commands.ts';
import { isDialogState, type DialogState, type IntakeState } from './dialog-state.ts';
import { answer, question } from './intake.ts';
import { certifiedList, helpMessage, ticketList, ticketStatus } from './replies.ts';
import { finishNote, submitIntake } from './dialog-handlers.ts';
import type { Turn } from '../kernel/turn.ts';

const ROLE_WORDS: Readonly<Record<string, Role>> = {
  volontario: 'volunteer',
  volontaria: 'volunteer',
  moderatore: 'moderator',
  moderatrice: 'moderator',
  comitato: 'committee',
  fornitore: 'vendor',
  referente: 'ict_lead',
  osservatore: 'observer',
  richiedente: 'requester',
  ...Object.fromEntries(ROLES.map((r) => [r, r])),
};

const PURPOSE_WORDS: Readonly<Record<string, ChannelPurpose>> = {
  volontari: 'volunteers',
  allerte: 'alerts',
  allarmi: 'alerts',
  comitato: 'committee',
  ...Object.fromEntries(CHANNEL_PURPOSES.map((p) => [p, p])),
};

/**
 * A person named in a command: `@handle`, or a platform mention (`<@U123>` on Slack and
 * Discord) mapped through the sender's platform identities to the person's handle.
 */
async function personArg(turn: Turn, arg: string): Promise<string> {
  const m = /^<@!?([\w.-]+)(?:\|[^>]*)?>$/.exec(arg);
  if (!m?.[1]) return arg;
  const identity = await turn.ctx.repos.people.findIdentity(turn.inbound.platform, m[1]);
  const person = identity ? await turn.ctx.repos.people.findPerson(identity.personId) : undefined;
  return person?.handle ?? arg;
}

/** Needs a ticket id as first argument; answers with usage otherwise. */
function refArg(turn: Turn, c: ParsedCommand): string | undefined {
  const ref = c.args[0];
  if (!ref) turn.say(`usage.${c.name}` as MessageKey);
  return ref;
}

export async function handleCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  const note = restAfter(c.rest, 1);
  switch (c.name) {
    case 'help':
      return turn.replyPrivately(helpMessage(turn.locale, ctx.actor));
    case 'cancel': {
      const had = await ctx.repos.dialogs.get(turn.dialogKey, ctx.clock.now());
      await ctx.repos.dialogs.delete(turn.dialogKey);
      return turn.say(had ? 'dialog.cancelled' : 'dialog.nothing_to_cancel');
    }
    case 'mine': {
      const tickets = await listTickets(ctx, { mine: Actor.has(ctx.actor, 'volunteer') });
      return turn.replyPrivately(ticketList(turn.locale, tickets));
    }
    case 'status': {
      const ref = refArg(turn, c);
      if (!ref) return;
      const ticket = await findTicketOrThrow(ctx, ref);
      const owner = ticket.assigneeId ? await ctx.repos.people.findPerson(ticket.assigneeId) : undefined;
      const sla = await ticketSlaSummary(ctx.repos, ticket, ctx.clock.now());
      return turn.replyPrivately(ticketStatus(turn.locale, ticket, owner?.displayName ?? null, ctx.actor, sla));
    }
    case 'comment':
    case 'note': {
      const ref = refArg(turn, c);
      if (!ref) return;
      const t = await addComment(ctx, ref, note, c.name === 'note');
      return turn.say('ok.comment', { ref: t.ref });
    }
    case 'claim': {
      const ref = refArg(turn, c);
      if (!ref) return;
      const t = await claimTicket(ctx, ref);
      return turn.say('ok.claimed', { ref: t.ref });
    }
    case 'confirm':
    case 'reopen':
    case 'withdraw':
    case 'unclaim':
    case 'hold':
    case 'resume':
    case 'resolve': {
      const ref = refArg(turn, c);
      if (!ref) return;
      const action: StatusAction = c.name === 'withdraw' ? 'cancel' : c.name;
      const t = await changeTicketStatus(ctx, ref, action, note);
      if (action === 'confirm') return askRating(turn, t.ref);
      return turn.say('ok.status', { ref: t.ref, status: turn.t(`status.${t.status}`) });
    }
    case 'rate': {
      const ref = refArg(turn, c);
      const stars = Number(c.args[1]);
      if (!ref) return;
      const t = await rateTicket(ctx, ref, stars);
      return turn.say('ok.rated', { ref: t.ref, stars });
    }
    case 'handover': {
      const [ref, handle] = c.args;
      if (!ref || !handle) return turn.say('usage.handover');
      const t = await handOverTicket(ctx, ref, await personArg(turn, handle), restAfter(c.rest, 2));
      return turn.say('ok.handed_over', { ref: t.ref, handle });
    }
    case 'bind':
    case 'unbind': {
      const purpose = PURPOSE_WORDS[(c.args[0] ?? '').toLowerCase()];
      if (!purpose || turn.inDm) return turn.say('usage.bind');
      Policy.assertBindChannel(ctx.actor);
      const { platform, conversation } = turn.inbound;
      if (c.name === 'unbind') {
        await ctx.repos.channels.unbind(platform, conversation.id, purpose);
        return turn.reply({ text: turn.t('ok.unbound', { purpose: turn.t(`purpose.${purpose}`) }) });
      }
      // `canale allerte <codice fiscale>`: this channel gets that organisation's messages only.
      const fiscal = c.args[1];
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
      const purposeName = turn.t(`purpose.${purpose}`);
      return turn.reply({ text: org ? turn.t('ok.bound_org', { purpose: purposeName, org: org.name }) : turn.t('ok.bound', { purpose: purposeName }) });
    }
    case 'certify':
    case 'revoke': {
      const [handle, roleWord] = c.args;
      const role = ROLE_WORDS[(roleWord ?? '').toLowerCase()];
      const reason = restAfter(c.rest, 2);
      if (!handle || !role || isOrgRole(role) || (c.name === 'revoke' && !reason))
        return turn.say(c.name === 'certify' ? 'usage.certify' : 'usage.revoke');
      const who = await personArg(turn, handle);
      if (c.name === 'certify') await grantRole(ctx, { handle: who, role, reason });
      else await revokeRole(ctx, { handle: who, role, reason });
      return turn.say(c.name === 'certify' ? 'ok.certified' : 'ok.revoked', { handle, role: turn.t(`role.${role}`) });
    }
    case 'certified': {
      if (!Actor.isStaff(ctx.actor)) throw new DomainError('forbidden');
      const roles: Role[] = ['volunteer', 'moderator', 'vendor', 'committee'];
      const people = await Promise.all(roles.map(async (r) => [r, await ctx.repos.people.listPeopleWithRole(r)] as const));
      return turn.replyPrivately(certifiedList(turn.locale, people));
    }
    case 'language': {
      const l = c.args[0]?.toLowerCase();
      if (!isLocale(l)) return turn.say('usage.language');
      await ctx.repos.people.setLocale(ctx.actor.personId, l);
      return turn.replyPrivately({ text: t(l, 'ok.language') });
    }
    case 'link': {
      if (c.args[0]) return redeem(turn, c.args[0]);
      // A link code logs its holder in as you: never shown where others can read it.
      if (!turn.inDm) throw new DomainError('dm_only');
      const code = await createLinkCode(ctx);
      return turn.replyPrivately({ text: turn.t('link.code', { code }) });
    }
    case 'join': {
      if (!c.args[0]) return turn.say('usage.join');
      return redeem(turn, c.args[0]);
    }
    case 'invite': {
      if (!turn.inDm) throw new DomainError('dm_only');
      const fiscal = c.args[0];
      if (!fiscal) return turn.say('usage.invite');
      const lead = /^(referente|lead|ict)/i.test(c.args[1] ?? '');
      const { code, organisation } = await createInvite(ctx, fiscal, lead ? 'ict_lead' : 'requester');
      return turn.replyPrivately({ text: turn.t('invite.code', { code, org: organisation.name }) });
    }
    case 'whoami': {
      const roles = ctx.actor.roles.map((r) => turn.t(`role.${r.role}`)).join(', ') || '—';
      return turn.replyPrivately({ text: turn.t('whoami', { name: turn.person.displayName, handle: turn.person.handle, roles }) });
    }
    case 'sla':
      return handleSlaCommand(turn, c);
    case 'agent':
    case 'agents':
    case 'noisy':
    case 'silence':
      return handleMonitoringCommand(turn, { ...c, name: c.name });
  }
}

async function redeem(turn: Turn, code: string): Promise<void> {
  const outcome = await redeemCode(turn.ctx, code);
  turn.say(outcome.kind === 'link' ? 'link.done' : 'invite.done', { org: outcome.kind === 'invite' ? outcome.organisationName : '' });
}

function askRating(turn: Turn, ref: string): void {
  turn.replyPrivately({
    text: turn.t('rate.ask', { ref }),
    buttons: [1, 2, 3, 4, 5].map((n) => ({ actionId: 'ticket.rate', value: `${ref}:${n}`, label: '★'.repeat(n) })),
  });
}

/**
 * Text that is not a command: in a DM it continues the open dialog or starts the intake; in a
 * thread under a ticket card it is a comment on that ticket; elsewhere in a channel it is help.
 */
export async function handleFreeText(turn: Turn, text: string, ttlMs: number): Promise<void> {
  const ctx = turn.ctx;
  const now = ctx.clock.now();
  const raw = await ctx.repos.dialogs.get(turn.dialogKey, now);
  const state: DialogState | undefined = isDialogState(raw) ? raw : undefined;

  if (state?.flow === 'note') return finishNote(turn, state, text);
  if (state?.flow === 'intake') return continueIntake(turn, state, { text }, ttlMs);

  const { conversation, platform } = turn.inbound;
  if (conversation.threadId && !turn.inDm) {
    const ref = await ctx.repos.outbox.findRef(platform, conversation.id, conversation.threadId);
    if (ref?.startsWith('card:')) {
      // The volunteers' thread under a card is their workspace: replies there are internal notes.
      const t = await addComment(ctx, ref.slice('card:'.length), text, true);
      return turn.say('ok.comment', { ref: t.ref });
    }
  }
  if (!turn.inDm || looksLikeCommand(text)) return turn.replyPrivately(helpMessage(turn.locale, ctx.actor, true));
  if (Actor.organisations(ctx.actor).length === 0) return turn.say('intake.not_member');

  const fresh: IntakeState = { flow: 'intake', step: 'kind', firstText: text.slice(0, 4000), dialogId: turn.inbound.deliveryId };
  await ctx.repos.dialogs.put(turn.dialogKey, fresh, new Date(now.getTime() + ttlMs));
  const q = question(turn.locale, fresh);
  turn.reply({ ...q, text: `${turn.t('intake.start')}\n${q.text}` });
}

export async function continueIntake(
  turn: Turn,
  state: IntakeState,
  input: { readonly text?: string; readonly action?: { id: string; value: string } },
  ttlMs: number,
): Promise<void> {
  const step = answer(turn.locale, state, input);
  if (step.kind === 'confirmed') return submitIntake(turn, step.state);
  await turn.ctx.repos.dialogs.put(turn.dialogKey, step.state, new Date(turn.ctx.clock.now().getTime() + ttlMs));
  turn.reply(step.message);
}
