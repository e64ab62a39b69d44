/**
 * One active grant per person, role and organisation: two simultaneous identical
 * certifications would otherwise both be recorded. Earlier duplicates (if any) are revoked,
 * keeping the oldest, before the index is built.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';

const NO_ORG = sql`'00000000-0000-0000-0000-000000000000'::uuid`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update role_grants set revoked_at = now(), revoke_reason = 'duplicate of an earlier active grant'
    where id in (
      select id from (
        select id, row_number() over (partition by person_id, role, coalesce(organisation_id, ${NO_ORG}) order by granted_at, id) as n
        from role_grants where revoked_at is null
      ) ranked where n > 1
    )`.execute(db);
  await sql`
    create unique index role_grants_one_active_idx
    on role_grants (person_id, role, coalesce(organisation_id, ${NO_ORG}))
    where revoked_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index role_grants_one_active_idx`.execute(db);
}
