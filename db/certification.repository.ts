import { type Kysely, type Selectable } from 'kysely';
import type { RoleGrant } from '../core/kernel/person.ts';
import type { CertificationRepository as CertificationRepositoryPort, CommitteeDecision, DecisionSubject } from '../core/people/ports.ts';
import { toGrant } from './people.repository.ts';
import type { Database } from './schema.ts';
import type { CommitteeDecisionsTable, VendorTables } from './vendor.tables.ts';

const toDecision = (r: Selectable<CommitteeDecisionsTable>): CommitteeDecision => ({
  id: r.id,
  subjectKind: r.subject_kind,
  subjectId: r.subject_id,
  subjectLabel: r.subject_label,
  decision: r.decision,
  role: r.role,
  reason: r.reason,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  validUntil: r.valid_until,
});

/** The committee's ledger and the expiry of people's certifications on PostgreSQL. */
export class CertificationRepository implements CertificationRepositoryPort {
  private readonly db: Kysely<Database & VendorTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<VendorTables>();
  }

  async recordDecision(d: Omit<CommitteeDecision, 'id'>): Promise<CommitteeDecision> {
    const row = await this.db
      .insertInto('committee_decisions')
      .values({
        subject_kind: d.subjectKind,
        subject_id: d.subjectId,
        subject_label: d.subjectLabel,
        decision: d.decision,
        role: d.role,
        reason: d.reason,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        valid_until: d.validUntil,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDecision(row);
  }

  async listDecisions(filter: {
    readonly subjectKind?: DecisionSubject;
    readonly subjectId?: string;
    readonly limit: number;
  }): Promise<CommitteeDecision[]> {
    let q = this.db.selectFrom('committee_decisions').selectAll();
    if (filter.subjectKind) q = q.where('subject_kind', '=', filter.subjectKind);
    if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
    // Decisions taken in one transaction share their instant: the id keeps the order stable.
    const rows = await q.orderBy('decided_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toDecision);
  }

  async expiringGrants(until: Date, limit: number): Promise<RoleGrant[]> {
    const rows = await this.db
      .selectFrom('role_grants')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', until)
      .orderBy('expires_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toGrant);
  }

  async renewGrant(grantId: string, expiresAt: Date): Promise<RoleGrant | undefined> {
    const row = await this.db
      .updateTable('role_grants')
      .set({ expires_at: expiresAt })
      .where('id', '=', grantId)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ? toGrant(row) : undefined;
  }

  async endGrant(grantId: string, by: string | null, reason: string, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('role_grants')
      .set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
      .where('id', '=', grantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
