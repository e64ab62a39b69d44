import { type Kysely, sql } from 'kysely';
import type { LinkCodeRepository as LinkCodeRepositoryPort, OneTimeCodePurpose } from '../core/kernel/ports.ts';
import type { Database } from './schema.ts';

/** One-time codes (account links, invitations) on PostgreSQL. */
export class LinkCodeRepository implements LinkCodeRepositoryPort {
  constructor(private readonly db: Kysely<Database>) {}

  async create(code: string, purpose: OneTimeCodePurpose, expiresAt: Date): Promise<void> {
    await this.db
      .insertInto('one_time_codes')
      .values({ code, purpose: JSON.stringify(purpose), expires_at: expiresAt, used_at: null })
      .execute();
  }

  /**
   * A single conditional UPDATE: of concurrent callers exactly one gets the purpose back, the
   * others wait on the row lock and then find `used_at` set.
   */
  async consume(code: string, now: Date, kinds?: readonly OneTimeCodePurpose['kind'][]): Promise<OneTimeCodePurpose | undefined> {
    let q = this.db
      .updateTable('one_time_codes')
      .set({ used_at: now })
      .where('code', '=', code)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now);
    // A code of another kind is left untouched: an enrolment code typed in chat is not burnt.
    if (kinds) q = q.where(sql<string>`purpose->>'kind'`, 'in', kinds.length ? [...kinds] : ['']);
    const row = await q.returning('purpose').executeTakeFirst();
    return row?.purpose;
  }

  async purgeExpired(before: Date): Promise<number> {
    const r = await this.db.deleteFrom('one_time_codes').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
