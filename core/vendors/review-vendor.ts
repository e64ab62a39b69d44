import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Ticket } from '../kernel/ticket.ts';
import { findTicketOrThrow } from '../tickets/find-ticket.ts';
import type { Engagement } from './engagement.ts';
import { t } from './messages.ts';
import type { Review, Vendor } from './model.ts';
import { recordStep } from './ticket-moves.ts';
import { VendorPolicy } from './vendor-policy.ts';

export const REVIEW_COMMENT_MAX = 1000;

/** The ticket's real, finished engagement (quote approved, work done, ticket closed), or `not_reviewable`. */
async function reviewable(ctx: UseCaseContext, typedRef: string): Promise<{ ticket: Ticket; engagement: Engagement; vendor: Vendor }> {
  const ticket = await findTicketOrThrow(ctx, typedRef);
  VendorPolicy.assertReview(ctx.actor, ticket);
  const engagement = await ctx.repos.vendors.findEngagementForTicket(ticket.id);
  const vendor = engagement?.vendorId ? await ctx.repos.vendors.findVendor(engagement.vendorId) : undefined;
  if (
    !engagement ||
    engagement.status !== 'active' ||
    !engagement.startedAt ||
    !vendor ||
    ticket.status !== 'closed' ||
    ticket.tier !== 'vendor'
  )
    throw new DomainError('not_reviewable', { ref: ticket.ref });
  return { ticket, engagement, vendor };
}

/**
 * The nonprofit reviews the vendor it engaged: 1–5 and a comment, once per engagement, only
 * after a real engagement whose ticket is closed. The comment may follow the stars (the buttons
 * ask for it); the review is announced to the committee and the vendor.
 */
export async function reviewVendor(
  ctx: UseCaseContext,
  typedRef: string,
  rating: number,
  commentTyped = '',
): Promise<{ review: Review; vendor: Vendor; ticket: Ticket }> {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new DomainError('invalid_input', { field: 'rating', max: 5 });
  const comment = commentTyped.trim();
  if (comment.length > REVIEW_COMMENT_MAX) throw new DomainError('invalid_input', { field: 'comment', max: REVIEW_COMMENT_MAX });
  const { ticket, engagement, vendor } = await reviewable(ctx, typedRef);
  const review = await ctx.repos.vendors.insertReview({
    engagementId: engagement.id,
    vendorId: vendor.id,
    organisationId: ticket.organisationId,
    authorId: ctx.actor.personId,
    rating,
    comment: comment || null,
    createdAt: ctx.clock.now(),
  });
  if (!review) throw new DomainError('already_reviewed', { ref: ticket.ref });
  await recordStep(ctx, ticket, null, 'reviewed', String(rating));
  if (comment) await announceReview(ctx, ticket, vendor, review);
  return { review, vendor, ticket };
}

/** The comment typed after the stars: added once, by the review's author. */
export async function commentReview(ctx: UseCaseContext, typedRef: string, commentTyped: string): Promise<Review> {
  const comment = commentTyped.trim();
  if (!comment || comment.length > REVIEW_COMMENT_MAX)
    throw new DomainError('invalid_input', { field: 'comment', max: REVIEW_COMMENT_MAX });
  const { ticket, engagement, vendor } = await reviewable(ctx, typedRef);
  const review = await ctx.repos.vendors.findReview(engagement.id);
  if (
    !review ||
    review.authorId !== ctx.actor.personId ||
    review.comment !== null ||
    !(await ctx.repos.vendors.commentReview(review.id, comment))
  )
    throw new DomainError('already_reviewed', { ref: ticket.ref });
  const full = { ...review, comment };
  await announceReview(ctx, ticket, vendor, full);
  return full;
}

/** A skipped comment: the stars alone are announced. */
export async function skipReviewComment(ctx: UseCaseContext, typedRef: string): Promise<void> {
  const { ticket, engagement, vendor } = await reviewable(ctx, typedRef);
  const review = await ctx.repos.vendors.findReview(engagement.id);
  if (review && review.authorId === ctx.actor.personId) await announceReview(ctx, ticket, vendor, review);
}

async function announceReview(ctx: UseCaseContext, ticket: Ticket, vendor: Vendor, review: Review): Promise<void> {
  const params = {
    ref: ticket.ref,
    vendor: neutralizeMentions(vendor.name),
    vendorRef: vendor.ref,
    stars: '★'.repeat(review.rating),
    comment: review.comment ? forChannel(review.comment, 500) : '—',
  };
  await ctx.notifier.toChannels('committee', (l) => ({ text: t(l, 'review.committee', params) }));
  for (const id of await ctx.repos.vendors.memberIds(vendor.id))
    await ctx.notifier.toPerson(id, (l) => ({ text: t(l, 'review.vendor', params) }));
}
