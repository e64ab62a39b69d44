import { t } from './messages.ts';
import { type Locale } from '../kernel/i18n.ts';
import { computePriority, isImpact, isUrgency } from '../tickets/priority.ts';
import { TICKET_KINDS, type TicketKind } from '../kernel/ticket.ts';
import { DESCRIPTION_MAX, TITLE_MAX } from '../tickets/create-ticket.ts';
import type { IntakeState } from './dialog-state.ts';
import type { OutMessage } from '../kernel/message.ts';

/** Result of feeding one answer to the intake dialog. */
export type IntakeStep =
  | { readonly kind: 'ask'; readonly state: IntakeState; readonly message: OutMessage }
  | { readonly kind: 'invalid'; readonly state: IntakeState; readonly message: OutMessage }
  | { readonly kind: 'confirmed'; readonly state: IntakeState };

const cancelButton = (l: Locale) => ({ actionId: 'intake.cancel', value: '', label: t(l, 'button.cancel') });

/** The question for the state's current step. */
export function question(l: Locale, s: IntakeState): OutMessage {
  switch (s.step) {
    case 'kind':
      return {
        text: t(l, 'intake.ask_kind'),
        buttons: [...TICKET_KINDS.map((k) => ({ actionId: 'intake.kind', value: k, label: t(l, `kind.${k}`) })), cancelButton(l)],
      };
    case 'impact':
      return {
        text: t(l, 'intake.ask_impact'),
        buttons: [1, 2, 3].map((n) => ({ actionId: 'intake.impact', value: String(n), label: t(l, `impact.${n as 1 | 2 | 3}`) })),
      };
    case 'urgency':
      return {
        text: t(l, 'intake.ask_urgency'),
        buttons: [1, 2, 3].map((n) => ({ actionId: 'intake.urgency', value: String(n), label: t(l, `urgency.${n as 1 | 2 | 3}`) })),
      };
    case 'title':
      return { text: t(l, 'intake.ask_title', { max: TITLE_MAX }) };
    case 'description':
      return s.firstText
        ? {
            text: t(l, 'intake.ask_description_or_keep', { text: s.firstText }),
            buttons: [{ actionId: 'intake.keep', value: '', label: t(l, 'button.keep') }],
          }
        : { text: t(l, 'intake.ask_description') };
    case 'device':
      return { text: t(l, 'intake.ask_device'), buttons: [{ actionId: 'intake.skip', value: '', label: t(l, 'button.skip') }] };
    case 'confirm':
      return summary(l, s);
  }
}

function summary(l: Locale, s: IntakeState): OutMessage {
  const p = s.impact && s.urgency ? computePriority(s.impact, s.urgency) : 5;
  return {
    title: t(l, 'intake.summary_title'),
    text: s.description ?? '',
    fields: [
      { label: t(l, 'card.kind'), value: s.kind ? t(l, `kind.${s.kind}`) : '—' },
      { label: t(l, 'intake.field_title'), value: s.title ?? '—' },
      { label: t(l, 'card.priority'), value: `P${p}` },
      { label: t(l, 'details.device'), value: s.device ?? '—' },
    ],
    buttons: [{ actionId: 'intake.confirm', value: s.dialogId, label: t(l, 'button.confirm'), style: 'primary' }, cancelButton(l)],
  };
}

const NEXT: Record<IntakeState['step'], IntakeState['step']> = {
  kind: 'impact',
  impact: 'urgency',
  urgency: 'title',
  title: 'description',
  description: 'device',
  device: 'confirm',
  confirm: 'confirm',
};

function advance(l: Locale, s: IntakeState): IntakeStep {
  const next = { ...s, step: NEXT[s.step] };
  return { kind: 'ask', state: next, message: question(l, next) };
}

function invalid(l: Locale, s: IntakeState, key: 'intake.use_buttons' | 'intake.too_long' | 'intake.empty', max = 0): IntakeStep {
  const q = question(l, s);
  return { kind: 'invalid', state: s, message: { ...q, text: `${t(l, key, { max })}\n${q.text}` } };
}

/** Applies a button press (`actionId`, `value`) or a typed answer to the dialog. */
export function answer(l: Locale, s: IntakeState, input: { readonly action?: { id: string; value: string }; readonly text?: string }): IntakeStep {
  const a = input.action;
  const text = input.text?.trim() ?? '';
  switch (s.step) {
    case 'kind': {
      const k = a?.id === 'intake.kind' ? TICKET_KINDS.find((x) => x === a.value) : fromWords(text);
      return k ? advance(l, { ...s, kind: k }) : invalid(l, s, 'intake.use_buttons');
    }
    case 'impact': {
      const n = Number(a?.id === 'intake.impact' ? a.value : text);
      return isImpact(n) ? advance(l, { ...s, impact: n }) : invalid(l, s, 'intake.use_buttons');
    }
    case 'urgency': {
      const n = Number(a?.id === 'intake.urgency' ? a.value : text);
      return isUrgency(n) ? advance(l, { ...s, urgency: n }) : invalid(l, s, 'intake.use_buttons');
    }
    case 'title':
      if (!text) return invalid(l, s, 'intake.empty');
      if (text.length > TITLE_MAX) return invalid(l, s, 'intake.too_long', TITLE_MAX);
      return advance(l, { ...s, title: text });
    case 'description': {
      const d = a?.id === 'intake.keep' && s.firstText ? s.firstText : text;
      if (!d) return invalid(l, s, 'intake.empty');
      if (d.length > DESCRIPTION_MAX) return invalid(l, s, 'intake.too_long', DESCRIPTION_MAX);
      return advance(l, { ...s, description: d });
    }
    case 'device':
      if (a?.id === 'intake.skip') return advance(l, { ...s, device: null });
      if (!text) return invalid(l, s, 'intake.empty');
      return advance(l, { ...s, device: text.slice(0, 200) });
    case 'confirm':
      return a?.id === 'intake.confirm' && a.value === s.dialogId ? { kind: 'confirmed', state: s } : invalid(l, s, 'intake.use_buttons');
  }
}

/** Typed answers to the kind question, in both languages. */
function fromWords(text: string): TicketKind | undefined {
  const w = text.toLowerCase();
  if (/guast|incident|problem|rott|broken/.test(w)) return 'incident';
  if (/richiest|request|serviz|service/.test(w)) return 'service_request';
  if (/modific|change/.test(w)) return 'change';
  return undefined;
}
