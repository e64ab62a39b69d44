/**
 * The Italian VAT number (partita IVA), checked offline: 11 digits, the last a Luhn-style check
 * digit over the first ten (digits in odd positions summed; in even positions doubled, 9
 * subtracted when over 9, summed; the check digit brings the total to a multiple of 10). An
 * online register (the EU's VIES) answers "invalid" when overloaded, so it is never asked here:
 * a number that passes this check is well formed, not proven to be active.
 */

/** The 11 digits of a VAT number as typed ("IT 01234567890", "012 345 678 90"), or undefined. */
export function normalizeVatNumber(typed: string): string | undefined {
  const s = typed.replace(/[\s.-]/g, '').replace(/^IT/i, '');
  return /^\d{11}$/.test(s) ? s : undefined;
}

/** The check digit the first ten digits call for. */
export function vatCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(first10[i]);
    if (i % 2 === 0) sum += d;
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether `typed` is a well-formed Italian VAT number (check digit included; all zeros is not). */
export function isValidVatNumber(typed: string): boolean {
  const vat = normalizeVatNumber(typed);
  if (!vat || /^0{11}$/.test(vat)) return false;
  return vatCheckDigit(vat.slice(0, 10)) === Number(vat[10]);
}
