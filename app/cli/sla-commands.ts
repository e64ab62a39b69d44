import { setSlaCalendar } from '../../core/sla/set-sla-calendar.ts';
import { optional } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { cliText } from './messages.ts';

/** `--holidays 12-07,2027-01-02` → the list; an empty value clears it. */
function holidays(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.find((h) => !/^(\d{4}-)?\d{2}-\d{2}$/.test(h));
  if (bad) throw new UsageError(`--holidays takes MM-DD or YYYY-MM-DD dates separated by commas (got ${JSON.stringify(bad)})`);
  return list;
}

export const slaCalendar = defineCommand({
  name: 'sla calendar',
  synopsis: '[--hours SPEC] [--holidays MM-DD,…] [--time-zone ZONE]',
  summary: 'set the business calendar SLA targets count in (e.g. --hours "mon-fri 09:00-18:00" --holidays 12-07); deadlines move at once',
  options: { hours: { type: 'string' }, holidays: { type: 'string' }, 'time-zone': { type: 'string' } },
  parse: (args) => {
    const hours = optional(args, 'hours');
    const localHolidays = holidays(optional(args, 'holidays'));
    const timeZone = optional(args, 'time-zone');
    return { ...(hours !== undefined && { hours }), ...(localHolidays && { localHolidays }), ...(timeZone !== undefined && { timeZone }) };
  },
  async run(session, change) {
    const { settings, rescheduled } = await session.run(undefined, (ctx) => setSlaCalendar(ctx, change));
    const text = cliText(session.locale, 'sla.calendar', {
      hours: settings.hours,
      zone: settings.timeZone,
      holidays: settings.localHolidays.join(', ') || '—',
      n: rescheduled,
    });
    return { json: { settings, rescheduled }, text };
  },
});
