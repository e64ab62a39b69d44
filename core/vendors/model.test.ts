import { describe, expect, it } from 'vitest';
import { parseCategory, parseList, parseRegion, RegisterRef, Vendor } from './model.ts';

describe('register words', () => {
  it.each<[string, string | undefined]>([
    ['rete', 'network'],
    ['Sicurezza', 'security'],
    ['gestionale', 'management'],
    ['Contabilità', 'management'],
    ['network', 'network'],
    ['sito', 'web'],
    ['stampanti', undefined],
  ])('category %j → %s', (w, c) => expect(parseCategory(w)).toBe(c));

  it.each<[string, string | undefined]>([
    ['Lombardia', 'lombardia'],
    ['emilia romagna', 'emilia-romagna'],
    ["Valle d'Aosta", 'valle-d-aosta'],
    ['Friuli', 'friuli-venezia-giulia'],
    ['tutta Italia', 'italia'],
    ['Tuscany', 'toscana'],
    ['Atlantide', undefined],
  ])('region %j → %s', (w, r) => expect(parseRegion(w)).toBe(r));

  it('reads typed lists, reporting what it does not know', () => {
    expect(parseList('Lombardia, Piemonte e Liguria', parseRegion)).toEqual({ values: ['lombardia', 'piemonte', 'liguria'], unknown: [] });
    expect(parseList('rete; rete, Marte', parseCategory)).toEqual({ values: ['network'], unknown: ['Marte'] });
  });

  it('parses and formats register refs', () => {
    expect(RegisterRef.parse('vendor', 'for 3')).toBe('FOR-000003');
    expect(RegisterRef.parse('vendor', 'FOR-000003')).toBe('FOR-000003');
    expect(RegisterRef.parse('vendor', 'OFF-1')).toBeUndefined();
    expect(RegisterRef.parse('complaint', 'seg-12')).toBe('SEG-000012');
  });

  it('a vendor is certified only while approved and before its expiry', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    expect(Vendor.isCertified({ status: 'certified', certifiedUntil: new Date('2026-03-02T10:00:01Z') }, now)).toBe(true);
    expect(Vendor.isCertified({ status: 'certified', certifiedUntil: now }, now)).toBe(false);
    expect(Vendor.isCertified({ status: 'suspended', certifiedUntil: new Date('2027-01-01') }, now)).toBe(false);
    expect(Vendor.serves({ regions: ['italia'] }, 'sicilia')).toBe(true);
    expect(Vendor.serves({ regions: ['lombardia'] }, 'sicilia')).toBe(false);
    expect(Vendor.serves({ regions: ['lombardia'] }, null)).toBe(true);
  });
});
