/** The CLI's own texts (the domain's come from core's catalog), in the shipped languages. */
import type { Locale } from '../../core/kernel/i18n.ts';

const it = {
  'agent.revoked': 'Agente di {machine} ({org}) revocato: i suoi rapporti saranno rifiutati. Allerte aperte chiuse: {n}.',
  'sla.calendar':
    'Orario: {hours}\nFuso orario: {zone}\nFestività locali: {holidays} (oltre alle festività nazionali, Pasquetta compresa)\nTicket ricalcolati: {n}',
  'org.created': 'Organizzazione registrata: {name} (codice fiscale {code}).',
  'org.none': 'Nessuna organizzazione registrata.',
  'person.created': 'Persona registrata: {name} (@{handle}).',
  'person.none': 'Nessuna persona registrata.',
  'person.erased': 'Dati personali cancellati: ora è {name} (@{handle}); {rows} righe modificate, storici conservati.',
  'person.erased_again': 'Persona già cancellata (@{handle}): ripulito di nuovo, {rows} righe modificate.',
  'identity.linked': 'Account {platform} {id} collegato a @{handle}.',
  'role.granted': 'Ruolo {role} assegnato a @{handle}.',
  'role.revoked': 'Ruolo {role} revocato a @{handle}.',
  'vendor.added': 'Fornitore {ref} {name} registrato: {status}.',
  'vendor.decided': 'Fornitore {ref} {name}: {status}.',
  'vendor.none': 'Nessun fornitore.',
  'ticket.created': 'Ticket {ref} aperto, priorità P{priority}.',
  'ticket.none': 'Nessun ticket.',
  'ticket.history': 'Cronologia',
  'ticket.comments': 'Commenti',
  'ticket.internal': 'nota interna',
  'migrate.applied': 'Migrazioni applicate: {names}.',
  'migrate.none': 'Il database è già aggiornato.',
  'seed.done': 'Dati dimostrativi caricati: {orgs} organizzazioni, {people} persone, ticket {tickets}.',
  'seed.skipped': 'I dati dimostrativi sono già presenti: nulla da fare.',
  'db.unreachable': 'Database non raggiungibile ({database}): rinuncio dopo {seconds} s.',
} as const;

type CliMessageKey = keyof typeof it;

const en: Record<CliMessageKey, string> = {
  'agent.revoked': 'Agent of {machine} ({org}) revoked: its reports will be refused. Open alerts closed: {n}.',
  'sla.calendar':
    'Hours: {hours}\nTime zone: {zone}\nLocal holidays: {holidays} (plus the Italian national holidays, Easter Monday included)\nTickets rescheduled: {n}',
  'org.created': 'Organisation registered: {name} (fiscal code {code}).',
  'org.none': 'No organisations registered.',
  'person.created': 'Person registered: {name} (@{handle}).',
  'person.none': 'No people registered.',
  'person.erased': 'Personal data erased: now {name} (@{handle}); {rows} rows changed, histories kept.',
  'person.erased_again': 'Person already erased (@{handle}): swept again, {rows} rows changed.',
  'identity.linked': '{platform} account {id} linked to @{handle}.',
  'role.granted': 'Role {role} granted to @{handle}.',
  'role.revoked': 'Role {role} revoked from @{handle}.',
  'vendor.added': 'Vendor {ref} {name} registered: {status}.',
  'vendor.decided': 'Vendor {ref} {name}: {status}.',
  'vendor.none': 'No vendors.',
  'ticket.created': 'Ticket {ref} opened, priority P{priority}.',
  'ticket.none': 'No tickets.',
  'ticket.history': 'History',
  'ticket.comments': 'Comments',
  'ticket.internal': 'internal note',
  'migrate.applied': 'Migrations applied: {names}.',
  'migrate.none': 'The database is up to date.',
  'seed.done': 'Demo data loaded: {orgs} organisations, {people} people, tickets {tickets}.',
  'seed.skipped': 'The demo data is already there: nothing to do.',
  'db.unreachable': 'Database unreachable ({database}): giving up after {seconds} s.',
};

/** A CLI text in `locale` with `{name}` placeholders filled. */
export function cliText(locale: Locale, key: CliMessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  const template: string = (locale === 'en' ? en : it)[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])));
}
