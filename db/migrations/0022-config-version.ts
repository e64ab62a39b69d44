/**
 * A version of the configuration every new ticket reads (SLA policies and settings, channel
 * bindings), so a process can keep a copy and check, inside the statement that opens a
 * ticket, that it is still current (db/config-cache.ts). Every statement that writes one of
 * those tables sets `config_version.version` to a fresh number of a sequence, in its own
 * transaction: a number is never handed out twice (not even after a rollback), so one version
 * always means the same contents; writers of the configuration queue on the one row.
 */
import { type Kysely, sql } from 'kysely';

const TABLES = ['sla_policies', 'sla_settings', 'channel_bindings'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence config_version_seq`.execute(db);
  await sql`create table config_version (
      id integer primary key check (id = 1),
      version bigint not null
    )`.execute(db);
  await sql`insert into config_version (id, version) values (1, nextval('config_version_seq'))`.execute(db);
  await sql`create function bump_config_version() returns trigger language plpgsql as $$
    begin
      update config_version set version = nextval('config_version_seq') where id = 1;
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
  await sql`drop sequence config_version_seq`.execute(db);
}
