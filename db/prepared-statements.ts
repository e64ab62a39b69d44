import { createHash } from 'node:crypto';
import type pg from 'pg';

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

/** Makes `client` prepare the statements marked `PREPARED` (node-pg keeps them per connection, by name). */
export function prepareMarkedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !text.startsWith(PREPARED)) return query(text, values, callback);
    const config = { name: nameOf(text), text, values };
    return callback === undefined ? query(config) : query(config, callback);
  }) as typeof client.query;
}
