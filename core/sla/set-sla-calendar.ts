import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { TICKET_STATUSES } from '../kernel/ticket.ts';
import { BusinessCalendar } from './business-calendar.ts';
import { SlaClock } from './sla-clock.ts';
import { loadSlaContext, rescheduleSla } from './sla-events.ts';
import { DEFAULT_SLA_SETTINGS, type SlaSettings } from './sla-policy.ts';

const LIVE_STATUSES = TICKET_STATUSES.filter((s) => ['counting', 'paused'].includes(SlaClock.resolutionPhase(s)));

/**
 * Staff change the business calendar (working hours, local holidays such as Milan's 7
 * December, the time zone). Every live ticket's deadlines are recomputed in the same
 * transaction, since business time itself has changed.
 *
 * @example await setSlaCalendar(ctx, { hours: 'mon-fri 09:00-13:00,14:00-18:00', localHolidays: ['12-07'] })
 */
export async function setSlaCalendar(
  ctx: UseCaseContext,
  change: Partial<Pick<SlaSettings, 'hours' | 'localHolidays' | 'timeZone'>>,
): Promise<{ settings: SlaSettings; rescheduled: number }> {
  if (!Actor.isStaff(ctx.actor)) throw new DomainError('forbidden');
  const current = (await ctx.repos.sla.getSettings()) ?? DEFAULT_SLA_SETTINGS;
  const settings: SlaSettings = { ...current, ...change };
  try {
    BusinessCalendar.defaultConfig({
      timeZone: settings.timeZone,
      week: BusinessCalendar.parseHours(settings.hours),
      localHolidays: settings.localHolidays,
    });
  } catch {
    throw new DomainError('invalid_input', { field: 'calendar', max: 0 });
  }
  const now = ctx.clock.now();
  await ctx.repos.sla.saveSettings(settings, Actor.recordedId(ctx.actor), now);
  const sla = await loadSlaContext(ctx.repos);
  const tickets = await ctx.repos.tickets.list({ statuses: LIVE_STATUSES });
  for (const x of tickets) {
    const locked = await ctx.repos.sla.lockTicket(x.id);
    if (locked) await rescheduleSla(ctx, locked, sla);
  }
  return { settings, rescheduled: tickets.length };
}
