import { hitLine } from '../community/community-cards.ts';
import { type Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { TICKET_KINDS, type TicketKind } from '../kernel/ticket.ts';
import { DESCRIPTION_MAX, TITLE_MAX } from '../tickets/create-ticket.ts';
import { computePriority, isImpact, isUrgency } from '../tickets/priority.ts';
import { type DeviceChoice, INTAKE_FIELDS, type IntakeField, type IntakeState, type OfferedSolution } from './dialog-state.ts';
import { t } from './messages.ts';
import type { Understood } from './understand.ts';

/** Result of feeding one answer to the intake dialog. */
export type IntakeStep =
  | { readonly kind: 'ask'; readonly state: IntakeState; readonly message: OutMessage }
  | { readonly kind: 'invalid'; readonly state: IntakeState; readonly message: OutMessage }
  | { readonly kind: 'confirmed'; readonly state: IntakeState }
  /** "Risolto, grazie" on the offered solutions: no ticket. */
  | { readonly kind: 'solved'; readonly state: IntakeState };

/** What the summary lets the requester correct. */
const EDITABLE: readonly IntakeField[] = INTAKE_FIELDS;

/**
 * The first state of an intake: what the first message already says is filled in (and will not
 * be asked), the offered solutions, if any, come first; then the first question still open.
 */
export function startIntake(
  firstText: string,
  dialogId: string,
  understood: Understood,
  offer?: { readonly offerId: string; readonly solutions: readonly OfferedSolution[] },
  devices?: { readonly choices: readonly DeviceChoice[]; readonly named?: DeviceChoice },
): IntakeState {
  // With the organisation's items to choose from, a device is taken as said only when the
  // message names one item; otherwise the device step offers them.
  const named = devices?.named;
  const offersItems = (devices?.choices.length ?? 0) > 0;
  const prefilled = INTAKE_FIELDS.filter((f) =>
    f === 'device' ? named !== undefined || (understood.device !== undefined && !offersItems) : understood[f] !== undefined,
  );
  const base: IntakeState = {
    flow: 'intake',
    step: 'kind',
    firstText: firstText.slice(0, DESCRIPTION_MAX),
    dialogId,
    ...understood,
    ...(offersItems ? { choices: devices?.choices ?? [] } : {}),
    ...(named ? { device: named.label, itemId: named.id, itemLabel: named.label, itemKind: named.kind } : {}),
    ...(prefilled.length ? { prefilled } : {}),
    ...(offer ? { offerId: offer.offerId, offered: offer.solutions } : {}),
  };
  return { ...base, step: offer ? 'offer' : firstOpen(base, -1) };
}

const ORDER: readonly IntakeState['step'][] = ['offer', ...INTAKE_FIELDS, 'confirm'];

/** The first step after `index` whose field the first message did not answer. */
function firstOpen(s: IntakeState, index: number): IntakeState['step'] {
  for (const step of ORDER.slice(index + 1)) if (step !== 'offer' && !(s.prefilled ?? []).includes(step as IntakeField)) return step;
  return 'confirm';
}

const cancelButton = (l: Locale) => ({ actionId: 'intake.cancel', value: '', label: t(l, 'button.cancel') });

/** The question for the state's current step. */
export function question(l: Locale, s: IntakeState): OutMessage {
  switch (s.step) {
    case 'offer':
      return offerMessage(l, s);
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
      if (s.choices?.length)
        return {
          text: t(l, 'intake.ask_device_items'),
          buttons: [
            ...s.choices.map((c) => ({ actionId: 'intake.item', value: c.id, label: c.label.slice(0, 60) })),
            { actionId: 'intake.skip', value: '', label: t(l, 'button.other_device') },
          ],
        };
      return { text: t(l, 'intake.ask_device'), buttons: [{ actionId: 'intake.skip', value: '', label: t(l, 'button.skip') }] };
    case 'confirm':
      return summary(l, s);
  }
}

/** The solutions that may already answer the first message, before any question. */
function offerMessage(l: Locale, s: IntakeState): OutMessage {
  const lines = (s.offered ?? []).map((h) => hitLine(l, { ...h, tags: [], answered: true, score: 0 }));
  return {
    title: t(l, 'intake.offer_title'),
    text: `${t(l, 'intake.offer_intro')}\n${lines.join('\n')}\n\n${t(l, 'intake.offer_hint')}`,
    buttons: [
      { actionId: 'intake.solved', value: s.offerId ?? '', label: t(l, 'button.solved'), style: 'primary' },
      { actionId: 'intake.open', value: s.offerId ?? '', label: t(l, 'button.open_anyway') },
    ],
  };
}

/** "From your message I understood: …" — the prefilled kind, urgency, impact and device. */
function understoodLine(l: Locale, s: IntakeState): string {
  const filled = new Set(s.prefilled ?? []);
  const parts: string[] = [];
  if (filled.has('kind') && s.kind) parts.push(t(l, 'intake.understood_kind', { value: t(l, `kind.${s.kind}`) }));
  if (filled.has('impact') && s.impact) parts.push(t(l, 'intake.understood_impact', { value: t(l, `impact.${s.impact}`) }));
  if (filled.has('urgency') && s.urgency) parts.push(t(l, 'intake.understood_urgency', { value: t(l, `urgency.${s.urgency}`) }));
  if (filled.has('device') && (s.itemLabel ?? s.device))
    parts.push(t(l, 'intake.understood_device', { value: s.itemLabel ?? s.device ?? '' }));
  return parts.length ? t(l, 'intake.understood', { what: parts.join(', ') }) : '';
}

function summary(l: Locale, s: IntakeState): OutMessage {
  const p = s.impact && s.urgency ? computePriority(s.impact, s.urgency) : 5;
  const understood = understoodLine(l, s);
  return {
    title: t(l, 'intake.summary_title'),
    text: [s.description ?? '', understood].filter(Boolean).join('\n\n'),
    fields: [
      { label: t(l, 'card.kind'), value: s.kind ? t(l, `kind.${s.kind}`) : '—' },
      { label: t(l, 'intake.field_title'), value: s.title ?? '—' },
      { label: t(l, 'card.priority'), value: `P${p}` },
      { label: t(l, 'details.device'), value: s.itemLabel ?? s.device ?? '—' },
    ],
    buttons: [{ actionId: 'intake.confirm', value: s.dialogId, label: t(l, 'button.confirm'), style: 'primary' }, cancelButton(l)],
    select: {
      actionId: 'intake.edit',
      placeholder: t(l, 'intake.edit_placeholder'),
      options: EDITABLE.map((f) => ({ label: t(l, `intake.edit_${f}`), value: f })),
    },
  };
}

/** The next open step (straight back to the summary after a correction). */
function advance(l: Locale, s: IntakeState): IntakeStep {
  const step = s.editing ? 'confirm' : firstOpen(s, ORDER.indexOf(s.step));
  const { editing: _done, ...rest } = s;
  const next: IntakeState = step === 'confirm' ? { ...rest, step } : { ...s, step };
  return { kind: 'ask', state: next, message: question(l, next) };
}

/** A field chosen in the summary's "Correggi…": asked again, then back to the summary. */
function edit(l: Locale, s: IntakeState, field: string): IntakeStep | undefined {
  const f = EDITABLE.find((x) => x === field);
  if (!f) return undefined;
  const next: IntakeState = { ...s, step: f, editing: true, prefilled: (s.prefilled ?? []).filter((x) => x !== f) };
  return { kind: 'ask', state: next, message: question(l, next) };
}

function invalid(l: Locale, s: IntakeState, key: 'intake.use_buttons' | 'intake.too_long' | 'intake.empty', max = 0): IntakeStep {
  const q = question(l, s);
  return { kind: 'invalid', state: s, message: { ...q, text: `${t(l, key, { max })}\n${q.text}` } };
}

/**
 * Applies a button press (`actionId`, `value`) or a typed answer to the dialog. `match` is the
 * organisation's configuration item the typed device names, when the caller found one.
 */
export function answer(
  l: Locale,
  s: IntakeState,
  input: { readonly action?: { id: string; value: string }; readonly text?: string; readonly match?: DeviceChoice },
): IntakeStep {
  const a = input.action;
  const text = input.text?.trim() ?? '';
  switch (s.step) {
    case 'offer':
      if (a?.id === 'intake.solved') return { kind: 'solved', state: s };
      return a?.id === 'intake.open' ? advance(l, s) : invalid(l, s, 'intake.use_buttons');
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
    case 'device': {
      if (a?.id === 'intake.skip') return advance(l, { ...withoutItem(s), device: null });
      const chosen = a?.id === 'intake.item' ? s.choices?.find((c) => c.id === a.value) : input.match;
      if (chosen) return advance(l, { ...s, device: chosen.label, itemId: chosen.id, itemLabel: chosen.label, itemKind: chosen.kind });
      if (!text) return invalid(l, s, a ? 'intake.use_buttons' : 'intake.empty');
      return advance(l, { ...withoutItem(s), device: text.slice(0, 200) });
    }
    case 'confirm':
      if (a?.id === 'intake.confirm' && a.value === s.dialogId) return { kind: 'confirmed', state: s };
      return (a?.id === 'intake.edit' ? edit(l, s, a.value) : undefined) ?? invalid(l, s, 'intake.use_buttons');
  }
}

/** The state without a matched configuration item (the device is the requester's words, or none). */
function withoutItem(s: IntakeState): IntakeState {
  const { itemId: _id, itemLabel: _label, itemKind: _kind, ...rest } = s;
  return rest;
}

/** Typed answers to the kind question, in both languages. */
function fromWords(text: string): TicketKind | undefined {
  const w = text.toLowerCase();
  if (/guast|incident|problem|rott|broken/.test(w)) return 'incident';
  if (/richiest|request|serviz|service/.test(w)) return 'service_request';
  if (/modific|change/.test(w)) return 'change';
  return undefined;
}
