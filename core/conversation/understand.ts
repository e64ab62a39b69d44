/**
 * What a requester's first message already says, so the intake asks only the rest: the kind of
 * request ("non stampa" is a fault, "vorrei un account" a request), how urgent ("urgente",
 * "siamo fermi"), who is affected ("tutto l'ufficio", "solo io"), the device or service
 * ("la stampante della segreteria"), and — when the message says enough — its title and
 * description. Everything found is shown in the summary, where the requester can correct it.
 * Words are matched on folded text (no accents, lower case), in Italian and English.
 */
import { titleFrom } from '../community/community-text.ts';
import type { Impact, TicketKind, Urgency } from '../kernel/ticket.ts';
import { TITLE_MAX } from '../tickets/create-ticket.ts';

export interface Understood {
  readonly kind?: TicketKind;
  readonly impact?: Impact;
  readonly urgency?: Urgency;
  readonly device?: string;
  readonly title?: string;
  readonly description?: string;
}

const fold = (s: string) =>
  ` ${s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9']+/g, ' ')
    .trim()} `;

const KIND_WORDS: readonly (readonly [TicketKind, RegExp])[] = [
  [
    'incident',
    / non (funziona|funzionano|va|vanno|parte|partono|stampa|stampano|si accende|si accendono|si apre|si avvia|risponde|arriva|arrivano|riesco|riusciamo|accedo|accede|accediamo|si collega|si connette|carica|vede|sente|sentono)| (rott[oaie]|guast[oaie]|bloccat[oaie]|impallat[oaie]|fermo|ferma|giu|errore|errori|crash|down|broken|not working|doesn't work|does not work|error|virus|lentissim[oa]|spent[oa]) /,
  ],
  [
    'service_request',
    / (vorrei|vorremmo|mi serve|ci serve|ci servirebbe|avrei bisogno|abbiamo bisogno|richiedo|chiedo|nuovo account|nuova casella|nuova utenza|attivare|creare|i need|we need|please create|new account|request) /,
  ],
  ['change', / (modificare|cambiare|sostituire|migrare|migrazione|spostare|aggiornare il|passare a|change|replace|migrate|upgrade) /],
];

const URGENCY_WORDS: readonly (readonly [Urgency, RegExp])[] = [
  [3, / (non (e )?urgente|con calma|quando potete|quando possibile|puo aspettare|nessuna fretta|not urgent|no rush|can wait|whenever) /],
  [
    1,
    / (urgente|urgentissimo|urgenza|subito|emergenza|siamo fermi|siamo bloccati|e tutto fermo|tutto bloccato|non possiamo lavorare|non riusciamo a lavorare|non si lavora|urgent|asap|emergency|we are stuck|cannot work|can't work) /,
  ],
  [2, / (rallenta|rallentato|rallentata|a rilento|a singhiozzo|a scatti|slow|slows) /],
];

const IMPACT_WORDS: readonly (readonly [Impact, RegExp])[] = [
  [
    1,
    / (tutti|tutto l'ufficio|tutta la sede|tutta l'associazione|tutto l'ente|nessuno (riesce|puo)|everyone|everybody|nobody can|whole office) /,
  ],
  [3, / (solo io|solo a me|solo il mio|solo la mia|only me|just me|only my) /],
];

/** Devices and services people name, longest first so "posta certificata" wins over "posta". */
const DEVICES = [
  'posta certificata',
  'posta elettronica',
  'access point',
  'hard disk',
  'disco esterno',
  'centralino',
  'stampante',
  'multifunzione',
  'fotocopiatrice',
  'scanner',
  'computer',
  'portatile',
  'notebook',
  'laptop',
  'pc',
  'tablet',
  'smartphone',
  'cellulare',
  'telefono',
  'router',
  'modem',
  'wifi',
  'wi fi',
  'rete',
  'internet',
  'switch',
  'firewall',
  'server',
  'nas',
  'monitor',
  'schermo',
  'proiettore',
  'tastiera',
  'mouse',
  'webcam',
  'microfono',
  'cuffie',
  'posta',
  'email',
  'e mail',
  'pec',
  'outlook',
  'gmail',
  'thunderbird',
  'gestionale',
  'sito',
  'office',
  'word',
  'excel',
  'teams',
  'zoom',
  'onedrive',
  'drive',
  'dropbox',
  'backup',
  'antivirus',
  'windows',
  'printer',
  'phone',
  'website',
];
// A device and, if it follows, which one: "stampante della segreteria", "pc dell'ufficio".
const DEVICE = new RegExp(
  ` (${DEVICES.join('|')})( (del|della|dello|dei|delle|di|in|al|alla)( (il|lo|la|i|gli|le))? [a-z0-9]+| dell'[a-z0-9]+)? `,
);

/** Whether a first message says enough to be the ticket's description (and give its title). */
function isDescriptive(text: string): boolean {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => /\p{L}/u.test(w));
  return words.length >= 4 && text.replace(/[^\p{L}]/gu, '').length >= 16;
}

function firstMatch<T>(text: string, table: readonly (readonly [T, RegExp])[]): T | undefined {
  const hits = table.filter(([, re]) => re.test(text));
  // Two kinds at once ("non funziona, vorrei cambiarlo") is ambiguous: ask.
  return hits.length === 1 || (hits.length > 1 && table !== KIND_WORDS) ? hits[0]?.[0] : undefined;
}

/** Reads the first message; returns only what it clearly says. */
export function understand(text: string): Understood {
  // Mentions are not statements: "@everyone" does not say the whole office is affected.
  const f = fold(text.replace(/<[@!#][^>]*>|@\S+/g, ' '));
  const out: { -readonly [K in keyof Understood]: Understood[K] } = {};
  const kind = firstMatch(f, KIND_WORDS);
  if (kind) out.kind = kind;
  const urgency = firstMatch(f, URGENCY_WORDS);
  if (urgency) out.urgency = urgency;
  const impact = firstMatch(f, IMPACT_WORDS);
  if (impact) out.impact = impact;
  const device = DEVICE.exec(f)?.[0]
    .trim()
    .replace(/^(wi fi)/, 'wifi')
    .replace(/^e mail/, 'email');
  if (device) out.device = device.slice(0, 200);
  if (isDescriptive(text)) {
    out.title = titleFrom(text, TITLE_MAX);
    out.description = text.trim();
  }
  return out;
}
