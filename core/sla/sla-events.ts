/**
 * Plans a ticket's SLA events and keeps the `sla_events` table in step with every change that
 * moves a deadline. Use cases call `rescheduleSla(ctx, ticket)` after they updated the ticket and
 * wrote its history, in the same transaction: the unfired events are rewritten, fired ones are
 * kept (each threshold fires once in a ticket's life; the unclaimed clock once per queue stay).
 */
import type { Clock, Repositories } from '../kernel/ports.ts';
import type { Ticket, TicketEvent } from '../kernel/ticket.ts';
import { BusinessCalendar, type BusinessCalendarConfig } from './business-calendar.ts';
import { SlaClock, type SlaSummary, slaSummary, type TargetClock } from './sla-clock.ts';
import { type PlannedSlaEvent, type SlaEventKind, type SlaEventRecord, type SlaEventTarget, TARGET_THRESHOLDS } from './sla-event-kind.ts';
import { DEFAULT_SLA_SETTINGS, SlaPolicy, type SlaPolicyRow, type SlaSettings } from './sla-policy.ts';

/** Two plans of the same event closer than this are the same event (float rounding). */
const SAME_DUE_MS = 1_000;

export interface SlaPlanInput {
  readonly ticket: Ticket;
  readonly timeline: readonly TicketEvent[];
  readonly policy: SlaPolicyRow;
  readonly settings: SlaSettings;
  /** The business calendar of `settings` (`SlaPolicy.calendar(settings)`). */
  readonly calendar: BusinessCalendarConfig;
  readonly now: Date;
  /** The ticket's events that already fired. */
  readonly fired: readonly Pick<SlaEventRecord, 'target' | 'kind' | 'dueAt' | 'firedAt'>[];
}

/**
 * The events a ticket should have pending now. Pure. For each running target: the thresholds
 * still ahead, at their due instants; a threshold already passed without firing (the priority
 * went up, the policy got tighter) fires now — only the highest one, and never below one that
 * fired. Paused or stopped clocks plan nothing. While the ticket sits unclaimed in the queue,
 * the re-announcement and the report to moderators, timed from when it (re)entered the queue.
 */
export function planSlaEvents(input: SlaPlanInput): PlannedSlaEvent[] {
  const { ticket, now } = input;
  const { periods, cal, response, resolution } = SlaClock.clocks(ticket, input.timeline, input.policy, input.calendar, now);
  const out: PlannedSlaEvent[] = [];
  // Thresholds fire once per tier: what fired before a move to the vendor tier is the volunteers'.
  const tierStart = SlaClock.tierSince(ticket, input.timeline);
  const firedKinds = (target: SlaEventTarget, since?: Date) => {
    const from = since && tierStart ? (since > tierStart ? since : tierStart) : (since ?? tierStart);
    return new Set(input.fired.filter((f) => f.target === target && (!from || f.dueAt >= from)).map((f) => f.kind));
  };

  const planTarget = (target: SlaEventTarget, clock: TargetClock, minutes: number) => {
    if (!clock.running) return;
    const fired = firedKinds(target);
    const firedIdx = Math.max(-1, ...TARGET_THRESHOLDS.map((t, i) => (fired.has(t.kind) ? i : -1)));
    const crossedIdx = Math.max(-1, ...TARGET_THRESHOLDS.map((t, i) => (clock.elapsed >= t.share * minutes ? i : -1)));
    TARGET_THRESHOLDS.forEach((t, i) => {
      if (i <= firedIdx) return;
      if (i < crossedIdx) return; // superseded by a later threshold that is also past
      const due = i === crossedIdx ? now : clock.instantAt(t.share * minutes);
      if (due) out.push({ target, kind: t.kind, dueAt: due < now ? now : due });
    });
  };
  planTarget('response', response, input.policy.responseMinutes);
  planTarget('resolution', resolution, input.policy.resolutionMinutes);

  const queued = periods[periods.length - 1];
  if (queued && queued.status === 'new' && ticket.assigneeId === null && ticket.status === 'new') {
    const fired = firedKinds('unclaimed', queued.start);
    const steps: { kind: SlaEventKind; share: number }[] = [
      { kind: 'reannounce', share: input.settings.reannounceAfter },
      { kind: 'report', share: input.settings.reportAfter },
    ];
    const elapsed = BusinessCalendar.businessMinutesBetween(cal, queued.start, now);
    const firedIdx = Math.max(-1, ...steps.map((s, i) => (fired.has(s.kind) ? i : -1)));
    const crossedIdx = Math.max(-1, ...steps.map((s, i) => (elapsed >= s.share * input.policy.responseMinutes ? i : -1)));
    steps.forEach((s, i) => {
      if (i <= firedIdx || i < crossedIdx || !(s.share > 0)) return;
      const due = i === crossedIdx ? now : BusinessCalendar.addBusinessMinutes(cal, queued.start, s.share * input.policy.responseMinutes);
      out.push({ target: 'unclaimed', kind: s.kind, dueAt: due < now ? now : due });
    });
  }
  return out;
}

/**
 * What to change so the stored unfired events match the plan: an unfired event that is still
 * planned at (about) the same time is kept — with its id, so its timer stays valid; an event
 * already due stays when the plan also wants it now. Pure.
 */
export function diffSlaEvents(
  unfired: readonly SlaEventRecord[],
  planned: readonly PlannedSlaEvent[],
  now: Date,
): { keep: SlaEventRecord[]; remove: string[]; add: PlannedSlaEvent[] } {
  const keep: SlaEventRecord[] = [];
  const add: PlannedSlaEvent[] = [];
  const left = [...unfired];
  for (const p of planned) {
    const i = left.findIndex(
      (e) =>
        e.target === p.target &&
        e.kind === p.kind &&
        (Math.abs(e.dueAt.getTime() - p.dueAt.getTime()) < SAME_DUE_MS || (e.dueAt <= now && p.dueAt <= now)),
    );
    const match = i >= 0 ? left.splice(i, 1)[0] : undefined;
    if (match) keep.push(match);
    else add.push(p);
  }
  return { keep, remove: left.map((e) => e.id), add };
}

/** Policies, settings and calendar as stored (defaults where nothing is). */
export interface SlaContext {
  readonly policies: SlaPolicyRow[];
  readonly settings: SlaSettings;
  readonly calendar: BusinessCalendarConfig;
}

export async function loadSlaContext(repos: Repositories): Promise<SlaContext> {
  const { policies: stored, settings } = await repos.sla.policiesAndSettings();
  const s = settings ?? DEFAULT_SLA_SETTINGS;
  return { policies: SlaPolicy.effective(stored), settings: s, calendar: SlaPolicy.calendar(s) };
}

/**
 * Rewrites the ticket's unfired SLA events from its current state and history. Call it, in the
 * use case's transaction, after every change that can move a deadline: creation, claim and
 * unclaim, hold and resume, resolve and reopen, close and cancel, priority or tier changes.
 * Timers for new events are set by the job workers once the transaction has committed.
 *
 * @example await rescheduleSla(ctx, updatedTicket)
 */
export async function rescheduleSla(
  ctx: { readonly repos: Repositories; readonly clock: Clock },
  ticket: Ticket,
  sla?: SlaContext,
): Promise<{ added: number; removed: number }> {
  const { repos } = ctx;
  const now = ctx.clock.now();
  const [context, timeline, events] = await Promise.all([
    sla ? Promise.resolve(sla) : loadSlaContext(repos),
    repos.tickets.listEvents(ticket.id),
    repos.sla.listEvents(ticket.id),
  ]);
  const planned = planSlaEvents({
    ticket,
    timeline,
    policy: SlaPolicy.find(context.policies, ticket.tier, ticket.priority),
    settings: context.settings,
    calendar: context.calendar,
    now,
    fired: events.filter((e) => e.firedAt !== null),
  });
  const diff = diffSlaEvents(
    events.filter((e) => e.firedAt === null),
    planned,
    now,
  );
  if (diff.remove.length || diff.add.length) await repos.sla.rewrite(ticket.id, diff.remove, diff.add, now);
  return { added: diff.add.length, removed: diff.remove.length };
}

/** The context of each copy `cachedPoliciesAndSettings` returned (the same object while it holds). */
const contextOfCopy = new WeakMap<object, SlaContext>();

/**
 * What `rescheduleSla` would write for a ticket being opened, planned before it is inserted
 * (so that one statement writes both): its history is the one event that opens it and it has
 * no SLA events yet, so neither is read. `ticket` is the row about to be inserted. Planned on
 * this process's copy of the policies: `version` is what the opening statement must check
 * (`TicketOpening.configVersion`).
 */
export async function planOpeningSla(
  repos: Repositories,
  ticket: Ticket,
  opened: TicketEvent,
  now: Date,
): Promise<{ readonly events: PlannedSlaEvent[]; readonly version: string }> {
  const copy = await repos.sla.cachedPoliciesAndSettings();
  let context = contextOfCopy.get(copy);
  if (!context) {
    const settings = copy.settings ?? DEFAULT_SLA_SETTINGS;
    context = { policies: SlaPolicy.effective(copy.policies), settings, calendar: SlaPolicy.calendar(settings) };
    contextOfCopy.set(copy, context);
  }
  const events = planSlaEvents({
    ticket,
    timeline: [opened],
    policy: SlaPolicy.find(context.policies, ticket.tier, ticket.priority),
    settings: context.settings,
    calendar: context.calendar,
    now,
    fired: [],
  });
  return { events, version: copy.version };
}

/** The ticket's SLA summary, loading what it needs. */
export async function ticketSlaSummary(repos: Repositories, ticket: Ticket, now: Date, sla?: SlaContext): Promise<SlaSummary> {
  const [context, timeline] = await Promise.all([sla ? Promise.resolve(sla) : loadSlaContext(repos), repos.tickets.listEvents(ticket.id)]);
  return slaSummary(ticket, timeline, context.policies, context.calendar, now);
}
