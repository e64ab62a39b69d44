import { type ConnectionProvider, PostgresDialect, type RawBuilder, sql, Transaction } from 'kysely';
import { PREPARED } from './prepared-statements.ts';
import type { Database } from './schema.ts';

/**
 * A write whose outcome its caller does not need: one INSERT, UPDATE or DELETE of fixed text
 * (its values as parameters), so that each combination is prepared once per connection.
 */
export type DeferrableWrite = RawBuilder<unknown>;

// The guarded transaction must be a `Transaction` (so repositories cannot nest one) over the
// same connection; its dialect and driver are never used (no introspection, no nesting).
const INERT_DIALECT = new PostgresDialect({ pool: async () => Promise.reject(new Error('no pool: a guarded transaction')) });
// One for all of them: never used, and making one per transaction cost a few µs.
const INERT_DRIVER = INERT_DIALECT.createDriver();

/**
 * Writes whose result a use case does not read (its outbox rows, its dialog state) wait in the
 * transaction and go to PostgreSQL together, as one statement of data-modifying CTEs, just
 * before the transaction's next query of any kind or its commit: one round trip where there
 * were several. Every query of `guarded` flushes them first, so whatever runs next — a read of
 * the same table included — sees them exactly as if they had run where they were called; a
 * failing one fails the transaction, which rolls back as before.
 */
export class DeferredWrites {
  private readonly pending = new Map<string, () => DeferrableWrite>();
  private flushing: Promise<void> | undefined;
  /** The transaction for repositories: each query runs after the writes deferred before it. */
  readonly guarded: Transaction<Database>;

  constructor(private readonly trx: Transaction<Database>) {
    const base = trx.getExecutor();
    const provider: ConnectionProvider = {
      provideConnection: async (consumer) => {
        await this.flush();
        return base.provideConnection(consumer);
      },
    };
    this.guarded = new Transaction<Database>({
      config: { dialect: INERT_DIALECT },
      dialect: INERT_DIALECT,
      driver: INERT_DRIVER,
      executor: base.withConnectionProvider(provider),
    });
  }

  /**
   * Queues a write, built when flushed. A later write under the same key replaces it (the
   * dialog saved, then deleted), so one statement never touches a row twice. Writes under
   * different keys run as sibling CTEs, in no defined order: they must touch different rows.
   */
  defer(key: string, build: () => DeferrableWrite): void {
    this.pending.set(key, build);
  }

  /** Runs what is queued, as one statement; waits for a flush already running. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()].map((build) => build());
    this.pending.clear();
    this.flushing = this.run(writes).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /**
   * For the commit: sends what is queued and resolves once it is on the connection, before its
   * answer, with `outcome` (rejects as the statement failed; the commit sent behind it then rolls
   * back). The commit leaves in the same write (db/pipelined-client.ts).
   */
  async submit(): Promise<{ readonly outcome: Promise<void> }> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return { outcome: Promise.resolve() };
    const compiled = statementOf([...this.pending.values()].map((build) => build())).compile(this.trx);
    this.pending.clear();
    let outcome: Promise<void> = Promise.resolve();
    await this.trx.getExecutor().provideConnection(async (connection) => {
      outcome = connection.executeQuery(compiled).then(() => undefined);
      outcome.catch(() => undefined); // read by the caller after the commit
    });
    return { outcome };
  }

  private async run(writes: readonly DeferrableWrite[]): Promise<void> {
    await statementOf(writes).execute(this.trx);
  }
}

/** The writes as one statement. */
function statementOf(writes: readonly DeferrableWrite[]): RawBuilder<unknown> {
  // PostgreSQL runs every data-modifying CTE once, referenced or not.
  return writes.length === 1
    ? sql`${sql.raw(PREPARED)} ${writes[0]}`
    : sql`${sql.raw(PREPARED)} with ${sql.join(
        writes.map((w, i) => sql`${sql.ref(`w${i}`)} as (${w})`),
        sql`, `,
      )} select 1`;
}
