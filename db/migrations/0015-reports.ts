/**
 * What the reports need that was not recorded: the time a volunteer says a ticket took (asked
 * with buttons after resolving; the observers' "volunteer hours" are their sum, never a guess),
 * whether an organisation agreed to be named in the reports to observers and funders, and the
 * observers' channel.
 */
import { type Kysely, sql } from 'kysely';

const PURPOSES = ['volunteers', 'alerts', 'committee', 'community'];
const oneOf = (column: string, values: readonly string[]) => sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;

export async function up(db: Kysely<any>): Promise<void> {
  // The observers' channel (funders, public bodies): where their monthly report goes.
  await sql`alter table channel_bindings drop constraint channel_bindings_purpose_check`.execute(db);
  await sql`alter table channel_bindings add constraint channel_bindings_purpose_check check (${oneOf('purpose', [...PURPOSES, 'observers'])})`.execute(
    db,
  );
  await db.schema
    .alterTable('tickets')
    .addColumn('effort_minutes', 'integer', (c) => c.check(sql`effort_minutes is null or effort_minutes between 1 and 10080`))
    .execute();
  await db.schema
    .alterTable('organisations')
    .addColumn('named_in_reports', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`create index tickets_resolved_idx on tickets (resolved_at) where resolved_at is not null`.execute(db);
  await sql`create index tickets_created_idx on tickets (created_at)`.execute(db);
  await sql`create index tickets_closed_idx on tickets (closed_at) where closed_at is not null`.execute(db);
  // First claims in a period, and breaches fired in a period.
  await sql`create index ticket_events_status_at_idx on ticket_events (to_value, at) where field = 'status'`.execute(db);
  await sql`create index sla_events_breach_fired_idx on sla_events (fired_at) where kind = 'breach' and fired_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from channel_bindings where purpose = 'observers'`.execute(db);
  await sql`alter table channel_bindings drop constraint channel_bindings_purpose_check`.execute(db);
  await sql`alter table channel_bindings add constraint channel_bindings_purpose_check check (${oneOf('purpose', PURPOSES)})`.execute(db);
  await sql`drop index sla_events_breach_fired_idx`.execute(db);
  await sql`drop index ticket_events_status_at_idx`.execute(db);
  await sql`drop index tickets_closed_idx`.execute(db);
  await sql`drop index tickets_created_idx`.execute(db);
  await sql`drop index tickets_resolved_idx`.execute(db);
  await db.schema.alterTable('organisations').dropColumn('named_in_reports').execute();
  await db.schema.alterTable('tickets').dropColumn('effort_minutes').execute();
}
