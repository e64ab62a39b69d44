/**
 * Hysteresis: when a check's samples turn into an alert and when the alert ends. A check must be
 * bad for its `for` duration before it fires (a short spike never reaches chat) and good for its
 * recovery period before it resolves (a check that flaps never fires, or stays one alert).
 */
import type { CheckState, CheckStatus, Severity } from './model.ts';

export interface Sample {
  readonly status: CheckStatus;
  readonly at: Date;
}

export interface Rule {
  readonly forMs: number;
  readonly recoveryMs: number;
}

/** An alert that fired and has not resolved yet, as far as the decision needs it. */
export interface OpenAlert {
  readonly severity: Severity;
}

export type Decision =
  | { readonly kind: 'none' }
  | { readonly kind: 'fire'; readonly severity: Severity }
  | { readonly kind: 'escalate'; readonly severity: 'crit' }
  | { readonly kind: 'resolve' };

/** Folds one sample into the state. `unknown` (the check could not run) keeps the streaks as they are. */
export function advance(prev: CheckState | undefined, s: Sample): CheckState {
  switch (s.status) {
    case 'ok':
      return {
        status: 'ok',
        badSince: null,
        critSince: null,
        goodSince: prev?.goodSince ?? s.at,
        lastAt: s.at,
      };
    case 'warn':
      return { status: 'warn', badSince: prev?.badSince ?? s.at, critSince: null, goodSince: null, lastAt: s.at };
    case 'crit':
      return {
        status: 'crit',
        badSince: prev?.badSince ?? s.at,
        critSince: prev?.critSince ?? s.at,
        goodSince: null,
        lastAt: s.at,
      };
    case 'unknown':
      return prev
        ? { ...prev, status: 'unknown', lastAt: s.at }
        : { status: 'unknown', badSince: null, critSince: null, goodSince: null, lastAt: s.at };
  }
}

/** The severity the check deserves at `now`: bad (or crit) for at least `for`. */
export function levelAt(state: CheckState, rule: Rule, now: Date): Severity | undefined {
  const t = now.getTime();
  if (state.critSince && t - state.critSince.getTime() >= rule.forMs) return 'crit';
  if (state.badSince && t - state.badSince.getTime() >= rule.forMs) return 'warn';
  return undefined;
}

/** Whether an open alert's check has been good long enough to resolve it. */
export function recoveredAt(state: CheckState, rule: Rule, now: Date): boolean {
  return state.goodSince !== null && now.getTime() - state.goodSince.getTime() >= rule.recoveryMs;
}

/**
 * What to do with the check's alert now. With an open alert: resolve once recovered, escalate
 * warn → crit once crit for `for`, otherwise leave it (no new message for a repeated failure).
 * Without one: fire once bad for `for`, unless a silence covers it (the state keeps tracking, so
 * the alert fires as soon as the silence ends if the check is still bad).
 */
export function decide(state: CheckState, rule: Rule, now: Date, open: OpenAlert | undefined, silenced: boolean): Decision {
  // A check that could not run tells nothing: no alert fires, escalates or resolves on it.
  if (state.status === 'unknown') return { kind: 'none' };
  if (open) {
    if (recoveredAt(state, rule, now)) return { kind: 'resolve' };
    if (open.severity === 'warn' && levelAt(state, rule, now) === 'crit') return { kind: 'escalate', severity: 'crit' };
    return { kind: 'none' };
  }
  const level = levelAt(state, rule, now);
  if (!level || silenced) return { kind: 'none' };
  return { kind: 'fire', severity: level };
}

/** A check that fires again within this long of resolving reopens the same alert (and message). */
export const REOPEN_WINDOW_MS = 30 * 60_000;

export function shouldReopen(resolvedAt: Date | null, now: Date, windowMs = REOPEN_WINDOW_MS): boolean {
  return resolvedAt !== null && now.getTime() - resolvedAt.getTime() <= windowMs;
}

/** Heartbeat-based liveness (Healthchecks style): late once `period + grace` passed without a report. */
export function isOverdue(lastSeenAt: Date | null, since: Date, periodSeconds: number, graceSeconds: number, now: Date): boolean {
  const from = (lastSeenAt ?? since).getTime();
  return now.getTime() - from > (periodSeconds + graceSeconds) * 1000;
}
