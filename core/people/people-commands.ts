/**
 * People in chat: certification by the committee (`certifica`, `revoca`, `certificati`), the
 * account commands (`lingua`, `collega`, `entra`, `chisono`) and invitations (`invita`).
 */

import { Actor } from '../kernel/actor.ts';
import { type CommandSpec, type Feature, Grammar, restAfter } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { isLocale } from '../kernel/i18n.ts';
import { isOrgRole, ROLES, type Role } from '../kernel/person.ts';
import { personArg } from '../kernel/person-arg.ts';
import type { Turn } from '../kernel/turn.ts';
import { grantRole, revokeRole } from './manage-roles.ts';
import { m, t } from './messages.ts';
import { createInvite, createLinkCode, redeemCode } from './one-time-codes.ts';
import { certifiedList } from './people-replies.ts';

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

const CODE = /^[A-Z2-9]{8}$/i;

async function redeem(turn: Turn, code: string): Promise<void> {
  const outcome = await redeemCode(turn.ctx, code);
  turn.say(
    t(turn.locale, outcome.kind === 'link' ? 'link.done' : 'invite.done', {
      org: outcome.kind === 'invite' ? outcome.organisationName : '',
    }),
  );
}

/** `certifica @chi ruolo [motivo]` / `revoca @chi ruolo motivo`. */
function certification(name: 'certify' | 'revoke'): CommandSpec {
  const usage = name === 'certify' ? 'usage.certify' : 'usage.revoke';
  return {
    name,
    words: name === 'certify' ? { it: ['certifica'], en: ['certify'] } : { it: ['revoca'], en: ['revoke'] },
    grammar: Grammar.first(/^(@|<@)/),
    audience: ['committee'],
    section: 'committee',
    ...m.helpOf(name),
    usage: (l) => t(l, usage),
    async handle(turn, c) {
      const [handle, roleWord] = c.args;
      const role = ROLE_WORDS[(roleWord ?? '').toLowerCase()];
      const reason = restAfter(c.rest, 2);
      if (role === 'vendor') return turn.say(t(turn.locale, 'certify.vendor_hint'));
      if (!handle || !role || isOrgRole(role) || (name === 'revoke' && !reason)) return turn.say(t(turn.locale, usage));
      const who = await personArg(turn, handle);
      if (name === 'certify') await grantRole(turn.ctx, { handle: who, role, reason });
      else await revokeRole(turn.ctx, { handle: who, role, reason });
      turn.say(t(turn.locale, name === 'certify' ? 'ok.certified' : 'ok.revoked', { handle, role: t(turn.locale, `role.${role}`) }));
    },
  };
}

const commands: CommandSpec[] = [
  certification('certify'),
  certification('revoke'),
  {
    name: 'certified',
    words: { it: ['certificati'], en: ['certified'] },
    grammar: Grammar.none,
    audience: ['moderator', 'committee'],
    section: 'committee',
    ...m.helpOf('certified'),
    async handle(turn) {
      const ctx = turn.ctx;
      if (!Actor.isStaff(ctx.actor)) throw new DomainError('forbidden');
      const roles: Role[] = ['volunteer', 'moderator', 'vendor', 'committee'];
      const people = await Promise.all(roles.map(async (r) => [r, await ctx.repos.people.listPeopleWithRole(r)] as const));
      turn.replyPrivately(certifiedList(turn.locale, people));
    },
  },
  {
    name: 'invite',
    words: { it: ['invita'], en: ['invite'] },
    grammar: Grammar.first(/^(\d{11}|[A-Z0-9]{16})$/i),
    // The organisation's ICT lead invites its members; staff invite anyone.
    audience: ['ict_lead', 'moderator', 'committee'],
    section: 'staff',
    ...m.helpOf('invite'),
    usage: (l) => t(l, 'usage.invite'),
    async handle(turn, c) {
      if (!turn.inDm) throw new DomainError('dm_only');
      const fiscal = c.args[0];
      if (!fiscal) return turn.say(t(turn.locale, 'usage.invite'));
      const lead = /^(referente|lead|ict)/i.test(c.args[1] ?? '');
      const { code, organisation } = await createInvite(turn.ctx, fiscal, lead ? 'ict_lead' : 'requester');
      turn.replyPrivately({ text: t(turn.locale, 'invite.code', { code, org: organisation.name }) });
    },
  },
  {
    name: 'language',
    words: { it: ['lingua'], en: ['language'] },
    grammar: Grammar.first(/^(it|en)$/i, 1),
    audience: ['anyone'],
    section: 'account',
    ...m.helpOf('language'),
    usage: (l) => t(l, 'usage.language'),
    async handle(turn, c) {
      const l = c.args[0]?.toLowerCase();
      if (!isLocale(l)) return turn.say(t(turn.locale, 'usage.language'));
      await turn.ctx.repos.people.setLocale(turn.ctx.actor.personId, l);
      turn.replyPrivately({ text: t(l, 'ok.language') });
    },
  },
  {
    name: 'link',
    words: { it: ['collega'], en: ['link'] },
    grammar: Grammar.first(CODE, 1),
    audience: ['anyone'],
    section: 'account',
    ...m.helpOf('link'),
    async handle(turn, c) {
      if (c.args[0]) return redeem(turn, c.args[0]);
      // A link code logs its holder in as you: never shown where others can read it.
      if (!turn.inDm) throw new DomainError('dm_only');
      const code = await createLinkCode(turn.ctx);
      turn.replyPrivately({ text: t(turn.locale, 'link.code', { code }) });
    },
  },
  {
    name: 'join',
    words: { it: ['entra'], en: ['join'] },
    grammar: Grammar.first(CODE, 1),
    audience: ['anyone'],
    section: 'account',
    ...m.helpOf('join'),
    usage: (l) => t(l, 'usage.join'),
    async handle(turn, c) {
      if (!c.args[0]) return turn.say(t(turn.locale, 'usage.join'));
      return redeem(turn, c.args[0]);
    },
  },
  {
    name: 'whoami',
    words: { it: ['chisono'], en: ['whoami'] },
    grammar: Grammar.none,
    audience: ['anyone'],
    section: 'account',
    ...m.helpOf('whoami'),
    async handle(turn) {
      const roles = turn.ctx.actor.roles.map((r) => t(turn.locale, `role.${r.role}`)).join(', ') || '—';
      turn.replyPrivately({ text: t(turn.locale, 'whoami', { name: turn.person.displayName, handle: turn.person.handle, roles }) });
    },
  },
];

export const peopleFeature: Feature = { name: 'people', commands };
