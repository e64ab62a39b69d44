import type { Impact, TicketKind, Urgency } from '../kernel/ticket.ts';

/** The intake dialog: one question per step, answers accumulated until confirmation. */
export interface IntakeState {
  readonly flow: 'intake';
  readonly step: 'kind' | 'impact' | 'urgency' | 'title' | 'description' | 'device' | 'confirm';
  readonly kind?: TicketKind;
  readonly impact?: Impact;
  readonly urgency?: Urgency;
  readonly title?: string;
  readonly description?: string;
  readonly device?: string | null;
  /** What the person first wrote: offered as the description. */
  readonly firstText?: string;
  /** Ties the created ticket to this dialog, so a repeated Confirm creates one ticket. */
  readonly dialogId: string;
}

export function isIntakeState(v: unknown): v is IntakeState {
  return typeof v === 'object' && v !== null && (v as IntakeState).flow === 'intake';
}
