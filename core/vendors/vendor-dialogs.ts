/**
 * The vendors feature's dialogs: the application (`fornitore candidatura`: name, VAT number,
 * regions, fields, contacts, then Send), the reason the committee types after an Approve /
 * Reject / Close case button, and the comment after a review's stars.
 */

import type { DialogSpec } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import type { OutMessage } from '../kernel/message.ts';
import type { Turn } from '../kernel/turn.ts';
import { closeComplaint } from './complaints.ts';
import { decideVendor, type VendorDecision } from './decide-vendor.ts';
import { t } from './messages.ts';
import { parseCategory, parseList, parseRegion, REGIONS, VENDOR_CATEGORIES, type VendorCategory } from './model.ts';
import { checkVendorInput, registerVendor } from './register-vendor.ts';
import { commentReview, skipReviewComment } from './review-vendor.ts';
import { isValidVatNumber, normalizeVatNumber } from './vat-number.ts';

export interface ApplicationState {
  readonly flow: 'vendor-apply';
  readonly step: 'name' | 'vat' | 'regions' | 'categories' | 'contacts' | 'confirm';
  readonly name?: string;
  readonly vatNumber?: string;
  readonly regions?: readonly string[];
  readonly categories?: readonly VendorCategory[];
  readonly contacts?: string;
}

/** What a committee button waits for: the reason that completes it. */
export interface ReasonState {
  readonly flow: 'vendor-reason';
  readonly action: VendorDecision | 'close_case';
  readonly ref: string;
}

export interface ReviewCommentState {
  readonly flow: 'vendor-review';
  readonly ref: string;
}

const flowOf = (v: unknown): unknown => (typeof v === 'object' && v !== null ? (v as { flow?: unknown }).flow : undefined);
const SKIP = /^(-|salta|skip|no|nessuno|none)$/i;

function question(l: 'it' | 'en', s: ApplicationState, problem?: string): OutMessage {
  const ask = t(l, `apply.ask.${s.step}`, {
    categories: VENDOR_CATEGORIES.map((c) => t(l, `category.${c}`)).join(', '),
    name: s.name ?? '',
    vat: s.vatNumber ?? '',
    regions: (s.regions ?? []).map((r) => REGIONS[r] ?? r).join(', '),
    fields: (s.categories ?? []).map((c) => t(l, `category.${c}`)).join(', '),
    contacts: s.contacts ?? '',
  });
  const text = problem ? `${problem}\n${ask}` : ask;
  if (s.step !== 'confirm') return { text };
  return {
    text,
    buttons: [
      { actionId: 'vendor.apply', value: 'send', label: t(l, 'button.send_application'), style: 'primary' },
      { actionId: 'vendor.apply', value: 'cancel', label: t(l, 'button.cancel_application') },
    ],
  };
}

/** `fornitore candidatura`: the first question. */
export async function startApplication(turn: Turn): Promise<void> {
  const state: ApplicationState = { flow: 'vendor-apply', step: 'name' };
  await turn.ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
  turn.replyPrivately(question(turn.locale, state));
}

/** One typed answer: stored if it is good, asked again (saying what is wrong) if not. */
async function continueApplication(turn: Turn, s: ApplicationState, text: string): Promise<void> {
  const l = turn.locale;
  let next: ApplicationState | undefined;
  let problem: string | undefined;
  const answer = text.trim();
  switch (s.step) {
    case 'name':
      if (answer && answer.length <= 120) next = { ...s, step: 'vat', name: answer };
      else problem = t(l, 'apply.bad.name');
      break;
    case 'vat': {
      const vat = normalizeVatNumber(answer);
      if (vat && isValidVatNumber(vat)) next = { ...s, step: 'regions', vatNumber: vat };
      else problem = t(l, 'error.invalid_vat', { vat: answer.slice(0, 20) });
      break;
    }
    case 'regions': {
      const { values, unknown } = parseList(answer, parseRegion);
      if (values.length && !unknown.length) next = { ...s, step: 'categories', regions: values };
      else problem = t(l, 'apply.bad.regions', { words: unknown.join(', ') || answer.slice(0, 40) });
      break;
    }
    case 'categories': {
      const { values, unknown } = parseList(answer, parseCategory);
      if (values.length && !unknown.length) next = { ...s, step: 'contacts', categories: values };
      else problem = t(l, 'apply.bad.categories', { words: unknown.join(', ') || answer.slice(0, 40) });
      break;
    }
    case 'contacts':
      if (answer && answer.length <= 300) next = { ...s, step: 'confirm', contacts: answer };
      else problem = t(l, 'apply.bad.contacts');
      break;
    case 'confirm':
      problem = t(l, 'apply.bad.confirm');
      break;
  }
  const state = next ?? s;
  await turn.ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
  turn.replyPrivately(question(l, state, problem));
}

/** Send (or cancel) pressed at the end of the application. */
export async function finishApplication(turn: Turn, send: boolean): Promise<void> {
  const ctx = turn.ctx;
  const state = await ctx.repos.dialogs.get(turn.dialogKey, ctx.clock.now());
  await ctx.repos.dialogs.delete(turn.dialogKey);
  if (!send) return turn.say(t(turn.locale, 'dialog.cancelled'));
  if (flowOf(state) !== 'vendor-apply' || (state as ApplicationState).step !== 'confirm') return turn.say(t(turn.locale, 'dialog.expired'));
  const s = state as ApplicationState;
  const vendor = await registerVendor(
    ctx,
    checkVendorInput({
      name: s.name ?? '',
      vatNumber: s.vatNumber ?? '',
      regions: s.regions ?? [],
      categories: s.categories ?? [],
      contacts: s.contacts ?? '',
    }),
  );
  turn.replyPrivately({ text: t(turn.locale, 'apply.sent', { ref: vendor.ref, name: vendor.name }) });
}

/** A committee button pressed: remember what it waits for, and ask for the reason. */
export async function askReason(turn: Turn, action: ReasonState['action'], ref: string): Promise<void> {
  const state: ReasonState = { flow: 'vendor-reason', action, ref };
  await turn.ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
  const text =
    action === 'close_case'
      ? t(turn.locale, 'reason.ask_case', { ref })
      : t(turn.locale, 'reason.ask', { ref, action: t(turn.locale, `action.${action}`) });
  turn.replyPrivately({ text });
}

async function completeReason(turn: Turn, s: ReasonState, text: string): Promise<void> {
  await turn.ctx.repos.dialogs.delete(turn.dialogKey);
  if (s.action === 'close_case') {
    const c = await closeComplaint(turn.ctx, s.ref, text);
    return turn.say(t(turn.locale, 'ok.case_closed', { ref: c.ref }));
  }
  const v = await decideVendor(turn.ctx, s.ref, s.action, text);
  turn.say(t(turn.locale, 'ok.vendor_decided', { ref: v.ref, standing: t(turn.locale, `vendor_status.${v.status}`) }));
}

/** After the stars: the comment, or "salta". */
export async function askReviewComment(turn: Turn, ref: string): Promise<void> {
  const state: ReviewCommentState = { flow: 'vendor-review', ref };
  await turn.ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
}

async function completeReview(turn: Turn, s: ReviewCommentState, text: string): Promise<void> {
  await turn.ctx.repos.dialogs.delete(turn.dialogKey);
  if (SKIP.test(text.trim())) {
    await skipReviewComment(turn.ctx, s.ref);
    return turn.say(t(turn.locale, 'review.thanks', { ref: s.ref }));
  }
  await commentReview(turn.ctx, s.ref, text);
  turn.say(t(turn.locale, 'review.thanks', { ref: s.ref }));
}

export const vendorDialogs: DialogSpec[] = [
  {
    flow: 'vendor-apply',
    owns: (v) => flowOf(v) === 'vendor-apply',
    continue: (turn, state, text) => continueApplication(turn, state as ApplicationState, text),
  },
  {
    flow: 'vendor-reason',
    capturesCommandsInChannels: true,
    owns: (v) => flowOf(v) === 'vendor-reason',
    dropOnRefusal: true,
    async continue(turn, state, text) {
      if (!text.trim()) throw new DomainError('invalid_input', { field: 'reason', max: 500 });
      return completeReason(turn, state as ReasonState, text);
    },
  },
  {
    flow: 'vendor-review',
    owns: (v) => flowOf(v) === 'vendor-review',
    dropOnRefusal: true,
    continue: (turn, state, text) => completeReview(turn, state as ReviewCommentState, text),
  },
];
