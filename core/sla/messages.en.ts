import type { it } from './messages.it.ts';

/** Messages of the SLA feature in English: exactly the keys of the Italian catalog (the type checks it). */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'sla.target.response': 'First response',
  'sla.target.resolution': 'Resolution',
  'sla.field.running': 'due {due}, {remaining} left',
  'sla.field.paused': 'paused, {remaining} left',
  'sla.field.met': 'met ({at})',
  'sla.field.breached': 'missed: it was due {due}',
  'sla.field.late': 'was due {due}, {late} late',
  'sla.field.cancelled': 'no longer needed',
  'sla.unit.day': '{n} d',
  'sla.unit.hour': '{n} h',
  'sla.unit.minute': '{n} min',
  'sla.unit.none': 'less than a minute',
  'sla.business': '{duration} of business time',
  'sla.tier.volunteer': 'Volunteers',
  'sla.tier.vendor': 'Vendors',
  'sla.policy.title': 'SLA targets',
  'sla.policy.calendar': 'Business hours: {hours} ({zone}), national holidays excluded{local}.',
  'sla.policy.local': '; local holidays: {days}',
  'sla.policy.line': '{tier} P{priority}: first response {response}, resolution {resolution}{always}',
  'sla.policy.always': ' · around the clock',
  'sla.policy.invalid': 'The first response must come before the resolution, and every time must be more than zero.',
  'ok.sla':
    'Done: {tier} P{priority} now has first response {response} and resolution {resolution}{always}. Deadlines recomputed on {n} open tickets.',
  'usage.sla':
    'Usage: sla (shows the targets) or, for moderators, sla volunteers|vendors P1…P5 <first response> <resolution> [24x7|business], for example "sla volunteers P2 4h 3d".',
  'help.sla': 'sla: the time targets by priority; sla volunteers P2 4h 3d: change a target (moderators)',
  'menu.sla': 'The time targets (SLA)',
};
