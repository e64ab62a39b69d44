/** Every refusal the domain can give; each has a user message `error.<code>` in every language. */
export type DomainErrorCode =
  | 'illegal_transition'
  | 'not_found'
  | 'forbidden'
  | 'already_claimed'
  | 'not_volunteer'
  | 'not_owner'
  | 'invalid_input'
  | 'already_exists'
  | 'invalid_code'
  | 'not_rateable'
  | 'no_organisation'
  | 'stale'
  | 'person_not_found'
  | 'organisation_not_found'
  | 'alert_not_found'
  | 'alert_transition'
  | 'machine_not_found'
  | 'agent_revoked'
  | 'note_required'
  | 'role_not_held'
  | 'dm_only'
  | 'link_would_orphan'
  | 'vendor_not_found'
  | 'vendor_not_certified'
  | 'vendor_state'
  | 'invalid_vat'
  | 'no_engagement'
  | 'engagement_state'
  | 'not_reviewable'
  | 'already_reviewed'
  | 'case_not_found'
  | 'case_closed'
  | 'question_not_found'
  | 'answer_not_found'
  | 'article_not_found'
  | 'announcement_not_found'
  | 'question_locked'
  | 'already_voted'
  | 'own_answer'
  | 'not_asker'
  | 'asker_only'
  | 'text_empty'
  | 'text_too_long'
  | 'not_publishable'
  | 'already_decided'
  | 'community_members_only'
  | 'cannot_merge'
  | 'ci_not_found'
  | 'ci_cycle'
  | 'problem_not_found'
  | 'problem_state'
  | 'already_linked'
  | 'invalid_window'
  | 'change_not_implemented'
  | 'window_in_past'
  | 'window_too_long'
  | 'not_approver'
  | 'standard_change_unknown'
  | 'internal';

/**
 * The one domain error. `code` is for programs, `params` fill the user message found in the
 * catalog under `error.<code>`; `message` is for logs only.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    readonly params: Readonly<Record<string, string | number>> = {},
    internal?: string,
  ) {
    super(internal ?? `${code} ${JSON.stringify(params)}`);
  }

  /** The key of its user message in the ground floor's catalog (kernel/messages.*.ts). */
  get messageKey(): `error.${DomainErrorCode}` {
    return `error.${this.code}`;
  }

  static is(e: unknown, code?: DomainErrorCode): e is DomainError {
    return e instanceof DomainError && (code === undefined || e.code === code);
  }
}
