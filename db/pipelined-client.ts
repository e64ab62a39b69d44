import type pg from 'pg';

/** What node-pg resolves a statement with, as far as Kysely reads it. */
const resultOf = (command: string) => ({ command, rowCount: null, oid: null, rows: [], fields: [] });

type Query = (...args: unknown[]) => unknown;

interface Corkable {
  cork?(): void;
  uncork?(): void;
}

/**
 * Fewer round trips on a pool client in node-pg's pipeline mode (`pipeline: true`: a statement
 * is sent without waiting for the answer to the one before, the answers come back in order):
 *
 * - A transaction's `begin` is held back and sent with the transaction's first statement, in
 *   the same write; it answers at once (it cannot fail but with the connection, which fails the
 *   statement behind it too). A transaction that sends nothing before its `commit` or
 *   `rollback` sends nothing at all.
 * - The statements sent in one turn of the event loop (before its next tick) leave in one
 *   write: a transaction's last deferred writes and its `commit`, a turn's opening and the read
 *   behind it.
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
  }) as typeof client.query;
}
