import type { Locale } from './i18n.ts';

/** A date and time as Italians (or the British) read it, in Rome's time zone. */
export function formatDate(l: Locale, d: Date): string {
  return new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(d);
}

/** A calendar day in Rome ("15 marzo 2027", "15 March 2027"). */
export function formatDay(l: Locale, d: Date): string {
  return new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(d);
}
