import type { Kysely, Selectable } from 'kysely';
import { DomainError } from '../core/kernel/errors.ts';
import type { Locale } from '../core/kernel/i18n.ts';
import type { Identity, Organisation, Person, Platform, Role, RoleGrant } from '../core/kernel/person.ts';
import type { PeopleRepository as PeopleRepositoryPort, Sender } from '../core/kernel/ports.ts';
import type { Database, IdentitiesTable, OrganisationsTable, PeopleTable, RoleGrantsTable } from './schema.ts';

function toOrganisation(r: Selectable<OrganisationsTable>): Organisation {
  return { id: r.id, name: r.name, fiscalCode: r.fiscal_code, runtsNumber: r.runts_number, createdAt: r.created_at };
}

function toPerson(r: Selectable<PeopleTable>): Person {
  return {
    id: r.id,
    handle: r.handle,
    displayName: r.display_name,
    email: r.email,
    phone: r.phone,
    locale: r.locale,
    createdAt: r.created_at,
  };
}

function toIdentity(r: Selectable<IdentitiesTable>): Identity {
  return { platform: r.platform, externalId: r.external_id, personId: r.person_id, lastSeenAt: r.last_seen_at };
}

/** A role grant row as core sees it (shared with the certification repository). */
export function toGrant(r: Selectable<RoleGrantsTable>): RoleGrant {
  return {
    id: r.id,
    personId: r.person_id,
    role: r.role,
    organisationId: r.organisation_id,
    vendorId: r.vendor_id,
    expiresAt: r.expires_at,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at,
    reason: r.reason,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
  };
}

/** The columns `findSender` (and the turn's opening statement) read: the person, one grant. */
export type SenderRow = Selectable<PeopleTable> & {
  readonly last_seen_at: Date;
  readonly grant_id: string | null;
  readonly role: Role | null;
  readonly organisation_id: string | null;
  readonly vendor_id: string | null;
  readonly expires_at: Date | null;
  readonly granted_by: string | null;
  readonly granted_at: Date | null;
  readonly reason: string | null;
};

/** The account from its rows (one per active grant, oldest first; one with null grant columns when none). */
export function toSender(platform: Platform, externalId: string, rows: readonly SenderRow[]): Sender | undefined {
  const first = rows[0];
  if (!first) return undefined;
  const grants: RoleGrant[] = [];
  for (const r of rows) {
    if (r.grant_id === null || r.role === null || r.granted_at === null || r.reason === null) continue;
    grants.push({
      id: r.grant_id,
      personId: first.id,
      role: r.role,
      organisationId: r.organisation_id,
      vendorId: r.vendor_id,
      expiresAt: r.expires_at,
      grantedBy: r.granted_by,
      grantedAt: r.granted_at,
      reason: r.reason,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    });
  }
  return { identity: { platform, externalId, personId: first.id, lastSeenAt: first.last_seen_at }, person: toPerson(first), grants };
}

/**
 * Organisations, people, their platform identities and role grants on PostgreSQL. Grants are
 * never deleted: revoking stamps `revoked_at`, so the register keeps the full history.
 */
export class PeopleRepository implements PeopleRepositoryPort {
  constructor(private readonly db: Kysely<Database>) {}

  async createOrganisation(o: Omit<Organisation, 'id' | 'createdAt'>, at: Date): Promise<Organisation> {
    const row = await this.db
      .insertInto('organisations')
      .values({ name: o.name, fiscal_code: o.fiscalCode, runts_number: o.runtsNumber, created_at: at })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOrganisation(row);
  }

  async findOrganisation(id: string): Promise<Organisation | undefined> {
    const row = await this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOrganisation(row);
  }

  async findOrganisationByFiscalCode(code: string): Promise<Organisation | undefined> {
    const row = await this.db.selectFrom('organisations').selectAll().where('fiscal_code', '=', code).executeTakeFirst();
    return row && toOrganisation(row);
  }

  /** By name. */
  async listOrganisations(): Promise<Organisation[]> {
    const rows = await this.db.selectFrom('organisations').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(toOrganisation);
  }

  async createPerson(p: Omit<Person, 'id' | 'createdAt'>, at: Date): Promise<Person> {
    return toPerson(await this.insertPerson(p, at).returningAll().executeTakeFirstOrThrow());
  }

  async createPersonIfHandleFree(p: Omit<Person, 'id' | 'createdAt'>, at: Date): Promise<Person | undefined> {
    const row = await this.insertPerson(p, at)
      .onConflict((c) => c.column('handle').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toPerson(row);
  }

  private insertPerson(p: Omit<Person, 'id' | 'createdAt'>, at: Date) {
    return this.db.insertInto('people').values({
      handle: p.handle,
      display_name: p.displayName,
      email: p.email,
      phone: p.phone,
      locale: p.locale,
      created_at: at,
    });
  }

  async findPerson(id: string): Promise<Person | undefined> {
    const row = await this.db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toPerson(row);
  }

  async findPersonByHandle(handle: string): Promise<Person | undefined> {
    const row = await this.db.selectFrom('people').selectAll().where('handle', '=', handle).executeTakeFirst();
    return row && toPerson(row);
  }

  /** Each person once, by display name. */
  async listPeopleWithRole(role: Role): Promise<Person[]> {
    const rows = await this.db
      .selectFrom('people')
      .selectAll()
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('role_grants')
            .select('role_grants.id')
            .whereRef('role_grants.person_id', '=', 'people.id')
            .where('role_grants.role', '=', role)
            .where('role_grants.revoked_at', 'is', null),
        ),
      )
      .orderBy('display_name')
      .orderBy('id')
      .execute();
    return rows.map(toPerson);
  }

  async setLocale(personId: string, locale: Locale): Promise<void> {
    await this.db.updateTable('people').set({ locale }).where('id', '=', personId).execute();
  }

  async findIdentity(platform: Platform, externalId: string): Promise<Identity | undefined> {
    const row = await this.db
      .selectFrom('identities')
      .selectAll()
      .where('platform', '=', platform)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row && toIdentity(row);
  }

  async knownAccounts(platform: Platform, externalIds: readonly string[]): Promise<string[]> {
    if (externalIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('identities')
      .select('external_id')
      .where('platform', '=', platform)
      .where('external_id', 'in', [...new Set(externalIds)])
      .execute();
    return rows.map((r) => r.external_id);
  }

  /** One statement: a row per active grant, or one with none. */
  async findSender(platform: Platform, externalId: string): Promise<Sender | undefined> {
    const rows = await this.db
      .selectFrom('identities as i')
      .innerJoin('people as p', 'p.id', 'i.person_id')
      .leftJoin('role_grants as g', (j) => j.onRef('g.person_id', '=', 'p.id').on('g.revoked_at', 'is', null))
      .select([
        'i.last_seen_at',
        'p.id',
        'p.handle',
        'p.display_name',
        'p.email',
        'p.phone',
        'p.locale',
        'p.created_at',
        'g.id as grant_id',
        'g.role',
        'g.organisation_id',
        'g.vendor_id',
        'g.expires_at',
        'g.granted_by',
        'g.granted_at',
        'g.reason',
      ])
      .where('i.platform', '=', platform)
      .where('i.external_id', '=', externalId)
      .orderBy('g.granted_at')
      .orderBy('g.id')
      .execute();
    return toSender(platform, externalId, rows);
  }

  async linkIdentity(i: Identity): Promise<void> {
    await this.db
      .insertInto('identities')
      .values({ platform: i.platform, external_id: i.externalId, person_id: i.personId, last_seen_at: i.lastSeenAt })
      .onConflict((oc) =>
        oc.columns(['platform', 'external_id']).doUpdateSet((eb) => ({
          person_id: eb.ref('excluded.person_id'),
          last_seen_at: eb.ref('excluded.last_seen_at'),
        })),
      )
      .execute();
  }

  /** Never moves `last_seen_at` backwards (deliveries can arrive out of order). */
  async touchIdentity(platform: Platform, externalId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('identities')
      .set({ last_seen_at: at })
      .where('platform', '=', platform)
      .where('external_id', '=', externalId)
      .where('last_seen_at', '<', at)
      .execute();
  }

  async listIdentities(personId: string): Promise<Identity[]> {
    const rows = await this.db
      .selectFrom('identities')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('platform')
      .orderBy('external_id')
      .execute();
    return rows.map(toIdentity);
  }

  async grantRole(
    g: Omit<RoleGrant, 'id' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'vendorId' | 'expiresAt'> & {
      readonly vendorId?: string | null;
      readonly expiresAt?: Date | null;
    },
  ): Promise<RoleGrant> {
    const row = await this.db
      .insertInto('role_grants')
      .values({
        person_id: g.personId,
        role: g.role,
        organisation_id: g.organisationId,
        vendor_id: g.vendorId ?? null,
        expires_at: g.expiresAt ?? null,
        granted_by: g.grantedBy,
        granted_at: g.grantedAt,
        reason: g.reason,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
      })
      // The unique index on active grants: a concurrent identical grant inserts nothing.
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const person = await this.findPerson(g.personId);
      throw new DomainError('already_exists', { name: person?.displayName ?? g.personId, role: g.role });
    }
    return toGrant(row);
  }

  async revokeRole(
    personId: string,
    role: Role,
    organisationId: string | null,
    by: string | null,
    reason: string,
    at: Date,
  ): Promise<number> {
    let q = this.db
      .updateTable('role_grants')
      .set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
      .where('person_id', '=', personId)
      .where('role', '=', role)
      .where('revoked_at', 'is', null);
    if (organisationId !== null) q = q.where('organisation_id', '=', organisationId);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Oldest first. */
  async activeGrants(personId: string): Promise<RoleGrant[]> {
    const rows = await this.db
      .selectFrom('role_grants')
      .selectAll()
      .where('person_id', '=', personId)
      .where('revoked_at', 'is', null)
      .orderBy('granted_at')
      .orderBy('id')
      .execute();
    return rows.map(toGrant);
  }

  /** Newest grant first; a revoked grant carries its revocation. */
  async listGrants(filter: { readonly role?: Role; readonly activeOnly?: boolean }): Promise<RoleGrant[]> {
    let q = this.db.selectFrom('role_grants').selectAll();
    if (filter.role !== undefined) q = q.where('role', '=', filter.role);
    if (filter.activeOnly) q = q.where('revoked_at', 'is', null);
    const rows = await q.orderBy('granted_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toGrant);
  }
}
