import { describe, expect, it } from 'vitest';
import { own as alerts } from './alerts/messages.ts';
import { own as changes } from './changes/messages.ts';
import { own as cmdb } from './cmdb/messages.ts';
import { own as community } from './community/messages.ts';
import { own as conversation, m } from './conversation/messages.ts';
import { own as dashboard } from './dashboard/messages.ts';
import { own as escalation } from './escalation/messages.ts';
import { REGISTRY } from './features.ts';
import type { DomainErrorCode } from './kernel/errors.ts';
import { isLocale, LOCALES, type Locale, toLocale } from './kernel/i18n.ts';
import { kernelEn, kernelIt } from './kernel/messages.ts';
import { ROLES } from './kernel/person.ts';
import { TICKET_KINDS, TICKET_STATUSES } from './kernel/ticket.ts';
import { own as people } from './people/messages.ts';
import { own as privacy } from './privacy/messages.ts';
import { own as problems } from './problems/messages.ts';
import { own as reports } from './reports/messages.ts';
import { own as sla } from './sla/messages.ts';
import { own as tickets } from './tickets/messages.ts';
import { own as vendors } from './vendors/messages.ts';

/** Every catalog: the ground floor's and each feature's own. */
const OWN: Readonly<Record<string, { readonly it: Readonly<Record<string, string>>; readonly en: Readonly<Record<string, string>> }>> = {
  kernel: { it: kernelIt, en: kernelEn },
  sla,
  tickets,
  people,
  escalation,
  alerts,
  cmdb,
  changes,
  vendors,
  community,
  problems,
  conversation,
  dashboard,
  reports,
  privacy,
};
const itCatalog: Readonly<Record<string, string>> = Object.assign({}, ...Object.values(OWN).map((c) => c.it));
const en: Readonly<Record<string, string>> = Object.assign({}, ...Object.values(OWN).map((c) => c.en));
const CATALOGS: Record<Locale, Readonly<Record<string, string>>> = { it: itCatalog, en };
const t = m.t;

/** Every code of DomainErrorCode in core/errors.ts. */
const ERROR_CODES = [
  'illegal_transition',
  'not_found',
  'forbidden',
  'already_claimed',
  'not_volunteer',
  'not_owner',
  'invalid_input',
  'already_exists',
  'invalid_code',
  'not_rateable',
  'no_organisation',
  'stale',
  'person_not_found',
  'organisation_not_found',
  'alert_not_found',
  'alert_transition',
  'machine_not_found',
  'agent_revoked',
  'note_required',
  'role_not_held',
  'dm_only',
  'link_would_orphan',
  'vendor_not_found',
  'vendor_not_certified',
  'vendor_state',
  'invalid_vat',
  'no_engagement',
  'engagement_state',
  'not_reviewable',
  'already_reviewed',
  'case_not_found',
  'case_closed',
  'question_not_found',
  'answer_not_found',
  'article_not_found',
  'announcement_not_found',
  'question_locked',
  'already_voted',
  'own_answer',
  'not_asker',
  'asker_only',
  'text_empty',
  'text_too_long',
  'not_publishable',
  'already_decided',
  'community_members_only',
  'cannot_merge',
  'ci_not_found',
  'ci_cycle',
  'problem_not_found',
  'problem_state',
  'already_linked',
  'invalid_window',
  'change_not_implemented',
  'window_in_past',
  'window_too_long',
  'not_approver',
  'standard_change_unknown',
  'internal',
] as const satisfies readonly DomainErrorCode[];
// Fails the type check when errors.ts gains a code this list does not have.
const allErrorCodesListed: [Exclude<DomainErrorCode, (typeof ERROR_CODES)[number]>] extends [never] ? true : false = true;

/** Commands that take arguments and answer a wrong call with `usage.<name>`. */
const COMMANDS_WITH_USAGE = [
  'status',
  'comment',
  'note',
  'claim',
  'confirm',
  'reopen',
  'withdraw',
  'unclaim',
  'hold',
  'resume',
  'resolve',
  'rate',
  'handover',
  'bind',
  'certify',
  'revoke',
  'language',
  'join',
  'invite',
  'vendor',
  'register',
  'catalogue',
  'offer',
  'propose',
  'pick',
  'quote',
  'review',
  'cap',
  'committee',
  'complain',
] as const;

const placeholders = (s: string): string[] => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string))].sort();

describe('catalogs', () => {
  it.each(Object.keys(OWN))('%s: Italian and English have exactly the same keys', (name) => {
    const itKeys = Object.keys(OWN[name]!.it).sort();
    const enKeys = Object.keys(OWN[name]!.en).sort();
    expect(enKeys.filter((k) => !itKeys.includes(k))).toEqual([]);
    expect(itKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
  });

  it('no key is defined by two catalogs (a feature would silently override another)', () => {
    const seen = new Map<string, string>();
    for (const [name, c] of Object.entries(OWN))
      for (const k of Object.keys(c.it)) {
        expect(seen.get(k), `${k} in ${name}`).toBeUndefined();
        seen.set(k, name);
      }
  });

  const entries = LOCALES.flatMap((l) => Object.entries(CATALOGS[l]).map(([k, v]) => [l, k, v] as const));

  it.each(entries)('%s %s is a non-empty string', (_l, _k, v) => {
    expect(typeof v).toBe('string');
    expect(v.trim()).not.toBe('');
  });

  it.each(Object.keys(itCatalog))('%s has the same {placeholders} in it and en', (key) => {
    const inIt = placeholders(CATALOGS.it[key] ?? '');
    const inEn = placeholders(CATALOGS.en[key] ?? '');
    expect(inEn).toEqual(inIt);
  });

  it('no string has unbalanced or malformed placeholders', () => {
    for (const [l, k, v] of entries) {
      const stripped = v.replace(/\{\w+\}/g, '');
      expect(/[{}]/.test(stripped), `${l} ${k}: ${v}`).toBe(false);
    }
  });

  it.each(ERROR_CODES)('error.%s exists in every language', (code) => {
    expect(allErrorCodesListed).toBe(true);
    for (const l of LOCALES) expect(CATALOGS[l][`error.${code}`], `${l} error.${code}`).toBeTruthy();
  });

  it.each(COMMANDS_WITH_USAGE)('usage.%s exists in every language', (name) => {
    expect(REGISTRY.commands.map((c) => c.name)).toContain(name);
    for (const l of LOCALES) expect(CATALOGS[l][`usage.${name}`], `${l} usage.${name}`).toBeTruthy();
  });

  it('every usage.<name> key names a real command', () => {
    const usageNames = Object.keys(itCatalog)
      .filter((k) => k.startsWith('usage.'))
      .map((k) => k.slice('usage.'.length));
    for (const name of usageNames) expect(REGISTRY.commands.map((c) => c.name)).toContain(name);
  });

  it('every kind, status, role, impact and urgency has a label', () => {
    const keys = [
      ...TICKET_KINDS.map((k) => `kind.${k}`),
      ...TICKET_STATUSES.flatMap((s) => [`status.${s}`, `status_help.${s}`]),
      ...ROLES.map((r) => `role.${r}`),
      ...[1, 2, 3].flatMap((n) => [`impact.${n}`, `urgency.${n}`]),
    ];
    for (const l of LOCALES) for (const k of keys) expect(CATALOGS[l][k], `${l} ${k}`).toBeTruthy();
  });
});

describe('t()', () => {
  it('fills string and number params', () => {
    expect(t('it', 'error.not_found', { ref: 'INC-000042' })).toBe(
      'Non trovo il ticket INC-000042. Controlla il codice (per esempio INC-000042).',
    );
    expect(t('en', 'ok.rated', { ref: 'INC-000001', stars: 4 })).toBe('Thanks for rating INC-000001: 4/5.');
  });

  it('fills every occurrence of a placeholder', () => {
    expect(t('en', 'link.code', { code: 'ABCD2345' })).toBe(
      'Your link code is ABCD2345 (valid for 30 minutes). Write "link ABCD2345" to the bot on the other platform.',
    );
  });

  it('leaves a placeholder without a param as it is, and ignores extra params', () => {
    expect(t('en', 'error.illegal_transition', { action: 'close', extra: 'x' })).toBe('You cannot "close" a ticket that is "{status}".');
  });

  it('returns the message unchanged when it has no placeholders', () => {
    expect(t('it', 'error.forbidden')).toBe('Non hai i permessi per questa operazione.');
    expect(t('en', 'list.empty', { n: 3 })).toBe('No tickets to show.');
  });

  it('does not re-expand placeholders found in param values', () => {
    expect(t('en', 'notice.comment', { name: '{ref}', ref: 'INC-000001', body: '{name}' })).toBe('{ref} on INC-000001: «{name}»');
  });

  it('answers in the asked language', () => {
    const key = 'dialog.cancelled';
    expect(t('it', key)).toBe(itCatalog[key]);
    expect(t('en', key)).toBe(en[key]);
    expect(t('it', key)).not.toBe(t('en', key));
  });
});

describe('toLocale / isLocale', () => {
  it.each<[string | null | undefined, Locale | undefined]>([
    ['it', 'it'],
    ['en', 'en'],
    ['en-US', 'en'],
    ['en-GB', 'en'],
    ['it_IT', 'it'],
    ['IT', 'it'],
    ['EN-us', 'en'],
    ['fr', undefined],
    ['fr-FR', undefined],
    ['de', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('toLocale(%j) = %j', (input, locale) => {
    expect(toLocale(input)).toBe(locale);
  });

  it('isLocale accepts exactly the shipped locales', () => {
    expect(LOCALES.every(isLocale)).toBe(true);
    for (const v of ['fr', 'IT', 'en-US', '', null, undefined, 1]) expect(isLocale(v)).toBe(false);
  });
});
