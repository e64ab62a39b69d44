import { type Kysely, type Selectable, sql } from 'kysely';
import type { CalendarEntry, ChangeApproval, ChangeDetails, LinkedProblem } from '../core/changes/model.ts';
import type { ChangeSubmission, ChangesRepository } from '../core/changes/ports.ts';
import type { TicketStatus } from '../core/kernel/ticket.ts';
import { idsForIn } from './column-values.ts';
import type { ChangeDetailsTable, ItilTables } from './itil.tables.ts';
import type { MonitoringTables } from './monitoring.tables.ts';
import type { Database } from './schema.ts';

function toDetails(r: Selectable<ChangeDetailsTable>): ChangeDetails {
  return {
    ticketId: r.ticket_id,
    changeType: r.change_type,
    standardKey: r.standard_key,
    sharedInfrastructure: r.shared_infrastructure,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    backoutPlan: r.backout_plan,
    outcome: r.outcome,
    reviewedAt: r.reviewed_at,
    reviewedBy: r.reviewed_by,
    reviewNote: r.review_note,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
  };
}

/** Changes (the details beside an RFC ticket, its approvals and items) on PostgreSQL. */
export class ChangeRepository implements ChangesRepository {
  private readonly db: Kysely<Database & ItilTables & MonitoringTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<ItilTables>().withTables<MonitoringTables>();
  }

  async findDetails(ticketId: string): Promise<ChangeDetails | undefined> {
    const row = await this.db.selectFrom('change_details').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
    return row ? toDetails(row) : undefined;
  }

  async saveSubmission(s: ChangeSubmission): Promise<ChangeDetails> {
    const values = {
      change_type: s.changeType,
      standard_key: s.standardKey,
      shared_infrastructure: s.sharedInfrastructure,
      submitted_at: s.at,
      updated_at: s.at,
    };
    const row = await this.db
      .insertInto('change_details')
      .values({ ticket_id: s.ticketId, ...values })
      .onConflict((oc) => oc.column('ticket_id').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.db.deleteFrom('change_items').where('ticket_id', '=', s.ticketId).execute();
    if (s.itemIds.length)
      await this.db
        .insertInto('change_items')
        .values([...new Set(s.itemIds)].map((id) => ({ ticket_id: s.ticketId, configuration_item_id: id })))
        .execute();
    return toDetails(row);
  }

  async setWindow(ticketId: string, start: Date, end: Date, at: Date): Promise<void> {
    await this.db
      .updateTable('change_details')
      .set({ window_start: start, window_end: end, updated_at: at })
      .where('ticket_id', '=', ticketId)
      .execute();
  }

  async setOutcome(ticketId: string, outcome: string, backoutPlan: string | null, at: Date): Promise<void> {
    await this.db
      .updateTable('change_details')
      .set({ outcome, ...(backoutPlan !== null ? { backout_plan: backoutPlan } : {}), updated_at: at })
      .where('ticket_id', '=', ticketId)
      .execute();
  }

  async recordReview(ticketId: string, by: string, note: string | null, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('change_details')
      .set({ reviewed_at: at, reviewed_by: by, review_note: note, updated_at: at })
      .where('ticket_id', '=', ticketId)
      .where('reviewed_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listApprovals(ticketId: string): Promise<ChangeApproval[]> {
    // Decisions in the order taken; at the same instant the organisation's first.
    const rows = await this.db
      .selectFrom('change_approvals')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .orderBy('at')
      .orderBy(sql`slot = 'committee'`)
      .execute();
    return rows.map((r) => ({
      ticketId: r.ticket_id,
      slot: r.slot,
      decision: r.decision,
      approverId: r.approver_id,
      note: r.note,
      at: r.at,
    }));
  }

  async addApproval(a: ChangeApproval): Promise<boolean> {
    // Decisions on one change take turns: the change's row stays locked until the transaction
    // ends, so the approvals read after this (to tell whether every slot approved) include
    // those of a concurrent approver of the other slot, and two approvals at once cannot each
    // see only their own and leave the change waiting for ever.
    await this.db.selectFrom('tickets').select('id').where('id', '=', a.ticketId).forUpdate().executeTakeFirst();
    const row = await this.db
      .insertInto('change_approvals')
      .values({ ticket_id: a.ticketId, slot: a.slot, decision: a.decision, approver_id: a.approverId, note: a.note, at: a.at })
      .onConflict((oc) => oc.columns(['ticket_id', 'slot']).doNothing())
      .returning('ticket_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async listItems(ticketId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('change_items')
      .innerJoin('configuration_items', 'configuration_items.id', 'change_items.configuration_item_id')
      .select('change_items.configuration_item_id as id')
      .where('change_items.ticket_id', '=', ticketId)
      .orderBy('configuration_items.number')
      .execute();
    return rows.map((r) => r.id);
  }

  async listCalendar(from: Date, to: Date, organisationIds?: readonly string[]): Promise<CalendarEntry[]> {
    let q = this.db
      .selectFrom('change_details as d')
      .innerJoin('tickets as t', 't.id', 'd.ticket_id')
      .select(['t.id', 't.ref', 't.title', 't.status', 't.organisation_id', 'd.change_type', 'd.window_start', 'd.window_end'])
      .where('t.status', 'in', ['approved', 'scheduled'])
      .where((eb) => eb.or([eb('d.window_start', 'is', null), eb.and([eb('d.window_start', '<', to), eb('d.window_end', '>', from)])]));
    if (organisationIds) q = q.where('t.organisation_id', 'in', idsForIn(organisationIds));
    const rows = await q
      .orderBy('d.window_start', (o) => o.asc().nullsLast())
      .orderBy('t.ref')
      .limit(500)
      .execute();
    const items = rows.length
      ? await this.db
          .selectFrom('change_items')
          .select(['ticket_id', 'configuration_item_id'])
          .where(
            'ticket_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : [];
    return rows.map((r) => ({
      ticketId: r.id,
      ref: r.ref,
      title: r.title,
      status: r.status as CalendarEntry['status'],
      organisationId: r.organisation_id,
      changeType: r.change_type,
      windowStart: r.window_start,
      windowEnd: r.window_end,
      itemIds: items.filter((i) => i.ticket_id === r.id).map((i) => i.configuration_item_id),
    }));
  }

  async listChangeIds(filter: {
    readonly statuses?: readonly TicketStatus[];
    readonly limit: number;
    readonly visibleTo?: { readonly organisationIds: readonly string[]; readonly personId: string };
  }): Promise<string[]> {
    let q = this.db.selectFrom('tickets').select('id').where('kind', '=', 'change');
    if (filter.statuses?.length) q = q.where('status', 'in', [...filter.statuses]);
    const scope = filter.visibleTo;
    if (scope)
      q = q.where((eb) =>
        eb.or([
          ...(scope.organisationIds.length ? [eb('organisation_id', 'in', idsForIn(scope.organisationIds))] : []),
          eb('requester_id', '=', scope.personId),
        ]),
      );
    const rows = await q.orderBy('created_at', 'desc').orderBy('ref', 'desc').limit(filter.limit).execute();
    return rows.map((r) => r.id);
  }

  async linkedProblems(ticketId: string): Promise<LinkedProblem[]> {
    const rows = await this.db
      .selectFrom('problem_links as l')
      .innerJoin('problems as p', 'p.id', 'l.problem_id')
      .select(['p.ref', 'p.title', 'p.owner_id', 'p.organisation_id'])
      .where('l.ticket_id', '=', ticketId)
      .orderBy('p.ref')
      .execute();
    return rows.map((r) => ({ ref: r.ref, title: r.title, ownerId: r.owner_id, organisationId: r.organisation_id }));
  }
}
