/** The jobs of Sportello's one queue, told apart by `kind` (also the BullMQ job name). */
export type JobData =
  /** Fire SLA event `eventId` (due at `dueAt`, epoch ms): a timer set by the pump. */
  | { readonly kind: 'sla'; readonly eventId: string; readonly dueAt: number }
  /** Never processed in practice: its presence proves the queue kept its state. */
  | { readonly kind: 'sentinel' }
  /** The morning digest of local day `day` (`YYYY-MM-DD`). */
  | { readonly kind: 'digest'; readonly day: string }
  /** Close resolved tickets nobody confirmed; `slot` names the cron tick. */
  | { readonly kind: 'auto-close'; readonly slot: string }
  /** Daily cleanup of expired dialogs and old delivery ids; `day` names the run. */
  | { readonly kind: 'housekeeping'; readonly day: string }
  /** Certification reminders (30 and 7 days before) and lapses, people's and vendors'; `slot` names the hour. */
  | { readonly kind: 'certifications'; readonly slot: string }
  /** The proactive problem scan (repeated incidents, repeating alerts); `slot` names the hour. */
  | { readonly kind: 'problem-scan'; readonly slot: string }
  /** Reminders of licences to renew within 30 days, to the organisations' ICT leads; `day` names the run. */
  | { readonly kind: 'licence-renewals'; readonly day: string }
  /** The retention of closed tickets' personal data (GDPR); `day` names the run. */
  | { readonly kind: 'retention'; readonly day: string }
  /** The committee's weekly flow report or the observers' monthly report; `day` names the run (the period is the one before it). */
  | { readonly kind: 'report'; readonly period: 'week' | 'month'; readonly day: string }
  /**
   * One sweep of the monitoring agents' watchdog; `slot` names the 15-second tick (one sweep per
   * tick however many workers run), `purge` also deletes old replay guards and results.
   */
  | { readonly kind: 'watchdog'; readonly slot: string; readonly purge: boolean };

/** The logging jobs need; a pino logger fits. */
export interface JobsLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
