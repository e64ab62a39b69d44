/**
 * `sportello report` end to end: a real child process running the package bin against a fresh
 * database holding one resolved ticket, in text, JSON and CSV, and its refusals.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyStore } from '../db/kysely-store.ts';
import { buildCli, cliOn, SLOW_MS } from './cli-process.ts';
import { seedOrganisation, seedPerson } from './fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
const cli = cliOn(() => tdb.url);

beforeAll(async () => {
  await buildCli();
  tdb = await createTestDatabase();
  const store = new KyselyStore(tdb.db);
  const org = await seedOrganisation(store, 'Associazione "Virgola, e Punto"');
  const person = await seedPerson(store);
  const t = await store.tickets.insert({
    ref: await store.tickets.nextRef('incident'),
    kind: 'incident',
    title: 'Rete giù',
    description: 'Nessuno naviga',
    category: null,
    impact: 2,
    urgency: 2,
    priority: 3,
    tier: 'volunteer',
    organisationId: org.id,
    requesterId: person.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt: new Date('2026-11-10T09:00:00Z'),
  });
  await sql`update tickets set status = 'resolved', resolved_at = '2026-11-11T09:00:00Z', effort_minutes = 45 where id = ${t.id}::uuid`.execute(
    tdb.db,
  );
  await store.reports.setNamedInReports(org.id, true);
}, SLOW_MS);
afterAll(async () => {
  await tdb?.drop();
});

describe('sportello report', () => {
  it('prints the observers report as JSON, CSV and text', { timeout: SLOW_MS }, async () => {
    const json = await cli('report', '--from', '2026-11-01', '--to', '2026-12-01', '--kind', 'observers', '--json');
    expect(json.stderr).toBe('');
    const r = JSON.parse(json.stdout) as {
      servedByTier: { volunteer: number };
      volunteerHours: { hours: number };
      namedOrganisations: unknown[];
    };
    expect(r.servedByTier.volunteer).toBe(1);
    expect(r.volunteerHours.hours).toBe(0.8);
    expect(r.namedOrganisations).toEqual([{ name: 'Associazione "Virgola, e Punto"', served: 1 }]);

    const csv = await cli('report', '--from', '2026-11-01', '--to', '2026-12-01', '--kind', 'observers', '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('section,item,value');
    expect(lines).toContain('servedByTier,volunteer,1');
    expect(lines).toContain('namedOrganisations[0],name,"Associazione ""Virgola, e Punto"""');

    const text = await cli('report', '--from', '2026-11-01', '--to', '2026-12-01');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Report del flusso · 1 novembre 2026 – 30 novembre 2026');
    expect(text.stdout).toContain('Soluzione nei tempi: 100% (1 su 1)');
  });

  it('writes the report chart as a PNG with --format png --out FILE; without --out it is a usage error', { timeout: SLOW_MS }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sportello-chart-'));
    try {
      const file = path.join(dir, 'flusso.png');
      const done = await cli('report', '--from', '2026-11-01', '--to', '2026-12-01', '--format', 'png', '--out', file);
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      const png = readFileSync(file);
      expect(done.stdout.trim()).toBe(`${file} (${png.length} bytes)`);
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 600]);
      const json = await cli(
        'report',
        '--from',
        '2026-11-01',
        '--to',
        '2026-12-01',
        '--kind',
        'observers',
        '--format',
        'png',
        '--out',
        `${dir}/o.png`,
        '--json',
      );
      expect(JSON.parse(json.stdout)).toEqual({ file: `${dir}/o.png`, bytes: readFileSync(`${dir}/o.png`).length });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const missing = await cli('report', '--from', '2026-11-01', '--to', '2026-12-01', '--format', 'png');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--format png writes the chart to a file: give --out FILE.png');
    const stray = await cli('report', '--from', '2026-11-01', '--to', '2026-12-01', '--out', 'x.png');
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--out is only for --format png');
  });

  it('refuses wrong dates and an organisation in the observers report', { timeout: SLOW_MS }, async () => {
    const bad = await cli('report', '--from', '2026-02-30', '--to', '2026-03-01');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be a date YYYY-MM-DD (got "2026-02-30")');
    const backwards = await cli('report', '--from', '2026-03-01', '--to', '2026-02-01');
    expect(backwards.stderr).toContain('--to must come after --from');
    const scoped = await cli('report', '--from', '2026-03-01', '--to', '2026-04-01', '--kind', 'observers', '--org', 'X');
    expect(scoped.stderr).toContain("the observers' report is never about one organisation");
  });
});
