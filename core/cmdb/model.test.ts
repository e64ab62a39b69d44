import { describe, expect, it } from 'vitest';
import { changedFacts } from '../alerts/machine-facts.ts';
import type { WireFacts } from '../alerts/protocol.ts';
import { categoryOfText, daysBetween, parseDay, parseKind, parseRelation, parseStatus } from './model.ts';

describe('typed words', () => {
  it('reads days in Italian and ISO forms, refusing days that do not exist', () => {
    expect(parseDay('30/09/2026')).toBe('2026-09-30');
    expect(parseDay('1-3-2027')).toBe('2027-03-01');
    expect(parseDay('2026-09-30')).toBe('2026-09-30');
    expect(parseDay('29/02/2028')).toBe('2028-02-29');
    for (const bad of ['31/02/2026', '29/02/2027', '2026-13-01', 'domani', '30/09/26', '']) expect(parseDay(bad), bad).toBeUndefined();
    expect(daysBetween('2026-09-01', '2026-09-30')).toBe(29);
  });

  it('reads kinds, states and relations in both languages, accents and case aside', () => {
    expect(['stampante', 'Printer', 'licenza', 'abbonamento', 'rete', 'SEDE', 'app'].map(parseKind)).toEqual([
      'printer',
      'printer',
      'licence',
      'licence',
      'network_device',
      'site',
      'application',
    ]);
    expect(parseKind('frigorifero')).toBeUndefined();
    expect(['attivo', 'manutenzione', 'dismesso', 'retired'].map(parseStatus)).toEqual(['active', 'maintenance', 'retired', 'retired']);
    expect(['dipende', 'gira', 'connesso', 'sede', 'runs_on', 'located_at'].map(parseRelation)).toEqual([
      'depends_on',
      'runs_on',
      'connected_to',
      'located_at',
      'runs_on',
      'located_at',
    ]);
  });

  it('tells a ticket category from everyday words, the most specific first', () => {
    expect(categoryOfText('la posta sul pc non arriva')).toBe('email');
    expect(categoryOfText('La stampante della segreteria')).toBe('printer');
    expect(categoryOfText('il wi-fi è lento')).toBe('network');
    expect(categoryOfText('ho dimenticato la password')).toBe('account');
    expect(categoryOfText('niente di che')).toBeNull();
  });
});

describe('material facts of a machine', () => {
  const facts: WireFacts = {
    hostname: 'pc',
    os: { platform: 'linux', release: '6.1', distro: 'Debian 12', arch: 'x64' },
    cpu: { model: 'i5', cores: 4 },
    memoryBytes: 8 * 2 ** 30,
    disks: [{ mount: '/', sizeBytes: 256 * 2 ** 30, usedBytes: 10 }],
    uptimeSeconds: 5,
  };
  it('ignores uptime and usage, sees system, memory and disk sizes', () => {
    expect(changedFacts(facts, { ...facts, uptimeSeconds: 999, disks: [{ mount: '/', sizeBytes: 256 * 2 ** 30, usedBytes: 99 }] })).toEqual(
      [],
    );
    expect(
      changedFacts(facts, {
        ...facts,
        os: { ...facts.os, release: '6.12' },
        disks: [...facts.disks, { mount: '/srv', sizeBytes: 2 ** 40, usedBytes: 0 }],
      }),
    ).toEqual([
      ['os', 'Debian 12 6.1 x64', 'Debian 12 6.12 x64'],
      ['disks', '/ 256 GB', '/ 256 GB, /srv 1024 GB'],
    ]);
    expect(changedFacts(null, facts).map(([f]) => f)).toEqual(['hostname', 'os', 'cpu', 'memory', 'disks']);
  });
});
