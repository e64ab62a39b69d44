/**
 * Kysely row types of the SLA tables (migration 0003). Kept beside the SLA repository, which
 * adds them to the database type with `db.withTables<SlaTables>()`.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Priority, Tier } from '../core/kernel/ticket.ts';
import type { SlaEventKind, SlaEventTarget } from '../core/sla/sla-event-kind.ts';
import type { Json } from './schema.ts';

export interface SlaPoliciesTable {
  tier: Tier;
  priority: Priority;
  response_minutes: number;
  resolution_minutes: number;
  all_hours: boolean;
  updated_at: Date;
  updated_by: string | null;
}

export interface SlaSettingsTable {
  id: Generated<number>;
  time_zone: string;
  hours: string;
  local_holidays: Json<string[]>;
  reannounce_after: number;
  report_after: number;
  updated_at: Date;
  updated_by: string | null;
}

export interface SlaEventsTable {
  id: Generated<string>;
  ticket_id: string;
  target: SlaEventTarget;
  kind: SlaEventKind;
  due_at: Date;
  fired_at: Date | null;
  queued_at: Date | null;
  created_at: ColumnType<Date, Date, never>;
}

export interface ScheduledRunsTable {
  name: string;
  run_key: string;
  ran_at: Date;
}

export type SlaTables = {
  sla_policies: SlaPoliciesTable;
  sla_settings: SlaSettingsTable;
  sla_events: SlaEventsTable;
  scheduled_runs: ScheduledRunsTable;
};
