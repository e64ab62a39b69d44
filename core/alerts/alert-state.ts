/**
 * The life of an alert: firing → acknowledged → resolved. People acknowledge, snooze (an
 * acknowledgement that wears off) and flag false alarms; samples resolve and reopen; the
 * watchdog wakes a snoozed alert that is still firing when its snooze ends.
 */
import { DomainError } from '../kernel/errors.ts';
import type { AlertState } from './model.ts';

export const ALERT_ACTIONS = ['acknowledge', 'snooze', 'false_alarm', 'resolve', 'reopen', 'wake'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

const NEXT: Readonly<Record<AlertState, Partial<Record<AlertAction, AlertState>>>> = {
  firing: { acknowledge: 'acknowledged', snooze: 'acknowledged', false_alarm: 'acknowledged', resolve: 'resolved' },
  acknowledged: { snooze: 'acknowledged', false_alarm: 'acknowledged', resolve: 'resolved', wake: 'firing' },
  // A check that recovered by itself may still have been a false alarm.
  resolved: { false_alarm: 'resolved', reopen: 'firing' },
};

export const AlertStateMachine = {
  next(state: AlertState, action: AlertAction): AlertState | undefined {
    return NEXT[state][action];
  },
  nextOrThrow(state: AlertState, action: AlertAction, ref: string): AlertState {
    const to = NEXT[state][action];
    if (!to) throw new DomainError('alert_transition', { ref });
    return to;
  },
};

/** How long the Snooze button mutes an alert. */
export const SNOOZE_MS = 60 * 60_000;
