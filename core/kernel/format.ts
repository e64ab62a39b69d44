import type { Locale } from './i18n.ts';

/** A date and time as Italians (or the British) read it, in Rome's time zone. */
export function formatDate(l: Locale, d: Date): string {
  return new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Rome',
  }).format(d);
}
