import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialogRepository as DialogRepositoryPort } from '../core/kernel/ports.ts';
import type { Database } from './schema.ts';

/** Multi-step conversation state (jsonb) with an expiry, on PostgreSQL. */
export class DialogRepository implements DialogRepositoryPort {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The unexpired state, its row locked `FOR UPDATE` until the transaction ends. A transaction
   * advisory lock on the key comes first because a row lock cannot hold a conversation that has
   * no live dialog yet: without it two concurrent first messages would both start one.
   * Outside a transaction both locks end with the statement.
   */
  async get(key: string, now: Date): Promise<unknown | undefined> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(this.db);
    const row = await this.db
      .selectFrom('dialogs')
      .select('state')
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .forUpdate()
      .executeTakeFirst();
    return row?.state;
  }

  async put(key: string, state: unknown, expiresAt: Date): Promise<void> {
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError(`dialog state for ${key} is not JSON-serialisable`);
    await this.db
      .insertInto('dialogs')
      .values({ key, state: json, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          state: eb.ref('excluded.state'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('dialogs').where('key', '=', key).execute();
  }

  /** Deletes dialogs expired at `now`; returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('dialogs').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
