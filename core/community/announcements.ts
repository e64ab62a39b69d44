/**
 * Announcements of observers (funders, public bodies): held until a moderator approves them,
 * then posted in every community channel. A moderator's own announcement goes out at once.
 * Each decision is recorded with who and why.
 */
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { announcementCard, announcementReview, CardRef } from './community-cards.ts';
import { nameOf } from './community-notices.ts';
import { CommunityPolicy } from './community-policy.ts';
import { ANNOUNCEMENT_MAX, forCommunity, REASON_MAX, requireText } from './community-text.ts';
import { t } from './messages.ts';
import { type Announcement, CommunityRef } from './model.ts';

const reviewRef = (ref: string) => `announcement-review:${ref}`;

async function publish(ctx: UseCaseContext, a: Announcement): Promise<number> {
  const name = await nameOf(ctx, a.authorId);
  return ctx.notifier.toChannels('community', (l) => announcementCard(l, a, name), { ref: CardRef.announcement(a.ref) });
}

/** Shows every moderator the announcement, with buttons while pending and the decision after. */
async function showReviewers(ctx: UseCaseContext, a: Announcement, deciderName?: string): Promise<void> {
  const authorName = await nameOf(ctx, a.authorId);
  for (const m of await ctx.repos.people.listPeopleWithRole('moderator'))
    await ctx.notifier.toPerson(m.id, (l) => announcementReview(l, a, authorName, deciderName), reviewRef(a.ref));
}

/** An observer's announcement for the moderators to review (a moderator's goes out at once). */
export async function postAnnouncement(
  ctx: UseCaseContext,
  text: string,
): Promise<{ readonly announcement: Announcement; readonly published: boolean }> {
  CommunityPolicy.assertAnnouncer(ctx.actor);
  const body = requireText(text, 'announcement', ANNOUNCEMENT_MAX);
  const repos = ctx.repos.community;
  const now = ctx.clock.now();
  const byModerator = CommunityPolicy.isModerator(ctx.actor);
  const a = await repos.insertAnnouncement({
    ref: await repos.nextRef('announcement'),
    authorId: ctx.actor.personId,
    body,
    status: 'pending',
    createdAt: now,
  });
  if (!byModerator) {
    await showReviewers(ctx, a);
    return { announcement: a, published: false };
  }
  const approved = (await repos.decideAnnouncement(a.id, 'approved', ctx.actor.personId, 'posted by a moderator', now)) ?? a;
  await repos.recordModeration({
    targetRef: a.ref,
    action: 'approve',
    actorId: ctx.actor.personId,
    reason: 'posted by a moderator',
    details: {},
    at: now,
  });
  await publish(ctx, approved);
  return { announcement: approved, published: true };
}

/** A moderator's decision on a pending announcement; the first decision stands. */
export async function decideAnnouncement(ctx: UseCaseContext, typed: string, approve: boolean, why: string): Promise<Announcement> {
  CommunityPolicy.assertModerator(ctx.actor);
  const reason = approve ? why.trim().slice(0, REASON_MAX) : requireText(why, 'reason', REASON_MAX);
  const ref = CommunityRef.parseAs('announcement', typed);
  const found = ref ? await ctx.repos.community.findAnnouncement(ref) : undefined;
  if (!found) throw new DomainError('announcement_not_found', { ref: typed.trim().slice(0, 20) });
  const now = ctx.clock.now();
  const decided = await ctx.repos.community.decideAnnouncement(
    found.id,
    approve ? 'approved' : 'rejected',
    ctx.actor.personId,
    reason,
    now,
  );
  if (!decided) throw new DomainError('already_decided', { ref: found.ref });
  await ctx.repos.community.recordModeration({
    targetRef: found.ref,
    action: approve ? 'approve' : 'reject',
    actorId: ctx.actor.personId,
    reason,
    details: {},
    at: now,
  });
  if (approve) await publish(ctx, decided);
  await showReviewers(ctx, decided, ctx.actor.displayName);
  await ctx.notifier.toPerson(decided.authorId, (l) => ({
    text: t(l, approve ? 'an.approved_notice' : 'an.rejected_notice', { ref: decided.ref, reason: forCommunity(reason || '—', 300) }),
  }));
  return decided;
}
