/**
 * The SLA clocks of one ticket, computed from its history. Pure: give it the status events
 * (`TicketRepository.listEvents`), the policy, the calendar and "now"; it returns, per target,
 * the business time used, the time paused, the due instant and whether the target was met.
 *
 * The first-response clock runs from creation (or from the move to another tier) until someone
 * claims the ticket. The resolution clock runs from the same start, pauses while the ticket waits (on the requester or a vendor, or a
 * change waits for approval or its slot), stops at resolution, and a reopen resumes it where it
 * stopped: time spent resolved does not count.
 */
import type { Priority, Ticket, TicketEvent, TicketStatus, Tier } from '../kernel/ticket.ts';
import { BusinessCalendar, type BusinessCalendarConfig } from './business-calendar.ts';
import { SlaPolicy, type SlaPolicyRow, type SlaTarget } from './sla-policy.ts';

/** A stretch of time with one status; `end` null means "still so". */
export interface StatusPeriod {
  readonly status: TicketStatus;
  readonly start: Date;
  readonly end: Date | null;
}

/** How a period counts for a clock. */
export type ClockPhase = 'counting' | 'paused' | 'stopped' | 'cancelled';

export type SlaState = 'running' | 'paused' | 'met' | 'breached' | 'cancelled';

/** One target's clock, as `stato` and `--json` show it. Minutes are business minutes. */
export interface SlaTargetSummary {
  readonly target: SlaTarget;
  readonly targetMinutes: number;
  readonly state: SlaState;
  readonly paused: boolean;
  readonly startedAt: Date;
  /** When the target falls (or fell) due; null while paused before the due time (unknown yet). */
  readonly dueAt: Date | null;
  /** When the clock stopped (claimed, resolved, cancelled); null while it runs or is paused. */
  readonly stoppedAt: Date | null;
  readonly elapsedMinutes: number;
  /** Negative once late. */
  readonly remainingMinutes: number;
  /** Business minutes spent paused. */
  readonly pausedMinutes: number;
  /** When the target was missed, if it was. */
  readonly breachedAt: Date | null;
}

export interface SlaSummary {
  readonly ticketRef: string;
  readonly tier: Tier;
  readonly priority: Priority;
  readonly allHours: boolean;
  readonly timeZone: string;
  /** How many minutes make a day on this clock (a working day, or 1440 around the clock). */
  readonly dayMinutes: number;
  readonly computedAt: Date;
  readonly response: SlaTargetSummary;
  readonly resolution: SlaTargetSummary;
}

/** A computed clock: the summary plus "when does the clock reach m business minutes". */
export interface TargetClock {
  readonly summary: SlaTargetSummary;
  readonly running: boolean;
  /** Business minutes used, unrounded (the summary rounds to hundredths). */
  readonly elapsed: number;
  /** The instant the clock reaches `minutes` (past or projected); null while paused before it. */
  instantAt(minutes: number): Date | null;
}

const RESOLUTION_PHASE: Readonly<Record<TicketStatus, ClockPhase>> = {
  new: 'counting',
  assigned: 'counting',
  in_progress: 'counting',
  pending: 'paused',
  awaiting_approval: 'paused',
  approved: 'paused',
  scheduled: 'paused',
  resolved: 'stopped',
  implemented: 'stopped',
  failed: 'stopped',
  closed: 'stopped',
  cancelled: 'cancelled',
  rejected: 'cancelled',
};

const round = (n: number): number => Math.round(n * 100) / 100;
const allHoursCache = new WeakMap<BusinessCalendarConfig, BusinessCalendarConfig>();

export const SlaClock = {
  /** How a status counts on the resolution clock. */
  resolutionPhase(status: TicketStatus): ClockPhase {
    return RESOLUTION_PHASE[status];
  },

  /**
   * When the ticket entered its current tier (its last `tier` history event), or undefined when
   * it never changed tier. A ticket handed to a vendor starts the vendor's clocks then: the
   * vendor SLA runs on the same calendar, from the approval, and is not charged the volunteers'
   * time (nor, once handed back, the volunteers the vendor's).
   */
  tierSince(ticket: Ticket, events: readonly TicketEvent[]): Date | undefined {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (e && e.field === 'tier' && e.to === ticket.tier) return e.at;
    }
    return undefined;
  },

  /**
   * The ticket's status periods in its current tier, oldest first, from its `status` history
   * events: from creation, or from the tier change (as `new`: a tier change puts the ticket back
   * in a queue). If the history does not end in the ticket's current status (rows written
   * without history), the current status is taken to hold since the last update.
   */
  periods(ticket: Ticket, events: readonly TicketEvent[]): StatusPeriod[] {
    const since = SlaClock.tierSince(ticket, events);
    const out: { status: TicketStatus; start: Date; end: Date | null }[] = [{ status: 'new', start: since ?? ticket.createdAt, end: null }];
    const moveTo = (status: TicketStatus, at: Date) => {
      const last = out[out.length - 1];
      if (!last || last.status === status) return;
      const start = at < last.start ? last.start : at;
      last.end = start;
      out.push({ status, start, end: null });
    };
    for (const e of events) if (e.field === 'status' && e.to && (!since || e.at > since)) moveTo(e.to as TicketStatus, e.at);
    moveTo(ticket.status, ticket.updatedAt);
    return out;
  },

  /** The response clock's phases: counting while new, then stopped (claimed) or cancelled. */
  responsePhases(periods: readonly StatusPeriod[]): { phase: ClockPhase; start: Date; end: Date | null }[] {
    const first = periods[0];
    if (!first) return [];
    const exit = periods.find((p) => p.status !== 'new');
    if (!exit) return [{ phase: 'counting', start: first.start, end: null }];
    const cancelled = RESOLUTION_PHASE[exit.status] === 'cancelled';
    return [
      { phase: 'counting', start: first.start, end: exit.start },
      { phase: cancelled ? 'cancelled' : 'stopped', start: exit.start, end: null },
    ];
  },

  resolutionPhases(periods: readonly StatusPeriod[]): { phase: ClockPhase; start: Date; end: Date | null }[] {
    const out: { phase: ClockPhase; start: Date; end: Date | null }[] = [];
    for (const p of periods) {
      const phase = RESOLUTION_PHASE[p.status];
      const last = out[out.length - 1];
      if (last && last.phase === phase) last.end = p.end;
      else out.push({ phase, start: p.start, end: p.end });
    }
    return out;
  },

  /** The calendar a policy row counts on: business hours, or around the clock for 24×7 rows. */
  calendarFor(business: BusinessCalendarConfig, allHours: boolean): BusinessCalendarConfig {
    if (!allHours || business.always) return business;
    let always = allHoursCache.get(business);
    if (!always) {
      always = BusinessCalendar.defaultConfig({ ...business, always: true });
      allHoursCache.set(business, always);
    }
    return always;
  },

  /** Runs one clock over its phases up to `now`. */
  compute(
    target: SlaTarget,
    phases: readonly { phase: ClockPhase; start: Date; end: Date | null }[],
    targetMinutes: number,
    cal: BusinessCalendarConfig,
    now: Date,
  ): TargetClock {
    const counting: { start: Date; closed: boolean; before: number; minutes: number }[] = [];
    let elapsed = 0;
    let paused = 0;
    for (const p of phases) {
      const end = p.end ?? now;
      const minutes = end > p.start ? BusinessCalendar.businessMinutesBetween(cal, p.start, end) : 0;
      if (p.phase === 'counting') {
        counting.push({ start: p.start, closed: p.end !== null, before: elapsed, minutes });
        elapsed += minutes;
      } else if (p.phase === 'paused') {
        paused += minutes;
      }
    }
    const last = phases[phases.length - 1];
    const current = last?.phase ?? 'counting';
    const running = current === 'counting';
    const startedAt = phases[0]?.start ?? now;

    const instantAt = (m: number): Date | null => {
      for (const seg of counting) {
        if (!seg.closed || m <= seg.before + seg.minutes)
          return BusinessCalendar.addBusinessMinutes(cal, seg.start, Math.max(0, m - seg.before));
      }
      const lastSeg = counting[counting.length - 1];
      // Paused before reaching m: when it falls depends on when the ticket resumes.
      if (current === 'paused' || !lastSeg) return null;
      // Stopped before reaching m: where it stood when the clock stopped.
      return BusinessCalendar.addBusinessMinutes(cal, lastSeg.start, m - lastSeg.before);
    };

    const breached = elapsed > targetMinutes || (running && elapsed >= targetMinutes);
    const state: SlaState = breached
      ? 'breached'
      : current === 'stopped'
        ? 'met'
        : current === 'cancelled'
          ? 'cancelled'
          : current === 'paused'
            ? 'paused'
            : 'running';
    const summary: SlaTargetSummary = {
      target,
      targetMinutes,
      state,
      paused: current === 'paused',
      startedAt,
      dueAt: instantAt(targetMinutes),
      stoppedAt: current === 'stopped' || current === 'cancelled' ? (last?.start ?? null) : null,
      elapsedMinutes: round(elapsed),
      remainingMinutes: round(targetMinutes - elapsed),
      pausedMinutes: round(paused),
      breachedAt: breached ? instantAt(targetMinutes) : null,
    };
    return { summary, running, elapsed, instantAt };
  },

  /** Both clocks of a ticket. */
  clocks(
    ticket: Ticket,
    timeline: readonly TicketEvent[],
    row: SlaPolicyRow,
    business: BusinessCalendarConfig,
    now: Date,
  ): { periods: StatusPeriod[]; cal: BusinessCalendarConfig; response: TargetClock; resolution: TargetClock } {
    const periods = SlaClock.periods(ticket, timeline);
    const cal = SlaClock.calendarFor(business, row.allHours);
    return {
      periods,
      cal,
      response: SlaClock.compute('response', SlaClock.responsePhases(periods), row.responseMinutes, cal, now),
      resolution: SlaClock.compute('resolution', SlaClock.resolutionPhases(periods), row.resolutionMinutes, cal, now),
    };
  },
} as const;

/**
 * Where a ticket stands against its SLA, for chat and `sportello ticket show --json`. Pure.
 *
 * @param timeline the ticket's history, oldest first (`repos.tickets.listEvents(ticket.id)`)
 * @param policy the effective policy table (`SlaPolicy.effective(stored)`) or the ticket's row
 * @param calendar the business calendar (`SlaPolicy.calendar(settings)`); 24×7 rows ignore its hours
 * @example slaSummary(ticket, await repos.tickets.listEvents(ticket.id), policies, calendar, new Date())
 */
export function slaSummary(
  ticket: Ticket,
  timeline: readonly TicketEvent[],
  policy: readonly SlaPolicyRow[] | SlaPolicyRow,
  calendar: BusinessCalendarConfig,
  now: Date,
): SlaSummary {
  const row = 'tier' in policy ? policy : SlaPolicy.find(policy, ticket.tier, ticket.priority);
  const { cal, response, resolution } = SlaClock.clocks(ticket, timeline, row, calendar, now);
  return {
    ticketRef: ticket.ref,
    tier: ticket.tier,
    priority: ticket.priority,
    allHours: row.allHours,
    timeZone: calendar.timeZone,
    dayMinutes: SlaPolicy.dayMinutes(cal),
    computedAt: now,
    response: response.summary,
    resolution: resolution.summary,
  };
}
