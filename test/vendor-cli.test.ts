/**
 * `sportello vendor …` and `sportello catalogue search` end to end: real child processes running
 * the package bin against a fresh database, as an operator would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyStore } from '../db/kysely-store.ts';
import { buildCli, cliOn, jsonOf, type Run, SLOW_MS } from './cli-process.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

let tdb: TestDatabase;
const cli = cliOn(() => tdb.url);
const json = jsonOf;

beforeAll(async () => {
  await buildCli();
  tdb = await createTestDatabase();
}, SLOW_MS);
afterAll(async () => {
  await tdb?.drop();
});

interface VendorJson {
  ref: string;
  status: string;
  certified: boolean;
  certifiedUntil: string | null;
  members: string[];
  stats: { engagements: number; rating: number | null; complaints: number };
  decisions?: { decision: string; reason: string }[];
}

describe('sportello vendor and catalogue', () => {
  it('adds, lists, shows, certifies and revokes vendors; searches the catalogue', { timeout: SLOW_MS }, async () => {
    const p = json<{ handle: string }>(await cli('person', 'add', '--name', 'Paolo Fornitore', '--handle', 'paolo', '--json'));
    expect(p.handle).toBe('paolo');

    const bad = await cli(
      'vendor',
      'add',
      '--name',
      'Finta srl',
      '--vat',
      '12345678901',
      '--regions',
      'lombardia',
      '--categories',
      'rete',
      '--contacts',
      'x',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('La partita IVA «12345678901» non è valida');
    const usage = await cli(
      'vendor',
      'add',
      '--name',
      'Finta srl',
      '--vat',
      '12345678903',
      '--regions',
      'Atlantide',
      '--categories',
      'rete',
      '--contacts',
      'x',
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown region: Atlantide');

    const added = json<VendorJson>(
      await cli(
        'vendor',
        'add',
        '--name',
        'Rete Sicura srl',
        '--vat',
        'IT12345678903',
        '--regions',
        'lombardia,piemonte',
        '--categories',
        'rete',
        '--categories',
        'sicurezza',
        '--contacts',
        'info@retesicura.example',
        '--member',
        'paolo',
        '--json',
      ),
    );
    expect(added).toMatchObject({ ref: 'FOR-000001', status: 'applied', certified: false, members: ['paolo'] });
    const applied = await cli(
      'vendor',
      'add',
      '--name',
      'Bit Solidale snc',
      '--vat',
      '01114601006',
      '--regions',
      'tutta italia',
      '--categories',
      'backup',
      '--contacts',
      'bit@example.org',
      '--certify',
      '--reason',
      'convenzione regionale',
    );
    expect(applied).toMatchObject({ code: 0, stdout: 'Fornitore FOR-000002 Bit Solidale snc registrato: certificato.\n' });

    const certified = json<VendorJson>(await cli('vendor', 'certify', 'FOR-000001', '--reason', 'visura verificata', '--json'));
    expect(certified).toMatchObject({ status: 'certified', certified: true });
    expect(certified.certifiedUntil).not.toBeNull();

    // An offer, published as the chat would (the CLI has no offer command), then found.
    const store = new KyselyStore(tdb.db);
    const vendor = (await store.vendors.findVendorByRef('FOR-000002'))!;
    await store.vendors.insertOffer({
      ref: await store.vendors.nextRef('offer'),
      vendorId: vendor.id,
      kind: 'service',
      category: 'backup',
      title: 'Backup in cloud cifrato',
      priceTerms: '15 € al mese',
      conditions: 'primo mese gratuito',
      createdBy: null,
      createdAt: new Date(),
    });
    const hits = json<{ id: string; vendor: { ref: string } }[]>(await cli('catalogue', 'search', 'backup', 'nel', 'cloud', '--json'));
    expect(hits.map((h) => [h.id, h.vendor.ref])).toEqual([['OFF-000001', 'FOR-000002']]);

    const listed = json<VendorJson[]>(await cli('vendor', 'list', '--json'));
    expect(listed.map((v) => [v.ref, v.status])).toEqual([
      ['FOR-000002', 'certified'],
      ['FOR-000001', 'certified'],
    ]);
    expect(listed[0]?.stats).toMatchObject({ engagements: 0, rating: null, complaints: 0 });

    const revoked = await cli('vendor', 'revoke', 'FOR-000002', '--reason', 'convenzione scaduta');
    expect(revoked).toMatchObject({ code: 0, stdout: 'Fornitore FOR-000002 Bit Solidale snc: revocato.\n' });
    expect(json<unknown[]>(await cli('catalogue', 'search', 'backup', '--json'))).toEqual([]);
    const again = await cli('vendor', 'revoke', 'FOR-000002', '--reason', 'di nuovo');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('Per FOR-000002 non si può «revocare»: il fornitore è revocato. Nulla è cambiato.\n');

    const shown = json<VendorJson>(await cli('vendor', 'show', 'FOR-000002', '--json'));
    expect(shown.decisions?.map((d) => [d.decision, d.reason])).toEqual([
      ['revoke', 'convenzione scaduta'],
      ['approve', 'convenzione regionale'],
    ]);
    const missing = await cli('vendor', 'show', 'FOR-000099');
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('Non trovo il fornitore FOR-000099') });
  });
});
