/**
 * The hourly problem scan over the alerts: the window's rows are found by `updated_at` (an alert
 * is touched whenever it fires, repeats or is flagged), and the fingerprints already covered by
 * an open problem through their incident by `incident_id` — without these, both were sequential
 * scans of every alert ever raised (measured in `npm run bench -- cmdb`).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index alerts_updated_idx on alerts (updated_at)`.execute(db);
  await sql`create index alerts_incident_idx on alerts (incident_id) where incident_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index alerts_incident_idx`.execute(db);
  await sql`drop index alerts_updated_idx`.execute(db);
}
