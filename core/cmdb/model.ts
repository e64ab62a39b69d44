/**
 * The CMDB's own words: relations between items ("source needs target"), an item's history, the
 * overview `ci CI-000007` shows, and how people type kinds, states, relations and dates in chat.
 */
import { CI_KINDS, CI_STATUSES, type CiKind, type CiStatus, type ConfigurationItem } from '../kernel/configuration-item.ts';
import type { TicketKind, TicketStatus } from '../kernel/ticket.ts';

/** A runs on B, depends on B, is connected to B, is located at B: A needs B. */
export const RELATION_KINDS = ['runs_on', 'depends_on', 'connected_to', 'located_at'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

/** The fields a person edits (each change is a history row with who and why). */
export const EDITABLE_FIELDS = ['name', 'status', 'notes', 'renewal'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export const NAME_MAX = 120;
export const NOTES_MAX = 1000;
export const REASON_MAX = 300;

/** An item as lists and relations show it. */
export type ItemSummary = Pick<ConfigurationItem, 'id' | 'number' | 'name' | 'kind' | 'status' | 'organisationId'>;

/** One recorded change of an item: `actorId` null for its agent or the system. */
export interface ItemHistoryEntry {
  readonly seq: number;
  readonly at: Date;
  readonly actorId: string | null;
  readonly actorName: string | null;
  /** `created`, `name`, `status`, `notes`, `renewal_on`, or a fact the agent reports (`hostname`, `os`, `cpu`, `memory`, `disks`). */
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string | null;
}

export interface ItemRelation {
  readonly kind: RelationKind;
  /** The other end: the target of an outgoing relation, the source of an incoming one. */
  readonly other: ItemSummary;
}

/** An item that stops working when the analysed one stops: `depth` 1 needs it directly. */
export interface ImpactedItem {
  readonly item: ItemSummary;
  readonly depth: number;
}

export interface Impact {
  readonly items: readonly ImpactedItem[];
  /** How many items depend on it in all (the list may be cut at its limit). */
  readonly total: number;
}

export interface OpenTicketOnItem {
  readonly ref: string;
  readonly kind: TicketKind;
  readonly title: string;
  readonly status: TicketStatus;
  readonly priority: number;
}

export interface OpenAlertOnItem {
  readonly number: number;
  readonly checkId: string;
  readonly target: string;
  readonly severity: 'warn' | 'crit';
  readonly state: string;
  readonly openedAt: Date;
}

export interface ChangeOnItem {
  readonly ref: string;
  readonly title: string;
  readonly status: TicketStatus;
  readonly windowStart: Date | null;
  readonly windowEnd: Date | null;
}

/** Everything `ci CI-000007` shows. */
export interface ItemOverview {
  readonly item: ConfigurationItem;
  readonly organisationName: string;
  readonly tickets: readonly OpenTicketOnItem[];
  readonly alerts: readonly OpenAlertOnItem[];
  readonly changes: readonly ChangeOnItem[];
  /** What this item needs. */
  readonly needs: readonly ItemRelation[];
  /** What needs this item directly. */
  readonly neededBy: readonly ItemRelation[];
  readonly impact: Impact;
}

// ---------------------------------------------------------------------------------------------
// Typed words, Italian first.

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

const KIND_WORDS: Readonly<Record<string, CiKind>> = {
  computer: 'computer',
  pc: 'computer',
  portatile: 'computer',
  notebook: 'computer',
  laptop: 'computer',
  server: 'server',
  nas: 'server',
  rete: 'network_device',
  router: 'network_device',
  switch: 'network_device',
  firewall: 'network_device',
  modem: 'network_device',
  'access-point': 'network_device',
  apparato: 'network_device',
  network: 'network_device',
  network_device: 'network_device',
  'network-device': 'network_device',
  stampante: 'printer',
  multifunzione: 'printer',
  printer: 'printer',
  applicazione: 'application',
  servizio: 'application',
  app: 'application',
  software: 'application',
  application: 'application',
  service: 'application',
  sede: 'site',
  sito: 'site',
  site: 'site',
  licenza: 'licence',
  abbonamento: 'licence',
  licence: 'licence',
  license: 'licence',
  subscription: 'licence',
};

/** `stampante`, `printer`, `licenza`… → the kind; undefined for anything else. */
export function parseKind(word: string): CiKind | undefined {
  const w = fold(word);
  return KIND_WORDS[w] ?? ((CI_KINDS as readonly string[]).find((k) => k === w) as CiKind | undefined);
}

const STATUS_WORDS: Readonly<Record<string, CiStatus>> = {
  attivo: 'active',
  attiva: 'active',
  active: 'active',
  manutenzione: 'maintenance',
  maintenance: 'maintenance',
  dismesso: 'retired',
  dismessa: 'retired',
  ritirato: 'retired',
  retired: 'retired',
};

export function parseStatus(word: string): CiStatus | undefined {
  const w = fold(word);
  return STATUS_WORDS[w] ?? ((CI_STATUSES as readonly string[]).find((s) => s === w) as CiStatus | undefined);
}

const RELATION_WORDS: Readonly<Record<string, RelationKind>> = {
  dipende: 'depends_on',
  'dipende-da': 'depends_on',
  depends: 'depends_on',
  depends_on: 'depends_on',
  'depends-on': 'depends_on',
  gira: 'runs_on',
  'gira-su': 'runs_on',
  runs: 'runs_on',
  runs_on: 'runs_on',
  'runs-on': 'runs_on',
  connesso: 'connected_to',
  connessa: 'connected_to',
  collegato: 'connected_to',
  collegata: 'connected_to',
  connected: 'connected_to',
  connected_to: 'connected_to',
  'connected-to': 'connected_to',
  sede: 'located_at',
  'si-trova': 'located_at',
  located: 'located_at',
  located_at: 'located_at',
  'located-at': 'located_at',
};

/** `dipende`, `gira`, `connesso`, `sede` (and the English) → the relation. */
export function parseRelation(word: string): RelationKind | undefined {
  return RELATION_WORDS[fold(word)];
}

const FIELD_WORDS: Readonly<Record<string, EditableField>> = {
  nome: 'name',
  name: 'name',
  stato: 'status',
  status: 'status',
  note: 'notes',
  notes: 'notes',
  rinnovo: 'renewal',
  scadenza: 'renewal',
  renewal: 'renewal',
};

export function parseField(word: string): EditableField | undefined {
  return FIELD_WORDS[fold(word)];
}

/**
 * A calendar day: `2026-09-30`, `30/09/2026`, `30-9-2026`, `30.09.2026` → `2026-09-30`; undefined
 * when it is not a real day (31 February).
 */
export function parseDay(text: string): string | undefined {
  const s = text.trim();
  let y: number;
  let mo: number;
  let d: number;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    if (!m) return undefined;
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  if (y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCMonth() !== mo - 1) return undefined;
  return date.toISOString().slice(0, 10);
}

/** `2026-09-30` → `30/09/2026` (Italian) or `30 Sep 2026` (English). */
export function formatCalendarDay(l: 'it' | 'en', day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(l === 'it' ? 'it-IT' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** Days from `today` to `day` (both `YYYY-MM-DD`). */
export function daysBetween(today: string, day: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

// ---------------------------------------------------------------------------------------------
// Ticket categories: what a ticket is about, so repeated incidents can be grouped.

export const TICKET_CATEGORIES = [
  'printer',
  'computer',
  'server',
  'network',
  'email',
  'software',
  'website',
  'phone',
  'account',
  'backup',
] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

const KIND_CATEGORY: Readonly<Record<CiKind, TicketCategory | null>> = {
  computer: 'computer',
  server: 'server',
  network_device: 'network',
  printer: 'printer',
  application: 'software',
  licence: 'software',
  site: null,
};

/** The category of a ticket about an item of this kind (a site says nothing: null). */
export function categoryOfKind(kind: CiKind): TicketCategory | null {
  return KIND_CATEGORY[kind];
}

const CATEGORY_WORDS: readonly (readonly [TicketCategory, RegExp])[] = [
  ['email', /\b(posta|e ?mail|pec|outlook|gmail|thunderbird|casella)\b/],
  ['printer', /\b(stampant\w*|multifunzion\w*|fotocopiatric\w*|scanner|printer|toner|stampa)\b/],
  ['website', /\b(sito|website|wordpress|dominio|domain)\b/],
  ['phone', /\b(telefon\w*|centralino|cellular\w*|smartphone|phone|voip)\b/],
  ['account', /\b(password|account|utenza|credenziali|accesso|login|spid)\b/],
  ['backup', /\b(backup|disco esterno|hard disk)\b/],
  ['network', /\b(rete|router|modem|wi ?fi|internet|switch|firewall|access point|vpn|network)\b/],
  ['server', /\b(server|nas)\b/],
  ['software', /\b(gestionale|office|word|excel|teams|zoom|onedrive|drive|dropbox|antivirus|windows|software|programma|app)\b/],
  ['computer', /\b(computer|pc|portatile|notebook|laptop|tablet|monitor|schermo|tastiera|mouse|webcam)\b/],
];

/** The first category the words name (most specific first: "la posta sul pc" is e-mail). */
export function categoryOfText(text: string): TicketCategory | null {
  const f = fold(text).replace(/[^a-z0-9]+/g, ' ');
  return CATEGORY_WORDS.find(([, re]) => re.test(f))?.[0] ?? null;
}
