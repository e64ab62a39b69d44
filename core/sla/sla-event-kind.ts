/**
 * What an SLA event is: which clock it belongs to and what happens when it falls due. The
 * `sla_events` table holds one row per planned event; it is the source of truth for every
 * deadline (timers in the job queue only make them fire on time).
 */

/** `unclaimed` is the queue clock: time since the ticket last entered the queue unowned. */
export const SLA_EVENT_TARGETS = ['response', 'resolution', 'unclaimed'] as const;
export type SlaEventTarget = (typeof SLA_EVENT_TARGETS)[number];

/**
 * `warn_75`/`warn_90`/`breach` at 75 %, 90 % and 100 % of a target (response, resolution);
 * `reannounce`/`report` on the unclaimed clock.
 */
export const SLA_EVENT_KINDS = ['warn_75', 'warn_90', 'breach', 'reannounce', 'report'] as const;
export type SlaEventKind = (typeof SLA_EVENT_KINDS)[number];

/** Thresholds of the target clocks, in order: share of the target at which each kind fires. */
export const TARGET_THRESHOLDS: readonly { readonly kind: SlaEventKind; readonly share: number }[] = [
  { kind: 'warn_75', share: 0.75 },
  { kind: 'warn_90', share: 0.9 },
  { kind: 'breach', share: 1 },
];

/** An event the planner wants to exist. */
export interface PlannedSlaEvent {
  readonly target: SlaEventTarget;
  readonly kind: SlaEventKind;
  readonly dueAt: Date;
}

/** A stored event. `firedAt` is set exactly once, by whoever fires it first. */
export interface SlaEventRecord extends PlannedSlaEvent {
  readonly id: string;
  readonly ticketId: string;
  readonly firedAt: Date | null;
  /** When it was handed to the timer queue (null: not yet, or the queue lost it). */
  readonly queuedAt: Date | null;
  readonly createdAt: Date;
}
