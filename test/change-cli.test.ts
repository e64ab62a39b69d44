/**
 * `sportello change list|show` end to end: real child processes running the package bin against a
 * fresh database where a change went through chat's use cases (opened, claimed, submitted,
 * approved, scheduled).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideChange } from '../core/changes/decide-change.ts';
import { openChange } from '../core/changes/open-change.ts';
import { scheduleChange } from '../core/changes/schedule-change.ts';
import { submitChange } from '../core/changes/submit-change.ts';
import type { UseCaseContext } from '../core/kernel/context.ts';
import { Notifier } from '../core/kernel/notifier.ts';
import type { Role } from '../core/kernel/person.ts';
import { createOrganisation, createPerson } from '../core/people/register.ts';
import { actorForPerson } from '../core/people/resolve-actor.ts';
import { claimTicket } from '../core/tickets/claim-ticket.ts';
import { KyselyStore } from '../db/kysely-store.ts';
import type { MonitoringTables } from '../db/monitoring.tables.ts';
import { buildCli, cliOn, jsonOf, type Run, SLOW_MS } from './cli-process.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
let vera = '';
const cli = cliOn(() => tdb.url);
const json = jsonOf;

// The clock of the seeded history; the CLI itself runs on the real clock.
const clock = { now: () => new Date('2026-03-02T09:00:00Z') };

beforeAll(async () => {
  await buildCli();
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  const orgId = await store.transaction(async (repos) => {
    const org = await createOrganisation(repos, clock, { name: 'Associazione Il Girasole ODV', fiscalCode: '97000000001' });
    const other = await createOrganisation(repos, clock, { name: 'Cooperativa La Rondine', fiscalCode: '97000000002' });
    const person = async (handle: string, roles: Role[], orgId: string | null) => {
      const p = await createPerson(repos, clock, { displayName: handle, handle, locale: 'it', email: null, phone: null });
      for (const role of roles)
        await repos.people.grantRole({
          personId: p.id,
          role,
          organisationId: orgId,
          grantedBy: null,
          grantedAt: clock.now(),
          reason: 'test',
        });
    };
    await person('anna', ['requester'], org.id);
    await person('luca', ['ict_lead'], org.id);
    await person('vera', ['volunteer'], null);
    await person('rita', ['ict_lead'], other.id);
    return org.id;
  });
  await tdb.db
    .withTables<MonitoringTables>()
    .insertInto('configuration_items')
    .values({
      organisation_id: orgId,
      kind: 'server',
      name: 'firewall',
      facts: null,
      agent_id: null,
      created_at: clock.now(),
      updated_at: clock.now(),
    })
    .execute();
  await store.transaction(async (repos) => {
    const as = async (handle: string): Promise<UseCaseContext> => ({
      repos,
      clock,
      actor: await actorForPerson(repos, (await repos.people.findPersonByHandle(handle))!),
      notifier: new Notifier(repos, 'it'),
      defaultLocale: 'it',
    });
    const first = await openChange(await as('anna'), { title: 'Aggiornare il firewall' });
    await openChange(await as('anna'), { title: 'Nuova casella per la segreteria' });
    await claimTicket(await as('vera'), first.ref);
    vera = (await repos.people.findPersonByHandle('vera'))!.id;
    await submitChange(await as('vera'), first.ref, { type: 'normal', shared: false, items: ['CI-000001'] });
    await decideChange(await as('luca'), first.ref, 'approved', 'va bene');
    await scheduleChange(await as('vera'), first.ref, { start: new Date('2026-03-12T17:00:00Z'), end: new Date('2026-03-12T19:00:00Z') });
  });
}, SLOW_MS);
afterAll(async () => {
  await tdb?.drop();
});

interface ChangeJson {
  ref: string;
  status: string;
  type: string | null;
  windowStart: string | null;
  windowEnd: string | null;
  items: string[];
  approvals: { slot: string; decision: string; by: string; note: string | null }[];
  silences: { item: string; startsAt: string; endsAt: string }[];
  history?: { field: string; from: string | null; to: string | null; by: string | null }[];
}

describe('sportello change', () => {
  it('lists changes (all, by status, as a person) and shows one with approvals, window, items and history', {
    timeout: SLOW_MS,
  }, async () => {
    const all = json<ChangeJson[]>(await cli('change', 'list', '--json'));
    expect(all.map((c) => [c.ref, c.status, c.type])).toEqual([
      ['RFC-000002', 'new', null],
      ['RFC-000001', 'scheduled', 'normal'],
    ]);
    const scheduled = json<ChangeJson[]>(await cli('change', 'list', '--status', 'scheduled', '--json'));
    expect(scheduled.map((c) => c.ref)).toEqual(['RFC-000001']);
    expect(scheduled[0]).toMatchObject({
      windowStart: '2026-03-12T17:00:00.000Z',
      windowEnd: '2026-03-12T19:00:00.000Z',
      items: ['CI-000001 · firewall'],
      approvals: [{ slot: 'organisation', decision: 'approved', by: '@luca', note: 'va bene' }],
    });
    expect(json<ChangeJson[]>(await cli('change', 'list', '--as', 'rita', '--json'))).toEqual([]);

    const text = await cli('change', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /RFC-000001\s+pianificato\s+normale\s+2026-03-12 17:00 → 2026-03-12 19:00 UTC\s+CI-000001 · firewall\s+Associazione Il Girasole ODV\s+Aggiornare il firewall/,
    );

    const shown = json<ChangeJson>(await cli('change', 'show', 'rfc-1', '--json'));
    expect(shown).toMatchObject({
      ref: 'RFC-000001',
      status: 'scheduled',
      silences: [{ item: 'CI-000001 · firewall', startsAt: '2026-03-12T17:00:00.000Z' }],
    });
    expect(shown.history?.map((e) => [e.field, e.to, e.by])).toEqual([
      ['status', 'new', '@anna'],
      ['status', 'assigned', '@vera'],
      ['assignee', vera, '@vera'],
      ['status', 'awaiting_approval', '@vera'],
      ['approval', 'organisation:approved', '@luca'],
      ['status', 'approved', '@luca'],
      ['window', '2026-03-12T17:00:00.000Z/2026-03-12T19:00:00.000Z', '@vera'],
      ['status', 'scheduled', '@vera'],
    ]);
    const shownText = await cli('change', 'show', 'RFC-000001');
    expect(shownText.stdout).toContain('RFC-000001 · Aggiornare il firewall');
    expect(shownText.stdout).toContain("il referente ICT dell'ente: approvata @luca  «va bene»");
  });

  it('refuses bad arguments (exit 2), unknown or hidden changes (exit 1)', { timeout: SLOW_MS }, async () => {
    const bad = await cli('change', 'list', '--status', 'sideways');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status must be one of');
    const unknown = await cli('change', 'show', 'RFC-000099');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Non trovo il ticket RFC-000099');
    const hidden = await cli('change', 'show', 'RFC-000001', '--as', 'rita');
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toContain('Non trovo il ticket RFC-000001');
  });
});
