import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';

/** node-pg's own conversion of a parameter to what it sends (`pg/lib/utils.js`, in its exports). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

/**
 * A statement whose text begins with this comment is prepared once per connection and then only
 * bound and executed: PostgreSQL plans it once instead of on every call. For the few hot
 * statements of fixed text (the turn's opening, a ticket's opening): planning them cost more
 * than running them. Their texts list their columns (no `*`), so a column added by a later
 * migration cannot change the result type of a plan a connection keeps.
 */
export const PREPARED = '/* prepared */';

const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Makes `client` prepare the statements marked `PREPARED` (node-pg keeps them per connection, by
 * name). Their values are converted to what node-pg sends before the statement is handed over:
 * a value it cannot convert (a `toPostgres` that throws, a circular reference) then fails before
 * anything is sent. Left to node-pg, the statement's Parse went out, its Bind failed, and node-pg
 * noted it parsed although it closed it, so every later use on that connection failed with
 * "prepared statement … does not exist".
 */
export function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !text.startsWith(PREPARED)) return query(text, values, callback);
    let sent: unknown;
    try {
      sent = Array.isArray(values) ? values.map((v) => prepareValue(v)) : values;
    } catch (err) {
      if (typeof callback === 'function') return void queueMicrotask(() => (callback as (e: unknown) => void)(err));
      return Promise.reject(err);
    }
    const config = { name: nameOf(text), text, values: sent };
    return callback === undefined ? query(config) : query(config, callback);
  }) as typeof client.query;
}
