/**
 * Changes (RFCs) as the change-management feature sees them: a ticket of kind `change` plus its
 * details (type, approvals, window, the configuration items it touches). Plain data and the
 * pure rules on it (who must approve, when it counts as approved).
 */

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Who approves: the organisation's ICT lead (or a moderator standing in), and the committee. */
export const APPROVAL_SLOTS = ['organisation', 'committee'] as const;
export type ApprovalSlot = (typeof APPROVAL_SLOTS)[number];
export type ApprovalDecision = 'approved' | 'rejected';

/** The row beside an RFC ticket, written when its owner submits it. */
export interface ChangeDetails {
  readonly ticketId: string;
  readonly changeType: ChangeType;
  /** The catalogue entry a standard change follows (`standard-changes.ts`). */
  readonly standardKey: string | null;
  readonly sharedInfrastructure: boolean;
  readonly windowStart: Date | null;
  readonly windowEnd: Date | null;
  /** What was done to back a failed change out. */
  readonly backoutPlan: string | null;
  /** What the implementation achieved, or why it failed. */
  readonly outcome: string | null;
  /** The committee's review after an emergency change. */
  readonly reviewedAt: Date | null;
  readonly reviewedBy: string | null;
  readonly reviewNote: string | null;
  readonly submittedAt: Date | null;
  readonly updatedAt: Date;
}

export interface ChangeApproval {
  readonly ticketId: string;
  readonly slot: ApprovalSlot;
  readonly decision: ApprovalDecision;
  readonly approverId: string;
  readonly note: string | null;
  readonly at: Date;
}

/** A change on the calendar: approved or scheduled, with its window (null while not planned yet). */
export interface CalendarEntry {
  readonly ticketId: string;
  readonly ref: string;
  readonly title: string;
  readonly status: 'approved' | 'scheduled';
  readonly organisationId: string;
  readonly changeType: ChangeType;
  readonly windowStart: Date | null;
  readonly windowEnd: Date | null;
  readonly itemIds: readonly string[];
}

/** A problem a change is linked to (read through this feature's port; the problems feature owns them). */
export interface LinkedProblem {
  readonly ref: string;
  readonly title: string;
  readonly ownerId: string | null;
  readonly organisationId: string | null;
}

export const ChangeRules = {
  /**
   * The approvals a submitted change needs: a normal change the organisation's (and, on shared
   * infrastructure, the committee's too); an emergency change one, from either slot; a standard
   * change none.
   */
  requiredSlots(d: Pick<ChangeDetails, 'changeType' | 'sharedInfrastructure'>): readonly ApprovalSlot[] {
    if (d.changeType === 'standard') return [];
    if (d.changeType === 'emergency') return ['organisation', 'committee'];
    return d.sharedInfrastructure ? ['organisation', 'committee'] : ['organisation'];
  },

  /** How many approvals end the wait: every required slot, or one for an emergency. */
  approvalsNeeded(d: Pick<ChangeDetails, 'changeType' | 'sharedInfrastructure'>): number {
    return d.changeType === 'emergency' ? 1 : ChangeRules.requiredSlots(d).length;
  },

  /** The outcome of the decisions so far: rejected by any, approved once enough approved, else pending. */
  outcome(
    d: Pick<ChangeDetails, 'changeType' | 'sharedInfrastructure'>,
    approvals: readonly Pick<ChangeApproval, 'slot' | 'decision'>[],
  ): 'approved' | 'rejected' | 'pending' {
    if (approvals.some((a) => a.decision === 'rejected')) return 'rejected';
    const required = ChangeRules.requiredSlots(d);
    const approved = approvals.filter((a) => a.decision === 'approved' && required.includes(a.slot)).length;
    return approved >= ChangeRules.approvalsNeeded(d) ? 'approved' : 'pending';
  },
};
