import type { DomainError } from './errors.ts';
import { defineMessages, type Locale } from './i18n.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/**
 * The ground floor's messages: errors, and the words every feature shares (ticket kinds and
 * statuses, roles, channel purposes, buttons). Features extend them with their own catalogs.
 */
export const m = defineMessages(it, en);
export const t = m.t;
export { en as kernelEn, it as kernelIt };

/** Error parameters that are codes, and the catalog prefix that turns each into the reader's words. */
const CODE_PARAMS = [
  ['status', 'status'],
  ['action', 'action'],
  ['field', 'field'],
  ['role', 'role'],
  ['state', 'engagement'],
  ['standing', 'vendor_status'],
] as const;

/**
 * A refusal in the reader's language, its code parameters (a status, an action, a field, a role,
 * a vendor request's stage, a vendor's standing) in words: what chat and the CLI print.
 */
export function describeError(l: Locale, err: DomainError): string {
  const params: Record<string, string | number> = { ...err.params };
  for (const [name, prefix] of CODE_PARAMS) {
    const v = err.params[name];
    const key = `${prefix}.${String(v)}`;
    if (typeof v === 'string' && m.has(key)) params[name] = m.t(l, key);
  }
  return m.t(l, err.messageKey, params);
}
