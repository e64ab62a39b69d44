import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialogRepository as DialogRepositoryPort } from '../core/kernel/ports.ts';
import type { DeferrableWrite, DeferredWrites } from './deferred-writes.ts';
import type { Database } from './schema.ts';

/** A live dialog row as read under its lock. */
export interface DialogRow {
  readonly state: unknown;
  readonly expires_at: Date;
}

/**
 * The dialog keys one transaction holds locked, with what it knows of each: its live row (or
 * none), or `unread` when the row was read in the snapshot of the statement that took the lock
 * and found none (a dialog committed while that statement waited would be missed: read again).
 * Nobody else can change a held key's dialog before the transaction ends, so what it wrote
 * itself is what a later read would find.
 */
export class HeldDialogs {
  private readonly keys = new Map<string, { readonly row: DialogRow | undefined } | 'unread'>();

  /** After the locking statement: its row, when it found one. */
  locked(key: string, row: DialogRow | undefined): void {
    this.keys.set(key, row ? { row } : 'unread');
  }

  known(key: string): { readonly row: DialogRow | undefined } | 'unread' | undefined {
    return this.keys.get(key);
  }

  /** A row read, written or deleted under the lock. */
  set(key: string, row: DialogRow | undefined): void {
    this.keys.set(key, { row });
  }

  holds(key: string): boolean {
    return this.keys.has(key);
  }
}

/** Locks a dialog key and reads its live row in one statement: the lock first, then the row FOR UPDATE. */
export function lockAndRead(key: string, now: Date) {
  return sql<DialogRow>`select d.state, d.expires_at
    from (select pg_advisory_xact_lock(hashtextextended(${key}, 0))::text as locked) l
    cross join lateral (select state, expires_at from dialogs
      where key = ${key} and expires_at > ${now} and l.locked is not null for update) d`;
}

/**
 * Multi-step conversation state (jsonb) with an expiry, on PostgreSQL. In a transaction
 * (`deferred` and `held` given) saving and deleting wait for the transaction's next query or its
 * commit, and a key read once is not read again.
 */
export class DialogRepository implements DialogRepositoryPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly deferred?: DeferredWrites,
    private readonly held?: HeldDialogs,
  ) {}

  /**
   * The unexpired state, its row locked `FOR UPDATE` until the transaction ends. A transaction
   * advisory lock on the key comes first, because a row lock cannot hold a conversation that has
   * no live dialog yet: without it two concurrent first messages would both start one. One
   * statement takes both locks (a row it finds is the latest version: FOR UPDATE waits for and
   * re-reads a row changed meanwhile); when it finds none, the read is repeated in a new
   * statement, whose snapshot sees a dialog another transaction committed while this one waited
   * for the lock. Outside a transaction both locks end with the statement.
   */
  async get(key: string, now: Date): Promise<unknown | undefined> {
    let known = this.held?.known(key);
    if (known === undefined) {
      const { rows } = await lockAndRead(key, now).execute(this.db);
      this.held?.locked(key, rows[0]);
      if (rows[0]) return rows[0].state;
      known = 'unread';
    }
    if (known === 'unread') {
      const row = await this.db
        .selectFrom('dialogs')
        .select(['state', 'expires_at'])
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .forUpdate()
        .executeTakeFirst();
      this.held?.set(key, row);
      return row?.state;
    }
    // A copy, as a read would give: the caller may change it before saving it.
    return known.row && known.row.expires_at > now ? structuredClone(known.row.state) : undefined;
  }

  async put(key: string, state: unknown, expiresAt: Date): Promise<void> {
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError(`dialog state for ${key} is not JSON-serialisable`);
    if (this.held?.holds(key)) this.held.set(key, { state: JSON.parse(json), expires_at: expiresAt });
    await this.write(
      key,
      () => sql`insert into dialogs (key, state, expires_at) values (${key}, ${json}::jsonb, ${expiresAt}::timestamptz)
        on conflict (key) do update set state = excluded.state, expires_at = excluded.expires_at`,
    );
  }

  async delete(key: string): Promise<void> {
    if (this.held?.holds(key)) this.held.set(key, undefined);
    await this.write(key, () => sql`delete from dialogs where key = ${key}`);
  }

  /** The last write of a key in a transaction replaces an earlier one still deferred. */
  private async write(key: string, build: () => DeferrableWrite): Promise<void> {
    if (this.deferred) this.deferred.defer(`dialog:${key}`, build);
    else await build().execute(this.db);
  }

  /** Deletes dialogs expired at `now`; returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('dialogs').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
