/**
 * `Date.prototype.toISOString()` without it. V8 formats an ISO date through its date cache, and
 * the first use of that cache loads the local time zone from ICU: about 0.9 MB of ICU data and
 * code paged in for the rest of the agent's life. The UTC getters do not touch it, so the same
 * text is built from them.
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The ISO 8601 text of a time in milliseconds, exactly as `new Date(ms).toISOString()` writes it. */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (Number.isNaN(year)) throw new RangeError('Invalid time value');
  // Years outside 0–9999 get a sign and six digits, as toISOString writes them.
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`;
  return `${y}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}
