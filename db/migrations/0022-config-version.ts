/**
 * A version of the configuration every new ticket reads (SLA policies and settings, channel
 * bindings), so a process can keep a copy and check, inside the statement that opens a
 * ticket, that it is still current (db/config-cache.ts). Every statement that writes one of
 * those tables sets `config_version.version` to a new random 53-bit number, in its own
 * transaction. Random rather than a sequence: a restore of an older dump (or a failover to a
 * standby that lagged) rewinds a sequence, and the next write would then hand out again a
 * number a process holds a copy for, with other contents. Two writes drawing the same number is
 * vanishingly unlikely (a few in 2^53 over the configuration writes of a lifetime). Writers of
 * the configuration queue on the one row.
 */
import { type Kysely, sql } from 'kysely';

const TABLES = ['sla_policies', 'sla_settings', 'channel_bindings'] as const;
const RANDOM_VERSION = 'floor(random() * 9007199254740992)::bigint';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table config_version (
      id integer primary key check (id = 1),
      version bigint not null
    )`.execute(db);
  await sql`insert into config_version (id, version) values (1, ${sql.raw(RANDOM_VERSION)})`.execute(db);
  await sql`create function bump_config_version() returns trigger language plpgsql as $$
    begin
      update config_version set version = ${sql.raw(RANDOM_VERSION)} where id = 1;
      return null;
    end $$`.execute(db);
  for (const table of TABLES)
    await sql`create trigger ${sql.raw(`${table}_config_version`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function bump_config_version()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await sql`drop trigger ${sql.raw(`${table}_config_version`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function bump_config_version()`.execute(db);
  await sql`drop table config_version`.execute(db);
}
