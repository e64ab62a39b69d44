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

/** Waiting for a free-text note to complete a ticket action started with a button. */
export interface NoteState {
  readonly flow: 'note';
  readonly action: 'resolve' | 'hold' | 'reopen';
  readonly ref: string;
}

export type DialogState = IntakeState | NoteState;

export function isDialogState(v: unknown): v is DialogState {
  return typeof v === 'object' && v !== null && ((v as DialogState).flow === 'intake' || (v as DialogState).flow === 'note');
}
