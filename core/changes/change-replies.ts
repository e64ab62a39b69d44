/** How change messages read: the change's page, the approval request, the calendar, the catalogue. */
import { formatDate } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { ChangeFacts } from './change-facts.ts';
import type { Conflict } from './conflicts.ts';
import { t } from './messages.ts';
import { type ApprovalSlot, type ChangeDetails, ChangeRules } from './model.ts';
import { findStandardChange, STANDARD_CHANGES } from './standard-changes.ts';

export function windowText(l: Locale, start: Date | null, end: Date | null): string {
  return start && end ? t(l, 'change.window', { start: formatDate(l, start), end: formatDate(l, end) }) : t(l, 'change.window_none');
}

/** Who must approve the change, in words ("il referente ICT dell'ente (o un moderatore…) e il comitato"). */
export function approversText(l: Locale, details: Pick<ChangeDetails, 'changeType' | 'sharedInfrastructure'>): string {
  if (details.changeType === 'emergency') return t(l, 'change.slot.any');
  const org = t(l, 'change.slot.organisation_or_moderator');
  return details.sharedInfrastructure ? t(l, 'change.slot.and', { a: org, b: t(l, 'change.slot.committee') }) : org;
}

/** Some approval slots, in words. */
export function slotsText(l: Locale, slots: readonly ApprovalSlot[]): string {
  const words = slots.map((s) => t(l, `change.slot.${s}`));
  return words.length === 2 ? t(l, 'change.slot.and', { a: words[0] ?? '', b: words[1] ?? '' }) : (words[0] ?? '—');
}

const noteSuffix = (note: string | null | undefined) => (note ? ` «${forChannel(note, 200)}»` : '');

/** The change's page (`rfc RFC-…`): status, type, approvals, window, items, outcome, review. */
export function changePage(l: Locale, f: ChangeFacts): OutMessage {
  const { ticket, details } = f;
  const fields: { label: string; value: string }[] = [
    { label: t(l, 'change.field.status'), value: t(l, `status.${ticket.status}`) },
    { label: t(l, 'change.field.organisation'), value: neutralizeMentions(f.organisation) },
    { label: t(l, 'change.field.requester'), value: f.requester },
    { label: t(l, 'change.field.owner'), value: f.owner ?? '—' },
  ];
  if (!details)
    return {
      title: `${ticket.ref} · ${neutralizeMentions(ticket.title)}`,
      text: t(l, 'change.not_submitted', { ref: ticket.ref }),
      fields,
    };
  const standard = details.standardKey ? findStandardChange(details.standardKey) : undefined;
  fields.push(
    { label: t(l, 'change.field.type'), value: t(l, `change.type.${details.changeType}`) },
    ...(standard ? [{ label: t(l, 'change.field.standard'), value: `${standard.key}: ${standard.title[l]}` }] : []),
    { label: t(l, 'change.field.shared'), value: t(l, details.sharedInfrastructure ? 'change.yes' : 'change.no') },
    { label: t(l, 'change.field.items'), value: f.items.join(', ') || '—' },
    { label: t(l, 'change.field.approvals'), value: approvalLines(l, f) },
  );
  if (ticket.status === 'awaiting_approval') fields.push({ label: t(l, 'change.field.needs'), value: approversText(l, details) });
  fields.push({ label: t(l, 'change.field.window'), value: windowText(l, details.windowStart, details.windowEnd) });
  if (details.outcome) fields.push({ label: t(l, 'change.field.outcome'), value: forChannel(details.outcome, 300) });
  if (details.backoutPlan) fields.push({ label: t(l, 'change.field.backout'), value: forChannel(details.backoutPlan, 300) });
  if (details.changeType === 'emergency' && (ticket.status === 'implemented' || details.reviewedAt))
    fields.push({
      label: t(l, 'change.field.review'),
      value: details.reviewedAt
        ? t(l, 'change.review_line', {
            name: f.reviewer ?? '?',
            when: formatDate(l, details.reviewedAt),
            note: noteSuffix(details.reviewNote),
          })
        : t(l, 'change.review_pending'),
    });
  return { title: `${ticket.ref} · ${neutralizeMentions(ticket.title)}`, text: t(l, `status_help.${ticket.status}`), fields };
}

/** Who decided what, one line per approval slot. */
function approvalLines(l: Locale, f: ChangeFacts): string {
  return (
    f.approvals
      .map((a) =>
        t(l, 'change.approval_line', {
          slot: t(l, `change.slot.${a.slot}`),
          decision: t(l, `change.decision.${a.decision}`),
          name: a.approver,
          note: noteSuffix(a.note),
        }),
      )
      .join('\n') || '—'
  );
}

/**
 * The approval request sent to the approvers: with Approve / Reject while the change waits,
 * then (the same message, edited) the decision.
 */
export function approvalRequest(l: Locale, f: ChangeFacts): OutMessage {
  const { ticket, details } = f;
  const title = t(l, 'change.request.title', { ref: ticket.ref, title: neutralizeMentions(ticket.title) });
  const fields = [
    { label: t(l, 'change.field.type'), value: details ? t(l, `change.type.${details.changeType}`) : '—' },
    { label: t(l, 'change.field.shared'), value: t(l, details?.sharedInfrastructure ? 'change.yes' : 'change.no') },
    { label: t(l, 'change.field.items'), value: f.items.join(', ') || '—' },
    { label: t(l, 'change.field.owner'), value: f.owner ?? '—' },
  ];
  if (ticket.status !== 'awaiting_approval')
    return {
      title,
      text: t(l, 'change.request.decided', { ref: ticket.ref, status: t(l, `status.${ticket.status}`) }),
      fields: [...fields, { label: t(l, 'change.field.approvals'), value: approvalLines(l, f) }],
    };
  const approved = f.approvals.filter((a) => a.decision === 'approved').map((a) => a.slot);
  const missing = details ? ChangeRules.requiredSlots(details).filter((s) => !approved.includes(s)) : [];
  const partial =
    approved.length && details
      ? `\n${t(l, 'change.request.partial', { slots: slotsText(l, approved), missing: slotsText(l, missing) })}`
      : '';
  return {
    title,
    text:
      t(l, 'change.request.text', {
        owner: f.owner ?? '?',
        type: details ? t(l, `change.type.${details.changeType}`) : '',
        org: neutralizeMentions(f.organisation),
        ref: ticket.ref,
      }) + partial,
    fields,
    buttons: [
      { actionId: 'change.approve', value: ticket.ref, label: t(l, 'change.button.approve_change'), style: 'primary' },
      { actionId: 'change.reject', value: ticket.ref, label: t(l, 'change.button.reject_change'), style: 'danger' },
    ],
  };
}

/** The review request in the committee channel after an emergency change, then (edited) who reviewed it. */
export function reviewRequest(l: Locale, f: ChangeFacts): OutMessage {
  const { ticket, details } = f;
  const title = t(l, 'change.review.title', { ref: ticket.ref, title: neutralizeMentions(ticket.title) });
  if (details?.reviewedAt)
    return { title, text: t(l, 'change.review.done', { ref: ticket.ref, name: f.reviewer ?? '?', note: noteSuffix(details.reviewNote) }) };
  return {
    title,
    text: t(l, 'change.review.text', { ref: ticket.ref, org: neutralizeMentions(f.organisation) }),
    fields: [
      { label: t(l, 'change.field.items'), value: f.items.join(', ') || '—' },
      { label: t(l, 'change.field.outcome'), value: details?.outcome ? forChannel(details.outcome, 300) : '—' },
    ],
    buttons: [{ actionId: 'change.approve', value: ticket.ref, label: t(l, 'change.button.reviewed'), style: 'primary' }],
  };
}

export function catalogueText(l: Locale): OutMessage {
  return {
    title: t(l, 'change.catalogue.title'),
    text: [
      ...STANDARD_CHANGES.map((s) =>
        t(l, 'change.catalogue.line', { key: s.key, aliases: s.aliases.join(', '), title: s.title[l], risk: s.risk[l] }),
      ),
      '',
      t(l, 'change.catalogue.hint'),
    ].join('\n'),
  };
}

export interface CalendarLine {
  readonly ref: string;
  readonly title: string;
  readonly organisation: string;
  readonly type: ChangeDetails['changeType'];
  readonly start: Date | null;
  readonly end: Date | null;
  readonly items: readonly string[];
}

export function calendarText(
  l: Locale,
  days: number,
  lines: readonly CalendarLine[],
  conflicts: readonly Conflict[],
  itemLabel: (id: string) => string,
): OutMessage {
  if (lines.length === 0) return { text: t(l, 'change.calendar.empty', { days }) };
  const line = (c: CalendarLine) =>
    t(l, 'change.calendar.line', {
      window: windowText(l, c.start, c.end),
      ref: c.ref,
      title: forChannel(c.title, 80),
      org: neutralizeMentions(c.organisation),
      type: t(l, `change.type.${c.type}`),
      items: c.items.length ? ` · ${c.items.join(', ')}` : '',
    });
  const planned = lines.filter((c) => c.start);
  const unplanned = lines.filter((c) => !c.start);
  const out = planned.map(line);
  if (unplanned.length) out.push('', t(l, 'change.calendar.unscheduled'), ...unplanned.map(line));
  if (conflicts.length)
    out.push(
      '',
      t(l, 'change.calendar.conflicts'),
      ...conflicts.map((c) =>
        c.reason === 'item'
          ? t(l, 'change.calendar.conflict_item', { a: c.a, b: c.b, items: c.itemIds.map(itemLabel).join(', ') })
          : t(l, 'change.calendar.conflict_org', { a: c.a, b: c.b }),
      ),
    );
  return { title: t(l, 'change.calendar.title', { days }), text: out.join('\n') };
}
