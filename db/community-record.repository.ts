import { type Kysely, type Selectable, sql } from 'kysely';
import type { Announcement, DeflectionOffer, DeflectionStats, ModerationEntry } from '../core/community/model.ts';
import type { CommunityRepository } from '../core/community/ports.ts';
import type { CommunityAnnouncementsTable, CommunityTables, DeflectionOffersTable } from './community.tables.ts';
import type { Database } from './schema.ts';

const toAnnouncement = (r: Selectable<CommunityAnnouncementsTable>): Announcement => ({
  id: r.id,
  ref: r.ref,
  authorId: r.author_id,
  body: r.body,
  status: r.status,
  decidedBy: r.decided_by,
  reason: r.reason,
  createdAt: r.created_at,
});

const toOffer = (r: Selectable<DeflectionOffersTable>): DeflectionOffer => ({
  id: r.id,
  source: r.source,
  personId: r.person_id,
  platform: r.platform,
  offered: r.offered,
  outcome: r.outcome,
  createdAt: r.created_at,
});

/** What the community records: observers' announcements, the moderation log, the deflection offers and their funnel. */
export class CommunityRecordRepository {
  private readonly db: Kysely<Database & CommunityTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<CommunityTables>();
  }

  async insertAnnouncement(a: {
    ref: string;
    authorId: string;
    body: string;
    status: Announcement['status'];
    createdAt: Date;
  }): Promise<Announcement> {
    const row = await this.db
      .insertInto('community_announcements')
      .values({
        ref: a.ref,
        author_id: a.authorId,
        body: a.body,
        status: a.status,
        decided_by: null,
        decided_at: null,
        reason: null,
        created_at: a.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAnnouncement(row);
  }

  async findAnnouncement(ref: string): Promise<Announcement | undefined> {
    const row = await this.db.selectFrom('community_announcements').selectAll().where('ref', '=', ref).executeTakeFirst();
    return row && toAnnouncement(row);
  }

  async decideAnnouncement(
    id: string,
    status: 'approved' | 'rejected',
    by: string | null,
    reason: string,
    at: Date,
  ): Promise<Announcement | undefined> {
    const row = await this.db
      .updateTable('community_announcements')
      .set({ status, decided_by: by, decided_at: at, reason })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return row && toAnnouncement(row);
  }

  async listAnnouncements(status: Announcement['status'], limit: number): Promise<Announcement[]> {
    const rows = await this.db
      .selectFrom('community_announcements')
      .selectAll()
      .where('status', '=', status)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toAnnouncement);
  }

  async recordModeration(e: ModerationEntry): Promise<void> {
    await this.db
      .insertInto('community_moderation')
      .values({
        target_ref: e.targetRef,
        action: e.action,
        actor_id: e.actorId,
        reason: e.reason,
        details: JSON.stringify(e.details),
        at: e.at,
      })
      .execute();
  }

  async listModeration(filter: { readonly targetRef?: string; readonly limit: number }): Promise<ModerationEntry[]> {
    let q = this.db.selectFrom('community_moderation').selectAll();
    if (filter.targetRef) q = q.where('target_ref', '=', filter.targetRef);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({
      targetRef: r.target_ref,
      action: r.action,
      actorId: r.actor_id,
      reason: r.reason,
      details: r.details,
      at: r.at,
    }));
  }

  async recordOffer(o: Parameters<CommunityRepository['recordOffer']>[0]): Promise<DeflectionOffer> {
    const row = await this.db
      .insertInto('deflection_offers')
      .values({
        source: o.source,
        person_id: o.personId,
        platform: o.platform,
        query: o.query,
        offered: [...o.offered],
        outcome: null,
        outcome_at: null,
        ticket_id: null,
        created_at: o.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOffer(row);
  }

  async findOffer(id: string): Promise<DeflectionOffer | undefined> {
    const row = await this.db.selectFrom('deflection_offers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOffer(row);
  }

  async settleOffer(id: string, outcome: 'resolved' | 'declined', at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('deflection_offers')
      .set({ outcome, outcome_at: at })
      .where('id', '=', id)
      .where('outcome', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async linkOfferTicket(id: string, ticketId: string): Promise<void> {
    await this.db.updateTable('deflection_offers').set({ ticket_id: ticketId }).where('id', '=', id).execute();
  }

  async deflectionStats(since: Date, recontactMs: number): Promise<DeflectionStats[]> {
    const { rows } = await sql<
      Omit<DeflectionStats, 'offered' | 'resolved' | 'recontacted' | 'declined' | 'unanswered'> &
        Record<'offered' | 'resolved' | 'recontacted' | 'declined' | 'unanswered', string>
    >`
      select o.source, o.platform,
        count(*) as offered,
        count(*) filter (where o.outcome = 'resolved') as resolved,
        count(*) filter (where o.outcome = 'resolved' and exists (
          select 1 from tickets t where t.requester_id = o.person_id
            and t.created_at >= o.outcome_at and t.created_at < o.outcome_at + ${recontactMs} * interval '1 millisecond')) as recontacted,
        count(*) filter (where o.outcome = 'declined') as declined,
        count(*) filter (where o.outcome is null) as unanswered
      from deflection_offers o
      where o.created_at >= ${since}
      group by o.source, o.platform
      order by o.source, o.platform`.execute(this.db);
    return rows.map((r) => ({
      source: r.source,
      platform: r.platform,
      offered: Number(r.offered),
      resolved: Number(r.resolved),
      recontacted: Number(r.recontacted),
      declined: Number(r.declined),
      unanswered: Number(r.unanswered),
    }));
  }
}
