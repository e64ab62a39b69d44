import type { CiKind } from '../kernel/configuration-item.ts';
import type { Impact, TicketKind, Urgency } from '../kernel/ticket.ts';

/** The answers of the intake, each asked at its step unless the first message already said it. */
export const INTAKE_FIELDS = ['kind', 'impact', 'urgency', 'title', 'description', 'device'] as const;
export type IntakeField = (typeof INTAKE_FIELDS)[number];

/** An article or accepted answer offered before the ticket is opened (what the offer shows). */
export interface OfferedSolution {
  readonly kind: 'question' | 'answer' | 'article';
  readonly ref: string;
  readonly rootRef: string;
  readonly title: string;
  readonly body: string;
  readonly accepted: boolean;
}

/** A configuration item offered at the device step. */
export interface DeviceChoice {
  readonly id: string;
  readonly label: string;
  readonly kind: CiKind;
}

/** The intake dialog: one question per step, answers accumulated until confirmation. */
export interface IntakeState {
  readonly flow: 'intake';
  readonly step: 'offer' | IntakeField | 'confirm';
  readonly kind?: TicketKind;
  readonly impact?: Impact;
  readonly urgency?: Urgency;
  readonly title?: string;
  readonly description?: string;
  readonly device?: string | null;
  /** The organisation's configuration item the device was matched to (the device text stays in the description otherwise). */
  readonly itemId?: string | null;
  /** The matched item as the summary shows it (`CI-000007 · HP segreteria`), and its kind (the ticket's category). */
  readonly itemLabel?: string | null;
  readonly itemKind?: CiKind | null;
  /** The organisation's configuration items offered as buttons at the device step, best matches first. */
  readonly choices?: readonly DeviceChoice[];
  /** What the person first wrote: offered as the description. */
  readonly firstText?: string;
  /** Ties the created ticket to this dialog, so a repeated Confirm creates one ticket. */
  readonly dialogId: string;
  /** Fields the first message already answered: not asked, shown in the summary for correction. */
  readonly prefilled?: readonly IntakeField[];
  /** A correction chosen in the summary: after this answer, back to the summary. */
  readonly editing?: boolean;
  /** The deflection offer made before the questions, and what it showed. */
  readonly offerId?: string;
  readonly offered?: readonly OfferedSolution[];
}

export function isIntakeState(v: unknown): v is IntakeState {
  return typeof v === 'object' && v !== null && (v as IntakeState).flow === 'intake';
}
