import { afterAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../core/kernel/ports.ts';
import { createDatabase } from './database.ts';
import { reposFor } from './kysely-store.ts';

describe('reposFor', () => {
  // No statement is sent: making repositories does not touch the database.
  const db = createDatabase('postgres://postgres@127.0.0.1:5432/postgres', { max: 1 });
  afterAll(() => db.destroy());

  it('makes each repository once, when first asked for, and keeps it', () => {
    const repos = reposFor(db, { outbox: 0, slaEvents: 0 });
    expect(repos.tickets).toBe(repos.tickets);
    expect(repos.outbox).toBe(repos.outbox);
    expect(repos.problemCandidates).toBe(repos.problems);
    expect(reposFor(db).tickets).not.toBe(repos.tickets);
  });

  it('an object derived with Object.create shares what either made, whichever asked first', () => {
    const repos = reposFor(db, { outbox: 0, slaEvents: 0 });
    const outbox = {} as Repositories['outbox'];
    const derived = Object.create(repos, { outbox: { value: outbox } }) as Repositories;
    const tickets = derived.tickets; // made through the derived object first
    expect(repos.tickets).toBe(tickets);
    expect(derived.sla).toBe(repos.sla);
    expect(derived.outbox).toBe(outbox);
    expect(repos.outbox).not.toBe(outbox);
    expect(Object.hasOwn(derived, 'tickets')).toBe(false);
  });
});
