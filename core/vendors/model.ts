/**
 * The register (albo): vendor companies, their fields of work and regions, catalogue offers,
 * reviews and complaints, with their human ids (`FOR-000003`, `OFF-000012`, `SEG-000002`).
 */

export const VENDOR_STATUSES = ['applied', 'certified', 'rejected', 'suspended', 'revoked', 'lapsed'] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

export interface Vendor {
  readonly id: string;
  readonly ref: string;
  readonly name: string;
  /** 11 digits, check digit verified. */
  readonly vatNumber: string;
  /** Region codes (`lombardia`…), or `italia` for the whole country. */
  readonly regions: readonly string[];
  readonly categories: readonly VendorCategory[];
  /** How nonprofits reach the company (e-mail, phone, site), as the company gave it. */
  readonly contacts: string;
  readonly status: VendorStatus;
  /** Certified until (exclusive): null before the first certification. */
  readonly certifiedUntil: Date | null;
  readonly appliedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const Vendor = {
  /**
   * Certified right now: approved and not past its expiry. An expired vendor is out of every
   * proposal, quote and catalogue search from the expiry instant, before the sweep records the
   * lapse (anchors: GLPI let inactive suppliers be assigned).
   */
  isCertified(v: Pick<Vendor, 'status' | 'certifiedUntil'>, now: Date): boolean {
    return v.status === 'certified' && v.certifiedUntil !== null && v.certifiedUntil.getTime() > now.getTime();
  },
  serves(v: Pick<Vendor, 'regions'>, region: string | null): boolean {
    return region === null || v.regions.includes('italia') || v.regions.includes(region);
  },
  label(v: Pick<Vendor, 'ref' | 'name'>): string {
    return `${v.ref} ${v.name}`;
  },
};

/** Fields of work: codes, and the words people type for them in either language. */
export const VENDOR_CATEGORIES = [
  'network',
  'hardware',
  'software',
  'security',
  'cloud',
  'backup',
  'web',
  'management',
  'privacy',
  'training',
  'telephony',
] as const;
export type VendorCategory = (typeof VENDOR_CATEGORIES)[number];

const CATEGORY_WORDS: Readonly<Record<string, VendorCategory>> = {
  rete: 'network',
  reti: 'network',
  wifi: 'network',
  sicurezza: 'security',
  antivirus: 'security',
  sito: 'web',
  siti: 'web',
  website: 'web',
  gestionale: 'management',
  gestionali: 'management',
  erp: 'management',
  contabilita: 'management',
  gdpr: 'privacy',
  formazione: 'training',
  corsi: 'training',
  telefonia: 'telephony',
  centralino: 'telephony',
  voip: 'telephony',
  ...Object.fromEntries(VENDOR_CATEGORIES.map((c) => [c, c])),
};

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

export function parseCategory(word: string): VendorCategory | undefined {
  return CATEGORY_WORDS[fold(word).replace(/ /g, '')];
}

/** Italy's regions; `italia` stands for a vendor serving the whole country. */
export const REGIONS: Readonly<Record<string, string>> = {
  abruzzo: 'Abruzzo',
  basilicata: 'Basilicata',
  calabria: 'Calabria',
  campania: 'Campania',
  'emilia-romagna': 'Emilia-Romagna',
  'friuli-venezia-giulia': 'Friuli-Venezia Giulia',
  lazio: 'Lazio',
  liguria: 'Liguria',
  lombardia: 'Lombardia',
  marche: 'Marche',
  molise: 'Molise',
  piemonte: 'Piemonte',
  puglia: 'Puglia',
  sardegna: 'Sardegna',
  sicilia: 'Sicilia',
  toscana: 'Toscana',
  'trentino-alto-adige': 'Trentino-Alto Adige',
  umbria: 'Umbria',
  'valle-d-aosta': "Valle d'Aosta",
  veneto: 'Veneto',
  italia: 'Italia',
};

const REGION_WORDS: Readonly<Record<string, string>> = {
  emilia: 'emilia-romagna',
  romagna: 'emilia-romagna',
  friuli: 'friuli-venezia-giulia',
  trentino: 'trentino-alto-adige',
  'alto adige': 'trentino-alto-adige',
  sudtirol: 'trentino-alto-adige',
  aosta: 'valle-d-aosta',
  'valle d aosta': 'valle-d-aosta',
  'tutta italia': 'italia',
  nazionale: 'italia',
  italy: 'italia',
  'all italy': 'italia',
  'whole country': 'italia',
  lombardy: 'lombardia',
  tuscany: 'toscana',
  sicily: 'sicilia',
  sardinia: 'sardegna',
  piedmont: 'piemonte',
  apulia: 'puglia',
};

export function parseRegion(word: string): string | undefined {
  const f = fold(word);
  const code = f.replace(/ /g, '-');
  if (REGIONS[code]) return code;
  return REGION_WORDS[f];
}

/** A list typed with commas (or "e"/"and"): the codes, and the words that were not understood. */
export function parseList<T>(typed: string, parse: (w: string) => T | undefined): { readonly values: T[]; readonly unknown: string[] } {
  const values: T[] = [];
  const unknown: string[] = [];
  for (const w of typed
    .split(/,|;|\n|\be\b|\band\b/i)
    .map((x) => x.trim())
    .filter(Boolean)) {
    const v = parse(w);
    if (v === undefined) unknown.push(w);
    else if (!values.includes(v)) values.push(v);
  }
  return { values, unknown };
}

/** Human ids of the register: `FOR-000003` (vendor), `OFF-000012` (offer), `SEG-000002` (complaint). */
export type RegisterRefKind = 'vendor' | 'offer' | 'complaint';
const PREFIX: Readonly<Record<RegisterRefKind, string>> = { vendor: 'FOR', offer: 'OFF', complaint: 'SEG' };

export const RegisterRef = {
  format(kind: RegisterRefKind, n: number): string {
    return `${PREFIX[kind]}-${String(n).padStart(6, '0')}`;
  },
  /** The canonical ref of `kind` in what was typed ("for 3", "FOR-000003"), or undefined. */
  parse(kind: RegisterRefKind, typed: string): string | undefined {
    const m = new RegExp(`^\\s*${PREFIX[kind]}[\\s-]*0*(\\d{1,9})\\s*$`, 'i').exec(typed);
    return m?.[1] ? RegisterRef.format(kind, Number(m[1])) : undefined;
  },
};

export type OfferKind = 'service' | 'solution';

/** A catalogue offer: a service or a solution on conditions reserved to nonprofits. */
export interface Offer {
  readonly id: string;
  readonly ref: string;
  readonly vendorId: string;
  readonly kind: OfferKind;
  readonly category: VendorCategory;
  readonly title: string;
  readonly priceTerms: string;
  readonly conditions: string;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly withdrawnAt: Date | null;
}

export interface Review {
  readonly id: string;
  readonly engagementId: string;
  readonly vendorId: string;
  readonly organisationId: string;
  readonly authorId: string;
  readonly rating: number;
  readonly comment: string | null;
  readonly createdAt: Date;
}

/** A complaint about a vendor or a certified person: a case the committee closes with a decision. */
export interface Complaint {
  readonly id: string;
  readonly ref: string;
  readonly subjectKind: 'vendor' | 'person';
  readonly subjectId: string;
  readonly subjectLabel: string;
  readonly reason: string;
  readonly filedBy: string;
  readonly filedAt: Date;
  readonly status: 'open' | 'closed';
  readonly decision: string | null;
  readonly closedBy: string | null;
  readonly closedAt: Date | null;
}
