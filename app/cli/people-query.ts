import type { Kysely } from 'kysely';
import type { Locale } from '../../core/kernel/i18n.ts';
import type { Role } from '../../core/kernel/person.ts';
import type { Database } from '../../db/schema.ts';

/** A person as `person list` shows it: with active roles and linked accounts. */
export interface PersonListing {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly locale: Locale;
  readonly createdAt: Date;
  readonly roles: { role: Role; organisation: string | null }[];
  readonly identities: { platform: string; externalId: string }[];
}

// The repositories have no "every person" query (the chat never needs one), so the admin
// listing reads the tables directly.
/** Everyone, by handle. */
export async function listPeople(db: Kysely<Database>): Promise<PersonListing[]> {
  const [people, grants, identities] = await Promise.all([
    db.selectFrom('people').selectAll().orderBy('handle').execute(),
    db
      .selectFrom('role_grants')
      .leftJoin('organisations', 'organisations.id', 'role_grants.organisation_id')
      .select(['role_grants.person_id', 'role_grants.role', 'organisations.fiscal_code'])
      .where('role_grants.revoked_at', 'is', null)
      .orderBy('role_grants.granted_at')
      .execute(),
    db.selectFrom('identities').select(['person_id', 'platform', 'external_id']).orderBy('platform').execute(),
  ]);
  return people.map((p) => ({
    id: p.id,
    handle: p.handle,
    displayName: p.display_name,
    email: p.email,
    phone: p.phone,
    locale: p.locale,
    createdAt: p.created_at,
    roles: grants.filter((g) => g.person_id === p.id).map((g) => ({ role: g.role, organisation: g.fiscal_code })),
    identities: identities.filter((i) => i.person_id === p.id).map((i) => ({ platform: i.platform, externalId: i.external_id })),
  }));
}
