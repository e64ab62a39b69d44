/** Maintenance windows: durations typed in chat, and whether a silence covers a machine at a moment. */
import type { Silence } from './model.ts';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  o: 3_600_000, // ore
  d: 86_400_000,
  g: 86_400_000, // giorni
};

/** Longest silence a command may set: a forgotten silence must not hide a machine for ever. */
export const MAX_SILENCE_MS = 30 * 86_400_000;

/**
 * "90m", "2h", "1h30m", "3g", "1d12h" → milliseconds; undefined when it is not a duration
 * (or is zero, or longer than `max`).
 */
export function parseDuration(text: string, max = MAX_SILENCE_MS): number | undefined {
  const s = text.trim().toLowerCase();
  if (!/^(\d+(?:[.,]\d+)?(?:min|s|m|h|o|d|g))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:[.,]\d+)?)(min|s|m|h|o|d|g)/g))
    total += Number((m[1] ?? '0').replace(',', '.')) * (UNIT_MS[m[2] ?? ''] ?? 0);
  total = Math.round(total);
  return total > 0 && total <= max ? total : undefined;
}

/** Whether `silence` mutes new alerts of the machine `configurationItemId` at `at`. */
export function covers(silence: Silence, configurationItemId: string | null, at: Date): boolean {
  const t = at.getTime();
  if (t < silence.startsAt.getTime() || t >= silence.endsAt.getTime()) return false;
  return silence.configurationItemId === null || silence.configurationItemId === configurationItemId;
}

export function isSilenced(silences: readonly Silence[], configurationItemId: string | null, at: Date): boolean {
  return silences.some((s) => covers(s, configurationItemId, at));
}
