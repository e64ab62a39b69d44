import { describe, expect, it } from 'vitest';
import { localDay, wallClock, zonedToUtcMs } from './zoned-time.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock straight from Intl, without the cached offsets. */
function reference(t: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const f =
    formatters.get(timeZone) ??
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  formatters.set(timeZone, f);
  const p: Record<string, number> = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return { y: p['year'] ?? 0, m: p['month'] ?? 0, d: p['day'] ?? 0, h: p['hour'] ?? 0, mi: p['minute'] ?? 0, s: p['second'] ?? 0 };
}

function asParts(t: number, timeZone: string) {
  const w = wallClock(t, timeZone);
  const d = new Date(w.ms);
  return { y: w.y, m: w.m, d: w.d, h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

describe('wallClock', () => {
  const zones = ['Europe/Rome', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC'];

  it('agrees with Intl at every second around the 2026 daylight saving changes in Rome', () => {
    // 29 March 01:00 UTC (02:00 → 03:00) and 25 October 01:00 UTC (03:00 → 02:00).
    for (const change of [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1)])
      for (let t = change - 20 * 60_000; t < change + 20 * 60_000; t += 7_000)
        expect(asParts(t, 'Europe/Rome'), new Date(t).toISOString()).toEqual(reference(t, 'Europe/Rome'));
  });

  it('agrees with Intl across years in zones with odd offsets and half-hour changes', () => {
    let t = Date.UTC(1890, 0, 1);
    const end = Date.UTC(2040, 0, 1);
    // A step that is no multiple of the cache's quarter hour, so instants land anywhere in one.
    for (let i = 0; t < end; i++, t += 5 * 86_400_000 + 3_607_123)
      for (const z of zones) expect(asParts(t, z), `${z} ${new Date(t).toISOString()}`).toEqual(reference(t, z));
  });

  it('keeps localDay and zonedToUtcMs consistent with it', () => {
    expect(localDay(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
    // 02:30 on 29 March 2026 does not exist in Rome: shifted forward by the hour skipped.
    expect(new Date(zonedToUtcMs(2026, 3, 29, 150)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 on 25 October 2026 happens twice: the earlier instant.
    expect(new Date(zonedToUtcMs(2026, 10, 25, 150)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
