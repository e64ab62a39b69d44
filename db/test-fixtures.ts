/** Minimal rows for repository tests: an organisation and people with unique codes/handles. */
import { randomBytes } from 'node:crypto';
import type { Organisation, Person } from '../core/kernel/person.ts';
import type { Repositories } from '../core/kernel/ports.ts';

export const T0 = new Date('2025-03-03T09:00:00.000Z');

/** `T0` plus `minutes`. */
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

const unique = () => randomBytes(4).toString('hex');

export function seedOrganisation(repos: Repositories, name = 'Associazione Prova'): Promise<Organisation> {
  const fiscalCode = String(Math.floor(Math.random() * 1e11)).padStart(11, '0');
  return repos.people.createOrganisation({ name, fiscalCode, runtsNumber: null }, T0);
}

export function seedPerson(repos: Repositories, displayName = 'Giulia Rossi'): Promise<Person> {
  return repos.people.createPerson(
    { handle: `user.${unique()}`, displayName, email: null, phone: null, locale: 'it' },
    T0,
  );
}
