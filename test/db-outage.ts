/**
 * What a PostgreSQL restart does to its clients, done to one test database only: every
 * connection terminated and new ones refused until `bringUp`. Other test files' databases on
 * the same server are untouched.
 */
import pg from 'pg';

const ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export function databaseOutage(databaseUrl: string): { takeDown(): Promise<void>; bringUp(): Promise<void> } {
  const name = new URL(databaseUrl).pathname.slice(1).replace(/"/g, '');
  return {
    async takeDown() {
      await admin(`alter database "${name}" allow_connections false`);
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
    },
    bringUp: () => admin(`alter database "${name}" allow_connections true`),
  };
}
