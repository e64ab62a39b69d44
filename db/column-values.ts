/** Small conversions between domain values and what the monitoring tables' columns accept. */

/** A nullable jsonb value as node-postgres must send it: a JSON string (an array would become a PostgreSQL array). */
export const toJson = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * True when `s` can be compared with a uuid column. Ids typed in chat reach the lookups as they
 * are, and PostgreSQL refuses a malformed uuid with an error instead of matching nothing.
 */
export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** A uuid that matches nothing. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

/** Ids for `where(column, 'in', …)`, which cannot take an empty list: none becomes one that matches nothing. */
export function idsForIn(ids: readonly string[]): string[] {
  return ids.length ? [...ids] : [NO_ID];
}
