import { describe, expect, it } from 'vitest';
import { history, ticketAt } from '../../test/fixtures/sla-fixtures.ts';
import type { Priority, TicketStatus, Tier } from '../kernel/ticket.ts';
import { BusinessCalendar } from './business-calendar.ts';
import { SlaClock, type SlaState, slaSummary } from './sla-clock.ts';
import type { SlaPolicyRow } from './sla-policy.ts';

const CAL = BusinessCalendar.defaultConfig();
const MILAN = BusinessCalendar.defaultConfig({ localHolidays: ['12-07'] });
const d = (iso: string) => new Date(iso);

const row = (
  responseMinutes: number,
  resolutionMinutes: number,
  allHours = false,
  tier: Tier = 'volunteer',
  priority: Priority = 3,
): SlaPolicyRow => ({
  tier,
  priority,
  responseMinutes,
  resolutionMinutes,
  allHours,
});

interface Case {
  readonly name: string;
  readonly created: string;
  readonly moves: readonly (readonly [string, TicketStatus])[];
  readonly now: string;
  readonly policy: SlaPolicyRow;
  readonly calendar?: typeof CAL;
  readonly target: 'response' | 'resolution';
  readonly state: SlaState;
  readonly due: string | null;
  readonly elapsed: number;
  readonly paused?: number;
}

// March 2026: Monday 2 is a working day; Rome is UTC+1 until DST starts on Sunday 29 (then UTC+2).
const CASES: Case[] = [
  {
    name: '3 business days from Monday 09:00 end Wednesday 18:00',
    created: '2026-03-02T08:00:00Z',
    moves: [],
    now: '2026-03-02T08:00:00Z',
    policy: row(240, 1620),
    target: 'resolution',
    state: 'running',
    due: '2026-03-04T17:00:00Z',
    elapsed: 0,
  },
  {
    name: 'a ticket opened at night starts counting at 09:00',
    created: '2026-03-02T22:00:00Z',
    moves: [],
    now: '2026-03-03T08:30:00Z',
    policy: row(240, 1620),
    target: 'response',
    state: 'running',
    due: '2026-03-03T12:00:00Z',
    elapsed: 30,
  },
  {
    name: 'a pause spanning the night and the weekend moves the due time (paused time recorded)',
    created: '2026-03-06T15:00:00Z', // Friday 16:00
    moves: [
      ['2026-03-06T15:05:00Z', 'assigned'],
      ['2026-03-06T16:00:00Z', 'pending'],
      ['2026-03-09T09:00:00Z', 'in_progress'],
    ], // hold Fri 17:00, resume Mon 10:00
    now: '2026-03-09T09:00:00Z',
    policy: row(60, 240),
    target: 'resolution',
    state: 'running',
    due: '2026-03-09T12:00:00Z',
    elapsed: 60,
    paused: 120,
  },
  {
    name: 'while paused there is no due time, and the remaining time stays put',
    created: '2026-03-06T15:00:00Z',
    moves: [
      ['2026-03-06T15:05:00Z', 'assigned'],
      ['2026-03-06T16:00:00Z', 'pending'],
    ],
    now: '2026-03-09T16:00:00Z',
    policy: row(60, 240),
    target: 'resolution',
    state: 'paused',
    due: null,
    elapsed: 60,
    paused: 540,
  },
  {
    name: 'reopen resumes the resolution clock where it stopped',
    created: '2026-03-02T08:00:00Z',
    moves: [
      ['2026-03-02T08:30:00Z', 'assigned'],
      ['2026-03-02T10:00:00Z', 'resolved'],
      ['2026-03-03T08:00:00Z', 'in_progress'],
    ], // resolved Mon 11:00, reopened Tue 09:00
    now: '2026-03-03T08:00:00Z',
    policy: row(240, 480),
    target: 'resolution',
    state: 'running',
    due: '2026-03-03T14:00:00Z',
    elapsed: 120,
  },
  {
    name: 'resolved in time is met (due shown as it stood)',
    created: '2026-03-02T08:00:00Z',
    moves: [
      ['2026-03-02T08:30:00Z', 'assigned'],
      ['2026-03-02T10:00:00Z', 'resolved'],
    ],
    now: '2026-03-05T08:00:00Z',
    policy: row(240, 480),
    target: 'resolution',
    state: 'met',
    due: '2026-03-02T16:00:00Z',
    elapsed: 120,
  },
  {
    name: 'reopened and resolved late is breached',
    created: '2026-03-02T08:00:00Z',
    moves: [
      ['2026-03-02T08:30:00Z', 'assigned'],
      ['2026-03-02T10:00:00Z', 'resolved'],
      ['2026-03-03T08:00:00Z', 'in_progress'],
      ['2026-03-03T16:00:00Z', 'resolved'],
    ],
    now: '2026-03-04T08:00:00Z',
    policy: row(240, 480),
    target: 'resolution',
    state: 'breached',
    due: '2026-03-03T14:00:00Z',
    elapsed: 600,
  },
  {
    name: 'the response clock stops at the claim (met)',
    created: '2026-03-02T08:00:00Z',
    moves: [['2026-03-02T09:30:00Z', 'assigned']],
    now: '2026-03-02T15:00:00Z',
    policy: row(240, 1620),
    target: 'response',
    state: 'met',
    due: '2026-03-02T12:00:00Z',
    elapsed: 90,
  },
  {
    name: 'an unclaimed ticket past its response target is breached, running late',
    created: '2026-03-02T08:00:00Z',
    moves: [],
    now: '2026-03-02T10:00:00Z',
    policy: row(60, 1620),
    target: 'response',
    state: 'breached',
    due: '2026-03-02T09:00:00Z',
    elapsed: 120,
  },
  {
    name: 'a ticket withdrawn before anyone claimed it: the response target is cancelled',
    created: '2026-03-02T08:00:00Z',
    moves: [['2026-03-02T08:20:00Z', 'cancelled']],
    now: '2026-03-02T10:00:00Z',
    policy: row(60, 1620),
    target: 'response',
    state: 'cancelled',
    due: '2026-03-02T09:00:00Z',
    elapsed: 20,
  },
  {
    name: 'P1 runs 24×7: opened Saturday 23:30, due Sunday 07:30',
    created: '2026-03-07T22:30:00Z',
    moves: [],
    now: '2026-03-07T22:30:00Z',
    policy: row(60, 480, true),
    target: 'resolution',
    state: 'running',
    due: '2026-03-08T06:30:00Z',
    elapsed: 0,
  },
  {
    name: '24×7 across the DST start counts real minutes (02:00–03:00 does not exist)',
    created: '2026-03-28T22:00:00Z',
    moves: [],
    now: '2026-03-28T22:00:00Z',
    policy: row(60, 180, true),
    target: 'resolution',
    state: 'running',
    due: '2026-03-29T01:00:00Z',
    elapsed: 0,
  },
  {
    name: 'business hours across the DST start: Friday 17:00 CET + 10 h = Monday 18:00 CEST',
    created: '2026-03-27T16:00:00Z',
    moves: [],
    now: '2026-03-27T16:00:00Z',
    policy: row(60, 600),
    target: 'resolution',
    state: 'running',
    due: '2026-03-30T16:00:00Z',
    elapsed: 0,
  },
  {
    name: 'business hours across the DST end: Friday 17:00 CEST + 2 h = Monday 10:00 CET',
    created: '2026-10-23T15:00:00Z',
    moves: [],
    now: '2026-10-23T15:00:00Z',
    policy: row(60, 120),
    target: 'resolution',
    state: 'running',
    due: '2026-10-26T09:00:00Z',
    elapsed: 0,
  },
  {
    name: 'Easter Monday is skipped: Friday 17:00 + 2 h = Tuesday 10:00',
    created: '2026-04-03T15:00:00Z',
    moves: [],
    now: '2026-04-03T15:00:00Z',
    policy: row(60, 120),
    target: 'resolution',
    state: 'running',
    due: '2026-04-07T08:00:00Z',
    elapsed: 0,
  },
  {
    name: "Milan: Sant'Ambrogio (7 Dec, local) and the Immacolata (8 Dec) are skipped",
    created: '2026-12-04T16:00:00Z',
    moves: [],
    now: '2026-12-04T16:00:00Z',
    calendar: MILAN,
    policy: row(60, 120),
    target: 'resolution',
    state: 'running',
    due: '2026-12-09T09:00:00Z',
    elapsed: 0,
  },
  {
    name: 'a change waiting for approval pauses the resolution clock',
    created: '2026-03-02T08:00:00Z',
    moves: [
      ['2026-03-02T08:00:00Z', 'assigned'],
      ['2026-03-02T09:00:00Z', 'in_progress'],
      ['2026-03-02T10:00:00Z', 'awaiting_approval'],
    ],
    now: '2026-03-03T10:00:00Z',
    policy: row(60, 600),
    target: 'resolution',
    state: 'paused',
    due: null,
    elapsed: 120,
    paused: 540,
  },
];

describe('SLA clock', () => {
  it.each(CASES)('$name', (c) => {
    const last = c.moves[c.moves.length - 1];
    const ticket = ticketAt(c.created, { status: last?.[1] ?? 'new', updatedAt: d(last?.[0] ?? c.created) });
    const s = slaSummary(ticket, history(c.created, c.moves), c.policy, c.calendar ?? CAL, d(c.now));
    const clock = s[c.target];
    expect(clock.state).toBe(c.state);
    expect(clock.dueAt?.toISOString() ?? null).toBe(c.due === null ? null : d(c.due).toISOString());
    expect(clock.elapsedMinutes).toBeCloseTo(c.elapsed, 6);
    expect(clock.remainingMinutes).toBeCloseTo(clock.targetMinutes - c.elapsed, 6);
    expect(clock.paused).toBe(c.state === 'paused');
    if (c.paused !== undefined) expect(clock.pausedMinutes).toBeCloseTo(c.paused, 6);
  });

  it('summarises both targets with the ticket, the zone and the length of a day', () => {
    const s = slaSummary(
      ticketAt('2026-03-02T08:00:00Z'),
      history('2026-03-02T08:00:00Z', []),
      [row(240, 1620)],
      CAL,
      d('2026-03-02T09:00:00Z'),
    );
    expect(s).toMatchObject({
      ticketRef: 'INC-000001',
      tier: 'volunteer',
      priority: 3,
      allHours: false,
      timeZone: 'Europe/Rome',
      dayMinutes: 540,
    });
    expect(s.response).toMatchObject({ target: 'response', targetMinutes: 240, state: 'running', remainingMinutes: 180, breachedAt: null });
    expect(JSON.parse(JSON.stringify(s)).resolution.dueAt).toBe('2026-03-04T17:00:00.000Z');
    const p1 = slaSummary(
      ticketAt('2026-03-02T08:00:00Z', { priority: 1 }),
      [],
      [row(60, 480, true, 'volunteer', 1)],
      CAL,
      d('2026-03-02T08:00:00Z'),
    );
    expect(p1).toMatchObject({ allHours: true, dayMinutes: 1440 });
  });

  it('instantAt finds when a threshold was crossed inside an earlier stretch of work', () => {
    const created = '2026-03-02T08:00:00Z';
    const moves = [
      ['2026-03-02T08:00:00Z', 'assigned'],
      ['2026-03-02T12:00:00Z', 'pending'],
      ['2026-03-03T08:00:00Z', 'in_progress'],
    ] as const;
    const ticket = ticketAt(created, { status: 'in_progress', updatedAt: d('2026-03-03T08:00:00Z') });
    const { resolution } = SlaClock.clocks(ticket, history(created, moves), row(60, 480), CAL, d('2026-03-03T09:00:00Z'));
    expect(resolution.instantAt(120)?.toISOString()).toBe('2026-03-02T10:00:00.000Z'); // inside Monday's stretch
    expect(resolution.instantAt(480)?.toISOString()).toBe('2026-03-03T12:00:00.000Z'); // projected on Tuesday's
  });

  it('trusts the ticket when its history lacks the latest move', () => {
    const ticket = ticketAt('2026-03-02T08:00:00Z', { status: 'pending', updatedAt: d('2026-03-02T09:00:00Z') });
    const periods = SlaClock.periods(ticket, history('2026-03-02T08:00:00Z', []));
    expect(periods.map((p) => p.status)).toEqual(['new', 'pending']);
    expect(periods[1]?.start.toISOString()).toBe('2026-03-02T09:00:00.000Z');
  });
});
