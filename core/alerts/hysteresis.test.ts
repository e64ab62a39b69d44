import { describe, expect, it } from 'vitest';
import { advance, type Decision, decide, isOverdue, levelAt, type Rule, shouldReopen } from './hysteresis.ts';
import type { CheckState, CheckStatus, Severity } from './model.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);

/** Folds samples (one per `step` seconds, from t=0) and returns the decision after each one. */
function run(statuses: string, rule: Rule, opts: { step?: number; silencedAt?: (i: number) => boolean } = {}): string[] {
  const step = opts.step ?? 60;
  const codes: Record<string, CheckStatus> = { o: 'ok', w: 'warn', c: 'crit', u: 'unknown' };
  let state: CheckState | undefined;
  let open: { severity: Severity } | undefined;
  const out: string[] = [];
  [...statuses].forEach((ch, i) => {
    const now = at(i * step);
    state = advance(state, { status: codes[ch]!, at: now });
    const d: Decision = decide(state, rule, now, open, opts.silencedAt?.(i) ?? false);
    if (d.kind === 'fire') open = { severity: d.severity };
    if (d.kind === 'escalate') open = { severity: 'crit' };
    if (d.kind === 'resolve') open = undefined;
    out.push(d.kind === 'none' ? '.' : d.kind === 'resolve' ? 'R' : d.kind === 'escalate' ? 'E' : d.severity === 'crit' ? 'C' : 'W');
  });
  return out;
}

const FIVE_MIN: Rule = { forMs: 5 * 60_000, recoveryMs: 5 * 60_000 };
const IMMEDIATE: Rule = { forMs: 0, recoveryMs: 0 };

describe('hysteresis (one sample a minute)', () => {
  it.each<[string, Rule, string, string]>([
    // name, rule, samples, decisions
    ['all good never fires', FIVE_MIN, 'oooooooo', '........'],
    ['a short spike does not fire', FIVE_MIN, 'oocccooo', '........'],
    ['bad for `for` fires once, at the crossing', FIVE_MIN, 'occccccccc', '......C...'],
    ['warn then crit: fires warn, escalates once crit lasted `for`', FIVE_MIN, 'wwwwwwccccccc', '.....W.....E.'],
    ['warn fires as warn', FIVE_MIN, 'wwwwwwwww', '.....W...'],
    ['crit and warn mixed counts as bad for warn', FIVE_MIN, 'wcwcwcwc', '.....W..'],
    ['resolves only after good for the recovery period', FIVE_MIN, 'ccccccoooooooo', '.....C.....R..'],
    ['a good blip during recovery restarts it', FIVE_MIN, 'ccccccoocooooooo', '.....C........R.'],
    ['flapping every sample never fires', FIVE_MIN, 'cocococococococo', '................'],
    ['flapping after firing does not resolve or re-fire', FIVE_MIN, 'cccccccocococococ', '.....C...........'],
    ['unknown keeps the streak (no fire, no reset)', FIVE_MIN, 'cccuuccc', '.....C..'],
    ['unknown does not count towards recovery by itself', FIVE_MIN, 'ccccccouuuuuo', '.....C......R'],
    ['for 0: fires on the first bad sample, resolves on the first good one', IMMEDIATE, 'ocoow', '.CR.W'],
  ])('%s', (_name, rule, samples, expected) => {
    expect(run(samples, rule).join('')).toBe(expected);
  });

  it('a silence holds the alert back while the check is bad, and it fires as soon as the silence ends', () => {
    expect(run('cccccccccc', FIVE_MIN, { silencedAt: (i) => i < 8 }).join('')).toBe('........C.');
  });

  it('a silence does not stop an open alert from resolving', () => {
    expect(run('ccccccoooooooo', FIVE_MIN, { silencedAt: (i) => i > 6 }).join('')).toBe('.....C.....R..');
  });
});

describe('levelAt', () => {
  const state = (badS: number | null, critS: number | null): CheckState => ({
    status: 'crit',
    badSince: badS === null ? null : at(badS),
    critSince: critS === null ? null : at(critS),
    goodSince: null,
    lastAt: at(600),
  });
  it.each<[number | null, number | null, number, Severity | undefined]>([
    [null, null, 600, undefined],
    [0, null, 299, undefined],
    [0, null, 300, 'warn'],
    [0, 200, 400, 'warn'],
    [0, 200, 500, 'crit'],
    [300, 300, 600, 'crit'],
  ])('bad since %s, crit since %s, at %s → %s', (bad, crit, now, level) => {
    expect(levelAt(state(bad, crit), FIVE_MIN, at(now))).toBe(level);
  });
});

describe('reopen window and heartbeats', () => {
  it.each<[number | null, number, boolean]>([
    [null, 10, false],
    [0, 60, true],
    [0, 30 * 60, true],
    [0, 30 * 60 + 1, false],
  ])('resolved at %s, firing again at %s s → reopen %s', (resolved, now, expected) => {
    expect(shouldReopen(resolved === null ? null : at(resolved), at(now))).toBe(expected);
  });

  it.each<[number | null, number, number, number, boolean]>([
    // last seen, now, period, grace → overdue
    [0, 60, 60, 120, false],
    [0, 180, 60, 120, false],
    [0, 181, 60, 120, true],
    [null, 181, 60, 120, true], // never seen: counted from enrolment (t=0)
    [100, 103, 1, 2, false],
    [100, 104, 1, 2, true],
  ])('last seen %s, now %s, period %s + grace %s → overdue %s', (seen, now, period, grace, expected) => {
    expect(isOverdue(seen === null ? null : at(seen), at(0), period, grace, at(now))).toBe(expected);
  });
});
