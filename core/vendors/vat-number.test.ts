import { describe, expect, it } from 'vitest';
import { isValidVatNumber, normalizeVatNumber, vatCheckDigit } from './vat-number.ts';

describe('Italian VAT numbers', () => {
  it.each(['12345678903', '00743110157', 'IT00743110157', 'it 007 431 101 57', '01114601006'])('%s is valid', (vat) => {
    expect(isValidVatNumber(vat)).toBe(true);
  });

  it.each([
    ['12345678901', 'wrong check digit'],
    ['00743110158', 'wrong check digit'],
    ['0074311015', 'ten digits'],
    ['007431101570', 'twelve digits'],
    ['0074311015A', 'a letter'],
    ['00000000000', 'all zeros'],
    ['', 'empty'],
    ['FR00743110157', 'another country'],
  ])('%s is refused (%s)', (vat) => {
    expect(isValidVatNumber(vat)).toBe(false);
  });

  it('exactly one check digit fits any ten digits, and changing any one digit breaks it', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 500; n++) {
      const first10 = Array.from({ length: 10 }, () => String(next() % 10)).join('');
      if (/^0+$/.test(first10)) continue;
      const fits = [...Array(10).keys()].filter((c) => isValidVatNumber(`${first10}${c}`));
      expect(fits).toEqual([vatCheckDigit(first10)]);
      const vat = `${first10}${vatCheckDigit(first10)}`;
      const i = next() % 11;
      const changed = `${vat.slice(0, i)}${(Number(vat[i]) + 1 + (next() % 9)) % 10}${vat.slice(i + 1)}`;
      expect(isValidVatNumber(changed), `${vat} → ${changed}`).toBe(false);
    }
  });

  it('normalizes what people type', () => {
    expect(normalizeVatNumber(' IT 012.345.678-90 ')).toBe('01234567890');
    expect(normalizeVatNumber('1234')).toBeUndefined();
  });
});
