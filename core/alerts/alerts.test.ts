import { describe, expect, it } from 'vitest';
import { Actor } from '../kernel/actor.ts';
import { DomainError } from '../kernel/errors.ts';
import { canWorkAlert } from './alert-actions.ts';
import { incidentDescription, opensIncident } from './alert-incident.ts';
import { type AlertView, alertMessage, formatValue, summary } from './alert-message.ts';
import { ALERT_ACTIONS, type AlertAction, AlertStateMachine } from './alert-state.ts';
import { canManageMonitoring } from './enrolment.ts';
import { own } from './messages.ts';
import {
  ALERT_STATES,
  type Alert,
  AlertRef,
  type AlertState,
  ConfigurationItemRef,
  checkFingerprint,
  offlineFingerprint,
  type Silence,
} from './model.ts';
import { CHECK_KINDS, signRequest, verifyRequest } from './protocol.ts';
import { covers, parseDuration } from './silence.ts';

describe('alert state machine', () => {
  /** Every (state, action) pair: the state it leads to, or — when refused. */
  const TABLE: Record<AlertState, Record<AlertAction, AlertState | '—'>> = {
    firing: {
      acknowledge: 'acknowledged',
      snooze: 'acknowledged',
      false_alarm: 'acknowledged',
      resolve: 'resolved',
      reopen: '—',
      wake: '—',
    },
    acknowledged: {
      acknowledge: '—',
      snooze: 'acknowledged',
      false_alarm: 'acknowledged',
      resolve: 'resolved',
      reopen: '—',
      wake: 'firing',
    },
    resolved: { acknowledge: '—', snooze: '—', false_alarm: 'resolved', resolve: '—', reopen: 'firing', wake: '—' },
  };
  const rows = ALERT_STATES.flatMap((s) => ALERT_ACTIONS.map((a) => [s, a, TABLE[s][a]] as const));

  it.each(rows)('%s --%s--> %s', (state, action, expected) => {
    expect(AlertStateMachine.next(state, action) ?? '—').toBe(expected);
    if (expected === '—') {
      expect(() => AlertStateMachine.nextOrThrow(state, action, 'AL-000001')).toThrow(DomainError);
      try {
        AlertStateMachine.nextOrThrow(state, action, 'AL-000001');
      } catch (e) {
        expect(DomainError.is(e, 'alert_transition')).toBe(true);
      }
    } else expect(AlertStateMachine.nextOrThrow(state, action, 'AL-000001')).toBe(expected);
  });
});

describe('durations and silences', () => {
  it.each<[string, number | undefined]>([
    ['30m', 30 * 60_000],
    ['2h', 2 * 3_600_000],
    ['2o', 2 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['3g', 3 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['90min', 90 * 60_000],
    ['1,5h', 90 * 60_000],
    ['45s', 45_000],
    ['0m', undefined],
    ['31g', undefined], // longer than the 30-day cap
    ['domani', undefined],
    ['2', undefined],
    ['h', undefined],
    ['', undefined],
  ])('parseDuration(%j) = %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  const silence = (ci: string | null): Silence => ({
    id: 's',
    organisationId: 'org',
    configurationItemId: ci,
    startsAt: new Date('2026-03-02T10:00:00Z'),
    endsAt: new Date('2026-03-02T12:00:00Z'),
    reason: 'manutenzione',
    createdBy: 'p',
  });
  it.each<[string | null, string | null, string, boolean]>([
    [null, 'ci-1', '2026-03-02T10:00:00Z', true],
    [null, null, '2026-03-02T11:59:59Z', true],
    [null, 'ci-1', '2026-03-02T12:00:00Z', false],
    [null, 'ci-1', '2026-03-02T09:59:59Z', false],
    ['ci-1', 'ci-1', '2026-03-02T11:00:00Z', true],
    ['ci-1', 'ci-2', '2026-03-02T11:00:00Z', false],
    ['ci-1', null, '2026-03-02T11:00:00Z', false],
  ])('silence on %s covers machine %s at %s: %s', (silenceCi, ci, when, expected) => {
    expect(covers(silence(silenceCi), ci, new Date(when))).toBe(expected);
  });
});

describe('request signatures', () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA';
  const sig = signRequest(secret, '1767000000000', 'n0nce', '{"a":1}');

  it.each<[string, string, string, string, string, boolean]>([
    ['the same request', secret, '1767000000000', 'n0nce', '{"a":1}', true],
    ['another body', secret, '1767000000000', 'n0nce', '{"a":2}', false],
    ['another timestamp', secret, '1767000000001', 'n0nce', '{"a":1}', false],
    ['another nonce', secret, '1767000000000', 'n0nce2', '{"a":1}', false],
    ['another secret', `${secret}x`, '1767000000000', 'n0nce', '{"a":1}', false],
  ])('%s verifies: %s', (_name, s, ts, nonce, body, ok) => {
    expect(verifyRequest(s, ts, nonce, body, sig)).toBe(ok);
  });

  it.each(['', 'zz', sig.toUpperCase(), `${sig}00`, sig.slice(2)])('malformed signature %j is refused without throwing', (bad) => {
    expect(verifyRequest(secret, '1767000000000', 'n0nce', '{"a":1}', bad)).toBe(false);
  });
});

describe('identities and permissions', () => {
  it('fingerprints: agent + check + target; offline is its own', () => {
    expect(checkFingerprint('a1', 'disco', '/')).toBe('a1|disco|/');
    expect(checkFingerprint('a1', 'disco', '/')).not.toBe(checkFingerprint('a1', 'disco', '/home'));
    expect(offlineFingerprint('a1')).not.toBe(checkFingerprint('a1', 'agent', 'offline2'));
  });

  it.each<[string, number | undefined]>([
    ['CI-000042', 42],
    ['ci 42', 42],
    ['CI-1', 1],
    ['pc-segreteria', undefined],
  ])('ConfigurationItemRef.parse(%j) = %j', (s, n) => {
    expect(ConfigurationItemRef.parse(s)).toBe(n);
  });

  it('refs', () => {
    expect(ConfigurationItemRef.format(7)).toBe('CI-000007');
    expect(AlertRef.format(12)).toBe('AL-000012');
    expect(AlertRef.message({ id: 'x' })).toBe('alert:x');
  });

  const actor = (roles: Actor['roles']): Actor => ({ personId: 'p', displayName: 'P', locale: 'it', roles });
  it.each<[string, Actor['roles'], boolean, boolean]>([
    // who, roles, may work org-a's alerts, may manage org-a's monitoring
    ['volunteer', [{ role: 'volunteer', organisationId: null }], true, false],
    ['moderator', [{ role: 'moderator', organisationId: null }], true, true],
    ['committee', [{ role: 'committee', organisationId: null }], true, true],
    ['ICT lead of org-a', [{ role: 'ict_lead', organisationId: 'org-a' }], true, true],
    ['ICT lead of org-b', [{ role: 'ict_lead', organisationId: 'org-b' }], false, false],
    ['requester of org-a', [{ role: 'requester', organisationId: 'org-a' }], false, false],
    ['nobody', [], false, false],
  ])('%s', (_who, roles, work, manage) => {
    expect(canWorkAlert(actor(roles), { organisationId: 'org-a' })).toBe(work);
    expect(canManageMonitoring(actor(roles), 'org-a')).toBe(manage);
  });

  it('only critical alerts open incidents', () => {
    expect(opensIncident('crit')).toBe(true);
    expect(opensIncident('warn')).toBe(false);
  });
});

const baseAlert: Alert = {
  id: '7d1c1f8e-0000-4000-8000-000000000001',
  number: 3,
  fingerprint: 'a|disco|/',
  organisationId: 'org-a',
  agentId: 'a',
  configurationItemId: 'ci',
  kind: 'log',
  checkId: 'log-app',
  target: '/var/log/app.log',
  severity: 'crit',
  state: 'firing',
  message: '12 matches of /ERROR/ in 5m',
  lastValue: 12,
  unit: null,
  evidence: { lines: ['ERROR login failed for mario.rossi@example.org from 333 1234567', 'ERROR @everyone timeout'] },
  openedAt: new Date('2026-03-02T09:00:00Z'),
  acknowledgedAt: null,
  acknowledgedBy: null,
  snoozedUntil: null,
  resolvedAt: null,
  incidentId: null,
  falseAlarmAt: null,
  falseAlarmBy: null,
  flaps: 0,
  notifiedAt: null,
  updatedAt: new Date('2026-03-02T09:00:00Z'),
};
const view = (over: Partial<Alert> = {}, extra: Partial<AlertView> = {}): AlertView => ({
  alert: { ...baseAlert, ...over },
  organisation: 'Associazione Il Girasole ODV',
  agentName: 'pc-segreteria',
  configurationItem: 'CI-000007 · pc-segreteria',
  incident: null,
  incidentOwner: null,
  acknowledgedBy: null,
  falseAlarmBy: null,
  ...extra,
});

describe('catalog coverage', () => {
  const kinds = [...CHECK_KINDS, 'agent_offline'] as const;
  it.each(kinds.flatMap((k) => (['it', 'en'] as const).map((l) => [k, l] as const)))(
    '%s has a label, a summary and a first step in %s',
    (kind, l) => {
      const catalog: Readonly<Record<string, string>> = own[l];
      for (const prefix of ['alert.kind', 'alert.summary', 'alert.suggest'])
        expect(catalog[`${prefix}.${kind}`], `${l} ${prefix}.${kind}`).toBeTruthy();
    },
  );
});

describe('the alert message', () => {
  it('masks personal details and mass mentions in the evidence, and suggests a first step', () => {
    const m = alertMessage('it', view());
    const shown = JSON.stringify(m);
    expect(shown).not.toContain('mario.rossi@example.org');
    expect(shown).not.toContain('333 1234567');
    expect(shown).not.toContain('@everyone');
    expect(m.text).toContain('[email]');
    expect(m.text).toContain('Primo passo suggerito');
    expect(m.title).toContain('AL-000003');
  });

  it.each<[string, Partial<Alert>, Partial<AlertView>, string[]]>([
    ['firing, no incident', {}, {}, ['alert.claim', 'alert.ack', 'alert.snooze', 'alert.false_alarm']],
    [
      'firing, incident claimed',
      {},
      { incident: { ref: 'INC-000001', status: 'assigned', assigneeId: 'v' } },
      ['alert.ack', 'alert.snooze', 'alert.false_alarm'],
    ],
    ['acknowledged', { state: 'acknowledged' }, {}, ['alert.claim', 'alert.snooze', 'alert.false_alarm']],
    ['acknowledged, flagged false alarm', { state: 'acknowledged', falseAlarmAt: new Date() }, {}, ['alert.claim', 'alert.snooze']],
    ['resolved', { state: 'resolved', resolvedAt: new Date() }, {}, ['alert.false_alarm']],
    ['resolved, flagged', { state: 'resolved', resolvedAt: new Date(), falseAlarmAt: new Date() }, {}, []],
  ])('buttons when %s', (_name, over, extra, buttons) => {
    expect((alertMessage('en', view(over, extra)).buttons ?? []).map((b) => b.actionId)).toEqual(buttons);
  });

  it('says snoozed until when snoozed, in both languages', () => {
    const snoozed = { state: 'acknowledged' as const, snoozedUntil: new Date('2026-03-02T10:00:00Z') };
    expect(JSON.stringify(alertMessage('it', view(snoozed)).fields)).toContain('silenziata fino a');
    expect(JSON.stringify(alertMessage('en', view(snoozed)).fields)).toContain('snoozed until');
  });

  it.each<['it' | 'en', Partial<Alert>, string]>([
    ['it', { kind: 'disk', target: '/srv', lastValue: 91.24, unit: '%' }, 'Il disco /srv è pieno al 91,2%.'],
    ['en', { kind: 'disk', target: '/srv', lastValue: 91.24, unit: '%' }, 'Disk /srv is 91.2% full.'],
    ['it', { kind: 'tls', target: 'example.org:443', lastValue: 3, unit: 'd' }, 'Il certificato di example.org:443 scade tra 3 giorni.'],
    ['en', { kind: 'file_age', target: '/backup', lastValue: 50.5, unit: 'h' }, '/backup has not been updated for 50.5 hours.'],
    ['it', { kind: 'agent_offline', target: 'pc', lastValue: 4, unit: 'min' }, "L'agente di pc non si fa sentire da 4 minuti."],
  ])('%s summary of %j', (l, over, text) => {
    expect(summary(l, { ...baseAlert, ...over })).toBe(text);
  });

  it('formats values', () => {
    expect(formatValue('en', null, '%')).toBe('—');
    expect(formatValue('en', 1234.56, 'ms')).toBe('1,235 ms');
    expect(formatValue('it', 7, null)).toBe('7');
  });

  it('the incident description carries the masked evidence and the first step, in the default language', () => {
    const d = incidentDescription('it', baseAlert, 'CI-000007 pc-segreteria');
    expect(d).toContain('CI-000007 pc-segreteria');
    expect(d).toContain('Evidenze');
    expect(d).toContain('[email]');
    expect(d).not.toContain('mario.rossi@example.org');
    expect(d).toContain('leggi le righe riportate');
    expect(d).toContain('AL-000003');
  });
});
