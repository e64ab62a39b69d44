/**
 * The committee's control in chat, for every certified party: `comitato <azione> <soggetto>
 * <motivo>` (approve or reject an application; renew, suspend, reinstate, revoke a vendor or a
 * person's certification; close a complaint), `decisioni [soggetto]` (who decided what, when,
 * why), and `segnala <fornitore|@persona> <motivo>` (a complaint, for anyone taking part).
 */

import { type CommandSpec, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { isOrgRole, ROLES, type Role } from '../kernel/person.ts';
import { personArg } from '../kernel/person-arg.ts';
import type { Turn } from '../kernel/turn.ts';
import { grantRole, revokeRole } from '../people/manage-roles.ts';
import type { DecisionSubject } from '../people/ports.ts';
import { closeComplaint, fileComplaint } from './complaints.ts';
import { decideVendor, type VendorDecision, vendorByRef } from './decide-vendor.ts';
import { m, t } from './messages.ts';
import { RegisterRef } from './model.ts';
import { VendorPolicy } from './vendor-policy.ts';
import { decisionsList } from './vendor-replies.ts';

/** The decision words of `comitato`, in either language. */
const DECISION_WORDS: Readonly<Record<string, VendorDecision | 'close'>> = {
  approva: 'approve',
  approve: 'approve',
  rifiuta: 'reject',
  respingi: 'reject',
  reject: 'reject',
  rinnova: 'renew',
  renew: 'renew',
  sospendi: 'suspend',
  suspend: 'suspend',
  riattiva: 'reinstate',
  reinstate: 'reinstate',
  revoca: 'revoke',
  revoke: 'revoke',
  chiudi: 'close',
  close: 'close',
};

const ROLE_WORDS: Readonly<Record<string, Role>> = {
  volontario: 'volunteer',
  volontaria: 'volunteer',
  moderatore: 'moderator',
  moderatrice: 'moderator',
  comitato: 'committee',
  osservatore: 'observer',
  ...Object.fromEntries(ROLES.map((r) => [r, r])),
};

/** A person's certification: renew (certify again), suspend, reinstate, revoke. */
async function decidePerson(turn: Turn, decision: VendorDecision, handle: string, roleWord: string, reason: string): Promise<void> {
  const role = ROLE_WORDS[roleWord.toLowerCase()];
  if (!role || isOrgRole(role) || role === 'vendor' || decision === 'approve' || decision === 'reject')
    return turn.say(t(turn.locale, 'usage.committee'));
  const who = await personArg(turn, handle);
  if (!reason) return turn.say(t(turn.locale, 'usage.committee'));
  if (decision === 'renew' || decision === 'reinstate')
    await grantRole(turn.ctx, { handle: who, role, reason, decision: decision === 'renew' ? 'certify' : 'reinstate' });
  else await revokeRole(turn.ctx, { handle: who, role, reason, decision });
  turn.say(
    t(turn.locale, 'ok.person_decided', { handle, role: t(turn.locale, `role.${role}`), decision: t(turn.locale, `decision.${decision}`) }),
  );
}

async function committeeCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  VendorPolicy.assertCommittee(turn.ctx.actor);
  const [word = '', subject = ''] = c.args;
  const decision = DECISION_WORDS[word.toLowerCase()];
  if (!decision || !subject) return turn.say(t(turn.locale, 'usage.committee'));
  if (decision === 'close') {
    const reason = restAfter(c.rest, 2);
    if (!reason) return turn.say(t(turn.locale, 'usage.committee'));
    const closed = await closeComplaint(turn.ctx, subject, reason);
    return turn.say(t(turn.locale, 'ok.case_closed', { ref: closed.ref }));
  }
  if (RegisterRef.parse('vendor', subject)) {
    const reason = restAfter(c.rest, 2);
    if (!reason) return turn.say(t(turn.locale, 'usage.committee'));
    const v = await decideVendor(turn.ctx, subject, decision, reason);
    return turn.say(t(turn.locale, 'ok.vendor_decided', { ref: v.ref, standing: t(turn.locale, `vendor_status.${v.status}`) }));
  }
  if (/^(@|<@)/.test(subject)) return decidePerson(turn, decision, subject, c.args[2] ?? '', restAfter(c.rest, 3));
  return turn.say(t(turn.locale, 'usage.committee'));
}

/** `decisioni [FOR-…|@persona|SEG-…]`: the ledger, newest first (the last 20). */
async function decisionsCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  VendorPolicy.assertStaffOrObserver(ctx.actor);
  const subjectTyped = c.args[0];
  let filter: { subjectKind?: DecisionSubject; subjectId?: string } = {};
  let label: string | null = null;
  if (subjectTyped && RegisterRef.parse('vendor', subjectTyped)) {
    const v = await vendorByRef(ctx, subjectTyped);
    filter = { subjectKind: 'vendor', subjectId: v.id };
    label = `${v.ref} ${v.name}`;
  } else if (subjectTyped && RegisterRef.parse('complaint', subjectTyped)) {
    const ref = RegisterRef.parse('complaint', subjectTyped) ?? '';
    const found = await ctx.repos.vendors.findComplaintByRef(ref);
    if (!found) throw new DomainError('case_not_found', { ref });
    filter = { subjectKind: 'complaint', subjectId: found.id };
    label = ref;
  } else if (subjectTyped) {
    const handle = (await personArg(turn, subjectTyped)).replace(/^@/, '').toLowerCase();
    const p = await ctx.repos.people.findPersonByHandle(handle);
    if (!p) throw new DomainError('person_not_found', { handle: subjectTyped.slice(0, 40) });
    filter = { subjectKind: 'person', subjectId: p.id };
    label = `@${p.handle}`;
  }
  const decisions = await ctx.repos.certifications.listDecisions({ ...filter, limit: 20 });
  const names = new Map<string, string>();
  for (const id of new Set(decisions.map((d) => d.decidedBy).filter((x): x is string => x !== null))) {
    names.set(id, (await ctx.repos.people.findPerson(id))?.displayName ?? '?');
  }
  const system = t(turn.locale, 'decisions.system');
  turn.replyPrivately(
    decisionsList(
      turn.locale,
      label,
      decisions.map((d) => ({ d, by: d.decidedBy ? (names.get(d.decidedBy) ?? '?') : system })),
    ),
  );
}

export const committeeCommands: CommandSpec[] = [
  {
    name: 'committee',
    words: { it: ['comitato'], en: ['committee'] },
    grammar: Grammar.first(new RegExp(`^(${Object.keys(DECISION_WORDS).join('|')})$`, 'i')),
    audience: ['committee'],
    section: 'committee',
    ...m.helpOf('committee'),
    usage: (l) => t(l, 'usage.committee'),
    handle: committeeCommand,
  },
  {
    name: 'decisions',
    words: { it: ['decisioni'], en: ['decisions'] },
    grammar: Grammar.first(/^(FOR[\s-]*\d+|SEG[\s-]*\d+|@\S+|<@\S+)$/i, 1),
    audience: ['moderator', 'committee', 'observer'],
    section: 'committee',
    ...m.helpOf('decisions'),
    handle: decisionsCommand,
  },
  {
    name: 'complain',
    words: { it: ['segnala'], en: ['complain'] },
    grammar: Grammar.first(/^(FOR[\s-]*\d+|@\S+|<@\S+)$/i),
    audience: ['member', 'volunteer', 'vendor', 'moderator', 'committee', 'observer'],
    section: 'vendors',
    ...m.helpOf('complain'),
    usage: (l) => t(l, 'usage.complain'),
    async handle(turn, c) {
      const subject = c.args[0];
      const reason = restAfter(c.rest, 1);
      if (!subject || !reason) return turn.say(t(turn.locale, 'usage.complain'));
      const complaint = await fileComplaint(turn.ctx, await personArg(turn, subject), reason);
      turn.say(t(turn.locale, 'ok.complaint_filed', { ref: complaint.ref }));
    },
  },
];
