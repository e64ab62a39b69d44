import type { Locale } from '../kernel/i18n.ts';
import { m } from './messages.ts';

/** The catalog prefixes the page needs: its own labels and the words it shows for codes. */
const PREFIXES = ['dashboard.', 'kind.', 'alert.severity.', 'alert.kind.', 'decision.'];

/**
 * Every label of the dashboard page in one language, rendered into the page by the server (the
 * page never holds both catalogs, nor any other text of the bot).
 */
export function dashboardLabels(l: Locale): Readonly<Record<string, string>> {
  const catalog = m.catalogs[l] as Readonly<Record<string, string>>;
  return Object.fromEntries(Object.entries(catalog).filter(([k]) => PREFIXES.some((p) => k.startsWith(p))));
}

export { t as dashboardText } from './messages.ts';
