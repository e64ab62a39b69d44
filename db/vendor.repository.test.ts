import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engagement } from '../core/vendors/engagement.ts';
import type { Vendor } from '../core/vendors/model.ts';
import { at, seedOrganisation, seedPerson, T0 } from '../test/fixtures/repository-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../test/test-database.ts';
import { KyselyStore } from './kysely-store.ts';

let tdb: TestDatabase;
let store: KyselyStore;
const DAY = 86_400_000;

beforeAll(async () => {
  tdb = await createTestDatabase();
  store = new KyselyStore(tdb.db);
});
afterAll(async () => {
  await tdb?.drop();
});

let vat = 10000000;
/** A unique VAT number with a correct check digit (the column's CHECK wants 11 digits). */
function nextVat(): string {
  const first10 = String(vat++).padStart(10, '0');
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(first10[i]);
    sum += i % 2 === 0 ? d : d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return `${first10}${(10 - (sum % 10)) % 10}`;
}

async function vendor(
  name: string,
  over: Partial<Pick<Vendor, 'status' | 'certifiedUntil' | 'categories' | 'regions'>> = {},
): Promise<Vendor> {
  return store.vendors.insertVendor(
    {
      ref: await store.vendors.nextRef('vendor'),
      name,
      vatNumber: nextVat(),
      regions: over.regions ?? ['lombardia'],
      categories: over.categories ?? ['network'],
      contacts: 'info@example.org',
      status: over.status ?? 'certified',
      certifiedUntil: over.certifiedUntil === undefined ? new Date(T0.getTime() + 365 * DAY) : over.certifiedUntil,
      appliedBy: null,
    },
    T0,
  );
}

async function ticket() {
  const org = await seedOrganisation(store);
  const requester = await seedPerson(store);
  const t = await store.tickets.insert({
    ref: await store.tickets.nextRef('incident'),
    kind: 'incident',
    title: 'Switch guasto',
    description: 'Rete ferma',
    category: null,
    impact: 2,
    urgency: 2,
    priority: 3,
    tier: 'volunteer',
    organisationId: org.id,
    requesterId: requester.id,
    configurationItemId: null,
    idempotencyKey: null,
    createdAt: T0,
  });
  return { org, requester, ticket: t };
}

const request = (ticketId: string, organisationId: string): Omit<Engagement, 'id' | 'updatedAt'> => ({
  ticketId,
  organisationId,
  status: 'requested',
  category: 'network',
  region: 'lombardia',
  requestedBy: null,
  requestedAt: T0,
  proposedVendorIds: [],
  proposedBy: null,
  vendorId: null,
  pickedBy: null,
  quote: null,
  approvedBy: null,
  secondApprovedBy: null,
  startedAt: null,
  endedAt: null,
  endReason: null,
});

describe('VendorRepository', () => {
  it('gives every vendor its own ref and VAT number; the VAT column takes only 11 digits', async () => {
    const a = await vendor('Rete Sicura srl');
    const b = await vendor('Bit Solidale snc');
    expect(a.ref).toMatch(/^FOR-\d{6}$/);
    expect(b.ref).not.toBe(a.ref);
    expect(await store.vendors.findVendorByRef(a.ref)).toEqual(a);
    expect(await store.vendors.findVendorByVat(a.vatNumber)).toEqual(a);
    await expect(store.vendors.insertVendor({ ...a, ref: 'FOR-999999' }, T0)).rejects.toThrow(/unique/);
    await expect(store.vendors.insertVendor({ ...a, ref: 'FOR-999998', vatNumber: '123' }, T0)).rejects.toThrow(/vendors_vat_check/);
  });

  it('changes a vendor only from the expected standing (a compare-and-set)', async () => {
    const v = await vendor('Applicante', { status: 'applied', certifiedUntil: null });
    const until = new Date(T0.getTime() + 365 * DAY);
    const first = await store.vendors.updateVendor(v.id, ['applied'], { status: 'certified', certifiedUntil: until }, at(1));
    expect(first).toMatchObject({ status: 'certified', certifiedUntil: until });
    expect(await store.vendors.updateVendor(v.id, ['applied'], { status: 'certified', certifiedUntil: until }, at(2))).toBeUndefined();
  });

  it('lists certified vendors at an instant (expired ones excluded) and those expiring soon', async () => {
    const soon = await vendor('In scadenza', { certifiedUntil: new Date(T0.getTime() + 10 * DAY), categories: ['backup'] });
    const expired = await vendor('Scaduto', { certifiedUntil: new Date(T0.getTime() - DAY), categories: ['backup'] });
    const listed = (await store.vendors.listVendors({ certifiedAt: T0, category: 'backup' })).map((v) => v.id);
    expect(listed).toContain(soon.id);
    expect(listed).not.toContain(expired.id);
    const expiring = (await store.vendors.expiringVendors(new Date(T0.getTime() + 31 * DAY), 100)).map((v) => v.id);
    expect(expiring).toEqual(expect.arrayContaining([soon.id, expired.id]));
    expect(expiring.indexOf(expired.id)).toBeLessThan(expiring.indexOf(soon.id));
  });

  it('members hold the vendor role for their company, once', async () => {
    const v = await vendor('Con membri');
    const p = await seedPerson(store);
    expect(await store.vendors.addMember(v.id, p.id, null, 'test', T0)).toBe(true);
    expect(await store.vendors.addMember(v.id, p.id, null, 'test', T0)).toBe(false);
    expect(await store.vendors.memberIds(v.id)).toEqual([p.id]);
    const grants = await store.people.activeGrants(p.id);
    expect(grants).toEqual([expect.objectContaining({ role: 'vendor', vendorId: v.id, organisationId: null, expiresAt: null })]);
  });

  it('keeps one live engagement per ticket; moves it only from the expected status', async () => {
    const { org, ticket: t } = await ticket();
    const e = await store.vendors.insertEngagement(request(t.id, org.id));
    expect(e?.status).toBe('requested');
    expect(await store.vendors.insertEngagement(request(t.id, org.id))).toBeUndefined();
    const v = await vendor('Proposto');
    const proposed = await store.vendors.updateEngagement(e!.id, 'requested', { status: 'proposed', proposedVendorIds: [v.id] }, at(1));
    expect(proposed).toMatchObject({ status: 'proposed', proposedVendorIds: [v.id] });
    expect(await store.vendors.updateEngagement(e!.id, 'requested', { status: 'proposed' }, at(2))).toBeUndefined();
    const quoted = await store.vendors.updateEngagement(
      e!.id,
      'proposed',
      { status: 'quoted', vendorId: v.id, quote: { amountCents: 35_000, days: 5, note: 'switch', by: t.requesterId, at: at(3) } },
      at(3),
    );
    expect(quoted?.quote).toEqual({ amountCents: 35_000, days: 5, note: 'switch', by: t.requesterId, at: at(3) });
    expect(await store.vendors.findEngagementForTicket(t.id)).toEqual(quoted);
    await store.vendors.updateEngagement(e!.id, 'quoted', { status: 'declined', endedAt: at(4) }, at(4));
    expect(await store.vendors.findEngagementForTicket(t.id)).toBeUndefined();
    expect((await store.vendors.findEngagementForTicket(t.id, { any: true }))?.status).toBe('declined');
    // Once the old one is over, a new request may start.
    expect(await store.vendors.insertEngagement(request(t.id, org.id))).toBeDefined();
  });

  it('takes one review per engagement and averages them per vendor', async () => {
    const { org, requester, ticket: t } = await ticket();
    const v = await vendor('Recensito');
    const e = (await store.vendors.insertEngagement({ ...request(t.id, org.id), status: 'active', vendorId: v.id, startedAt: T0 }))!;
    const review = {
      engagementId: e.id,
      vendorId: v.id,
      organisationId: org.id,
      authorId: requester.id,
      rating: 4,
      comment: null,
      createdAt: at(10),
    };
    const r = await store.vendors.insertReview(review);
    expect(r).toMatchObject({ rating: 4, comment: null });
    expect(await store.vendors.insertReview({ ...review, rating: 1 })).toBeUndefined();
    expect(await store.vendors.commentReview(r!.id, 'puntuali')).toBe(true);
    expect(await store.vendors.commentReview(r!.id, 'di nuovo')).toBe(false);
    expect((await store.vendors.reviewSummaries([v.id])).get(v.id)).toEqual({ count: 1, average: 4 });
    await expect(
      store.vendors.insertReview({
        ...review,
        engagementId: (await store.vendors.insertEngagement(request((await ticket()).ticket.id, org.id)))!.id,
        rating: 6,
      }),
    ).rejects.toThrow(/rating_check/);
  });

  it('searches the catalogue in Italian: stems, accents, typos; hides uncertified vendors and withdrawn offers', async () => {
    const good = await vendor('Backup Solidale');
    const lapsed = await vendor('Scaduto Backup', { certifiedUntil: new Date(T0.getTime() - DAY) });
    const offer = async (v: Vendor, category: 'backup' | 'security', title: string, conditions: string) =>
      store.vendors.insertOffer({
        ref: await store.vendors.nextRef('offer'),
        vendorId: v.id,
        kind: 'service',
        category,
        title,
        priceTerms: '15 € al mese',
        conditions,
        createdBy: null,
        createdAt: T0,
      });
    const cloud = await offer(good, 'backup', 'Backup in cloud cifrato', 'primo mese gratuito per gli enti');
    const audit = await offer(good, 'security', 'Verifica della rete', 'sconto del 30% per le ODV');
    await offer(lapsed, 'backup', 'Backup in cloud economico', 'sconto');
    const refs = async (q: string) => (await store.vendors.searchOffers(q, T0, 10)).map((h) => h.offer.ref);
    expect(await refs('backup')).toEqual([cloud.ref]);
    expect(await refs('sicurézza reti')).toEqual([audit.ref]); // the field's Italian word, accents folded, plural stemmed
    expect(await refs('security')).toEqual([audit.ref]); // the field's code
    expect(await refs('gratuiti')).toEqual([cloud.ref]); // conditions searched, stemmed
    expect(await refs('backpu clod')).toEqual([cloud.ref]); // typos, through trigrams
    expect(await refs('stampanti')).toEqual([]);
    const hit = (await store.vendors.searchOffers('backup', T0, 10))[0];
    expect(hit?.vendor.id).toBe(good.id);
    await store.vendors.withdrawOffer(cloud.id, at(1));
    expect(await refs('backup')).toEqual([]);
  });

  it('counts complaints and closes each once', async () => {
    const v = await vendor('Segnalato');
    const p = await seedPerson(store);
    const c = await store.vendors.insertComplaint({
      ref: await store.vendors.nextRef('complaint'),
      subjectKind: 'vendor',
      subjectId: v.id,
      subjectLabel: v.ref,
      reason: 'ritardi',
      filedBy: p.id,
      filedAt: T0,
    });
    expect(await store.vendors.countComplaints(v.id)).toEqual({ total: 1, open: 1 });
    expect(await store.vendors.closeComplaint(c.id, 'richiamo scritto', null, at(1))).toMatchObject({
      status: 'closed',
      decision: 'richiamo scritto',
    });
    expect(await store.vendors.closeComplaint(c.id, 'di nuovo', null, at(2))).toBeUndefined();
    expect(await store.vendors.countComplaints(v.id)).toEqual({ total: 1, open: 0 });
  });

  it('sets, replaces and removes a spending cap', async () => {
    const org = await seedOrganisation(store);
    expect(await store.vendors.budgetCap(org.id)).toBeUndefined();
    await store.vendors.setBudgetCap(org.id, 50_000, null, T0);
    await store.vendors.setBudgetCap(org.id, 80_000, null, at(1));
    expect(await store.vendors.budgetCap(org.id)).toBe(80_000);
    await store.vendors.setBudgetCap(org.id, null, null, at(2));
    expect(await store.vendors.budgetCap(org.id)).toBeUndefined();
  });
});

describe('CertificationRepository', () => {
  it('records decisions and lists them newest first, per subject', async () => {
    const p = await seedPerson(store);
    const base = {
      subjectKind: 'person' as const,
      subjectId: p.id,
      subjectLabel: `@${p.handle}`,
      role: 'volunteer' as const,
      decidedBy: null,
      validUntil: null,
    };
    await store.certifications.recordDecision({ ...base, decision: 'certify', reason: 'colloquio', decidedAt: at(1) });
    await store.certifications.recordDecision({ ...base, decision: 'suspend', reason: 'segnalazioni', decidedAt: at(2) });
    expect((await store.certifications.listDecisions({ subjectId: p.id, limit: 10 })).map((d) => d.decision)).toEqual([
      'suspend',
      'certify',
    ]);
    expect(await store.certifications.listDecisions({ subjectKind: 'vendor', subjectId: p.id, limit: 10 })).toEqual([]);
  });

  it('lists expiring grants, renews and ends them only while active', async () => {
    const p = await seedPerson(store);
    const g = await store.people.grantRole({
      personId: p.id,
      role: 'volunteer',
      organisationId: null,
      grantedBy: null,
      grantedAt: T0,
      reason: 'x',
      expiresAt: new Date(T0.getTime() + 20 * DAY),
    });
    expect((await store.certifications.expiringGrants(new Date(T0.getTime() + 30 * DAY), 1000)).map((x) => x.id)).toContain(g.id);
    expect((await store.certifications.expiringGrants(new Date(T0.getTime() + 10 * DAY), 1000)).map((x) => x.id)).not.toContain(g.id);
    const renewed = await store.certifications.renewGrant(g.id, new Date(T0.getTime() + 400 * DAY));
    expect(renewed?.expiresAt).toEqual(new Date(T0.getTime() + 400 * DAY));
    expect(await store.certifications.endGrant(g.id, null, 'scaduta', at(5))).toBe(true);
    expect(await store.certifications.endGrant(g.id, null, 'scaduta', at(6))).toBe(false);
    expect(await store.certifications.renewGrant(g.id, new Date(T0.getTime() + 800 * DAY))).toBeUndefined();
  });
});

describe('migration 0009', () => {
  it('gives certifications granted before it a full term from the day it runs, and none to other roles', async () => {
    const { Migrator, sql } = await import('kysely');
    const { migrations } = await import('./migrations/index.ts');
    const { migrateToLatest } = await import('./database.ts');
    const { silentLog } = await import('../test/test-database.ts');
    const old = await createTestDatabase({ migrate: false });
    try {
      const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('0008-community')).error).toBeUndefined();
      const person = await old.db
        .insertInto('people')
        .values({ handle: 'vecchia', display_name: 'Vecchia', email: null, phone: null, locale: 'it' })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const role of ['volunteer', 'committee'] as const)
        await sql`insert into role_grants (person_id, role, granted_at, reason) values (${person.id}, ${role}, ${T0}, 'prima')`.execute(
          old.db,
        );
      await migrateToLatest(old.db, silentLog);
      const rows = await old.db.selectFrom('role_grants').select(['role', 'expires_at']).orderBy('role').execute();
      const { rows: today } = await sql<{
        d: string;
      }>`select to_char((now() at time zone 'Europe/Rome') + interval '12 months', 'YYYY-MM-DD') as d`.execute(old.db);
      expect(rows.find((r) => r.role === 'committee')?.expires_at).toBeNull();
      const volunteer = rows.find((r) => r.role === 'volunteer')?.expires_at as Date;
      expect(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(volunteer)).toBe(today[0]?.d);
      expect(
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
          volunteer,
        ),
      ).toBe('00:00');
    } finally {
      await old.drop();
    }
  });
});
