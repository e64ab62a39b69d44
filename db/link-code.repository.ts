import type { Kysely } from 'kysely';
import type { LinkCodeRepository as LinkCodeRepositoryPort, OneTimeCodePurpose } from '../core/ports.ts';
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
  async consume(code: string, now: Date): Promise<OneTimeCodePurpose | undefined> {
    const row = await this.db
      .updateTable('one_time_codes')
      .set({ used_at: now })
      .where('code', '=', code)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('purpose')
      .executeTakeFirst();
    return row?.purpose;
  }
}
