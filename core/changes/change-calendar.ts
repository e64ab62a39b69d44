/**
 * The change calendar: approved and scheduled changes in the next days (and approved ones still
 * to schedule), with their windows, items and organisations, and the conflicts among them. A
 * member sees their organisation's changes; volunteers and staff see every organisation's.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { itemLabelForChannel } from './change-facts.ts';
import { ChangePolicy } from './change-policy.ts';
import { type CalendarLine, calendarText } from './change-replies.ts';
import { type Conflict, findConflicts } from './conflicts.ts';

export const DEFAULT_CALENDAR_DAYS = 14;
export const MAX_CALENDAR_DAYS = 90;
const DAY_MS = 86_400_000;

export interface Calendar {
  readonly days: number;
  readonly lines: readonly CalendarLine[];
  readonly conflicts: readonly Conflict[];
  readonly labels: ReadonlyMap<string, string>;
}

export async function changeCalendar(ctx: UseCaseContext, days = DEFAULT_CALENDAR_DAYS): Promise<Calendar> {
  const now = ctx.clock.now();
  const entries = await ctx.repos.changes.listCalendar(
    now,
    new Date(now.getTime() + days * DAY_MS),
    ChangePolicy.readableOrganisations(ctx.actor),
  );
  const labels = new Map<string, string>();
  for (const id of new Set(entries.flatMap((e) => e.itemIds))) {
    const item = await ctx.repos.configurationItems.find(id);
    labels.set(id, item ? itemLabelForChannel(item) : '?');
  }
  const orgs = new Map<string, string>();
  for (const id of new Set(entries.map((e) => e.organisationId))) orgs.set(id, (await ctx.repos.people.findOrganisation(id))?.name ?? '?');
  const lines = entries.map((e) => ({
    ref: e.ref,
    title: e.title,
    organisation: orgs.get(e.organisationId) ?? '?',
    type: e.changeType,
    start: e.windowStart,
    end: e.windowEnd,
    items: e.itemIds.map((id) => labels.get(id) ?? '?'),
  }));
  const conflicts = findConflicts(
    entries.flatMap((e) =>
      e.windowStart && e.windowEnd
        ? [{ ref: e.ref, organisationId: e.organisationId, start: e.windowStart, end: e.windowEnd, itemIds: e.itemIds }]
        : [],
    ),
  );
  return { days, lines, conflicts, labels };
}

export function calendarMessage(l: Locale, c: Calendar): OutMessage {
  return calendarText(l, c.days, c.lines, c.conflicts, (id) => c.labels.get(id) ?? '?');
}
