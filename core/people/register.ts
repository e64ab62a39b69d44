import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import { isFiscalCode, type Organisation, type Person } from '../kernel/person.ts';
import type { Clock, Repositories } from '../kernel/ports.ts';

/** Registers a nonprofit; the fiscal code is unique. */
export async function createOrganisation(
  repos: Repositories,
  clock: Clock,
  input: { readonly name: string; readonly fiscalCode: string; readonly runtsNumber?: string | null },
): Promise<Organisation> {
  const name = input.name.trim();
  const fiscalCode = input.fiscalCode.trim().toUpperCase();
  if (!name) throw new DomainError('invalid_input', { field: 'name', max: 200 });
  if (!isFiscalCode(fiscalCode)) throw new DomainError('invalid_input', { field: 'fiscal_code', max: 16 });
  if (await repos.people.findOrganisationByFiscalCode(fiscalCode))
    throw new DomainError('already_exists', { name: fiscalCode, role: 'organisation' });
  return repos.people.createOrganisation({ name, fiscalCode, runtsNumber: input.runtsNumber?.trim() || null }, clock.now());
}

/** Lowercase ascii handle from a display name: "Giulia Rossì" → "giulia.rossi". */
export function handleFrom(displayName: string): string {
  const base = displayName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 30)
    .replace(/\.+$/, '');
  return base || 'utente';
}

/** Creates a person with a unique handle derived from the name (or the one asked for). */
export async function createPerson(
  repos: Repositories,
  clock: Clock,
  input: {
    readonly displayName: string;
    readonly handle?: string;
    readonly email?: string | null;
    readonly phone?: string | null;
    readonly locale: Locale;
  },
): Promise<Person> {
  const displayName = input.displayName.trim().slice(0, 100) || 'Utente';
  const wanted = input.handle ? handleFrom(input.handle) : handleFrom(displayName);
  const fields = { displayName, email: input.email?.trim() || null, phone: input.phone?.trim() || null, locale: input.locale };
  // The look-up skips the handles taken long ago; the insert still yields when a first contact
  // with the same name commits the same handle at the same moment, and the next number is tried.
  for (let n = 1; ; n++) {
    const handle = n === 1 ? wanted : `${wanted}${n}`;
    const taken = (await repos.people.findPersonByHandle(handle)) !== undefined;
    const person = taken ? undefined : await repos.people.createPersonIfHandleFree({ handle, ...fields }, clock.now());
    if (person) return person;
    if (input.handle) throw new DomainError('already_exists', { name: handle, role: 'handle' });
  }
}
