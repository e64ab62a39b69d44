/**
 * The people feature's own port: the committee's decisions (a ledger of who decided what about
 * whom, when and why) and the expiry of certifications. `db/` implements it.
 */
import type { Role, RoleGrant } from '../kernel/person.ts';

/** Who a decision is about. */
export type DecisionSubject = 'person' | 'vendor' | 'complaint';

export const DECISION_KINDS = ['certify', 'renew', 'suspend', 'reinstate', 'revoke', 'lapse', 'approve', 'reject', 'close_case'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** One decision of the committee (or of the system, for an automatic lapse). */
export interface CommitteeDecision {
  readonly id: string;
  readonly subjectKind: DecisionSubject;
  readonly subjectId: string;
  /** How people name the subject: `@giulia.rossi`, `FOR-000003 Rete Sicura srl`, `SEG-000002`. */
  readonly subjectLabel: string;
  readonly decision: DecisionKind;
  /** The role decided on, for a person's certification. */
  readonly role: Role | null;
  readonly reason: string;
  /** Null when the system decided (an automatic lapse, the CLI). */
  readonly decidedBy: string | null;
  readonly decidedAt: Date;
  /** The certification's new expiry, for a certification or renewal. */
  readonly validUntil: Date | null;
}

export interface CertificationRepository {
  recordDecision(d: Omit<CommitteeDecision, 'id'>): Promise<CommitteeDecision>;
  /** Newest first; `subjectId` narrows to one subject. */
  listDecisions(filter: {
    readonly subjectKind?: DecisionSubject;
    readonly subjectId?: string;
    readonly limit: number;
  }): Promise<CommitteeDecision[]>;
  /** Active grants with an expiry at or before `until`, the soonest first. */
  expiringGrants(until: Date, limit: number): Promise<RoleGrant[]>;
  /** Sets a new expiry on a grant that is still active; undefined when it is not. */
  renewGrant(grantId: string, expiresAt: Date): Promise<RoleGrant | undefined>;
  /** Revokes one active grant (a lapse); false when it was no longer active. */
  endGrant(grantId: string, by: string | null, reason: string, at: Date): Promise<boolean>;
}

declare module '../kernel/ports.ts' {
  interface Repositories {
    readonly certifications: CertificationRepository;
  }
}
