import pg from 'pg';

/** What node-pg resolves a statement with, as far as Kysely reads it. */
const resultOf = (command: string) => ({ command, rowCount: null, oid: null, rows: [], fields: [] });

type Query = (...args: unknown[]) => unknown;
type Callback = (err: Error | null, result?: unknown) => void;

interface Corkable {
  cork?(): void;
  uncork?(): void;
}

/** The part of node-pg's connection (lib/connection.js) a begun statement writes on. */
interface Connection {
  readonly stream: Corkable;
  readonly parsedStatements: Record<string, string>;
  readonly submittedNamedStatements: Record<string, string>;
  parse(config: { text: string }): void;
  bind(config: object): void;
  execute(config: object): void;
}

/** node-pg's Query (lib/query.js) as far as a begun statement overrides it; @types/pg declares less. */
interface PgQuery {
  name?: string | undefined;
  text?: string;
  values?: unknown;
  rows?: unknown;
  callback?: Callback;
  requiresPreparation(): boolean;
  submit(connection: Connection): Error | null;
  handleCommandComplete(msg: unknown, connection: Connection): void;
  handleError(err: Error, connection: Connection): void;
}
const PgQuery = pg.Query as unknown as new (config: unknown, values?: unknown, callback?: unknown) => PgQuery;

/**
 * A transaction's first statement with the held `begin` written ahead of it in the extended
 * protocol without a Sync of its own: the backend answers both with one ReadyForQuery (one
 * flush, one read) instead of two. begin's ParseComplete, BindComplete and CommandComplete reach
 * this query (the active one) first and are swallowed, so its result is the statement's alone.
 */
class BegunQuery extends PgQuery {
  private begun = false;
  private statementName: string | undefined;

  /**
   * Whether node-pg would refuse this statement without writing it (node-pg's own checks, in its
   * terms): it must then not carry the begin, whose answers no query would await, nor lose it.
   */
  refusedOn(connection: Connection | undefined): boolean {
    const { name, text, values } = this;
    const previous = name && connection && (connection.parsedStatements[name] || connection.submittedNamedStatements[name]);
    return (
      (typeof text !== 'string' && typeof name !== 'string') ||
      Boolean(text && previous && text !== previous) ||
      Boolean(values && !Array.isArray(values)) ||
      Boolean(this.rows) // refused in pipeline mode
    );
  }

  override submit(connection: Connection): Error | null {
    if (this.refusedOn(connection)) return super.submit(connection);
    connection.stream.cork?.();
    try {
      connection.parse({ text: 'begin' });
      connection.bind({});
      connection.execute({});
      const refused = super.submit(connection);
      // node-pg records a named statement as parsed at the first ParseComplete its active query
      // receives: begin's would mark this one parsed before its own Parse answered (and, were that
      // to fail, the connection would skip the Parse for good). Its name is hidden until begin completes.
      this.statementName = this.name;
      this.name = undefined;
      return refused;
    } finally {
      connection.stream.uncork?.();
    }
  }

  override handleCommandComplete(msg: unknown, connection: Connection): void {
    if (this.begun) return super.handleCommandComplete(msg, connection);
    this.begun = true;
    this.name = this.statementName;
  }

  override handleError(err: Error, connection: Connection): void {
    // Failed before begin completed (its error, the connection lost): the statement's Parse was
    // never answered, and node-pg, not seeing the name, did not forget it was submitted.
    if (!this.begun && this.statementName) delete connection.submittedNamedStatements[this.statementName];
    super.handleError(err, connection);
  }
}

/**
 * Fewer round trips on a pool client in node-pg's pipeline mode (`pipeline: true`: a statement
 * is sent without waiting for the answer to the one before, the answers come back in order):
 *
 * - A transaction's `begin` is held back and sent with the transaction's first statement, in
 *   the same write; it answers at once (it cannot fail but with the connection, which fails the
 *   statement behind it too). A statement in the extended protocol (with values or a name)
 *   carries it without a Sync of its own (`BegunQuery`): one answer for both. A statement in the
 *   simple protocol (no values, maybe several statements in its text) follows a `begin` of its
 *   own. A transaction that sends nothing before its `commit` or `rollback` sends nothing at all.
 * - The statements sent in one turn of the event loop (before its next tick) leave in one
 *   write: a transaction's last deferred writes and its `commit`, a turn's opening and the read
 *   behind it.
 *
 * Install it before `prepareMarkedStatements`, which names the statements it receives.
 */
export function pipelineTransactions(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  const connection = (client as unknown as { readonly connection?: { readonly stream?: Corkable } }).connection;
  let corked = false;
  let beginHeld = false;
  const uncork = () => {
    corked = false;
    connection?.stream?.uncork?.();
  };
  const send: Query = (...args) => {
    const stream = connection?.stream;
    if (!corked && stream?.cork && stream.uncork) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return query(...args);
  };
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    const plain =
      typeof text === 'string' && callback === undefined && (values === undefined || (Array.isArray(values) && values.length === 0));
    if (plain && text === 'begin') {
      beginHeld = true;
      return Promise.resolve(resultOf('BEGIN'));
    }
    const args = callback === undefined ? [text, values] : [text, values, callback];
    if (!beginHeld) return send(...args);
    beginHeld = false;
    if (plain && (text === 'commit' || text === 'rollback')) return Promise.resolve(resultOf(text === 'commit' ? 'COMMIT' : 'ROLLBACK'));
    if (text !== null && typeof text === 'object' && 'submit' in text) return sendWithBegin(send, args);
    const begun = new BegunQuery(text, values, callback);
    // Otherwise (a statement node-pg refuses, or one in the simple protocol) a begin of its own
    // goes first, so the transaction holds even if the caller goes on after the refusal.
    if (begun.requiresPreparation() && !begun.refusedOn(connection as Connection | undefined)) {
      if (begun.callback) return void send(begun);
      return new Promise((resolve, reject) => {
        begun.callback = (err, res) => (err ? reject(err) : resolve(res));
        send(begun);
      });
    }
    return sendWithBegin(send, args);
  }) as typeof client.query;
}

/** The statement behind a `begin` of its own, in the same write. */
function sendWithBegin(send: Query, args: unknown[]): unknown {
  const begun = send('begin') as Promise<unknown>;
  const sent = send(...args);
  if (!(sent instanceof Promise)) {
    // A callback query: a begin that failed took the connection, and this statement, with it.
    begun.catch(() => undefined);
    return sent;
  }
  return Promise.allSettled([begun, sent]).then(([b, s]) => {
    if (b.status === 'rejected') throw b.reason;
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  });
}
