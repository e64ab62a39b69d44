import type { UseCaseContext } from '../kernel/context.ts';
import { formatDay } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import {
  asSystem,
  eachInTurn,
  REMINDER_RUN,
  type SweepOptions,
  type SweepResult,
  sweepPersonCertifications,
} from '../people/certification-sweep.ts';
import { CertificationTerm, REMINDER_DAYS, type ReminderDays } from '../people/certification-term.ts';
import { recordDecision } from '../people/decisions.ts';
import { handBackEngagements } from './hand-back.ts';
import { t } from './messages.ts';
import { Vendor } from './model.ts';
import { tellEach } from './recipients.ts';

const DAY_MS = 86_400_000;

/**
 * Every certification's expiry, once (the job runs it hourly on one worker; running it twice
 * sends nothing twice): people's (volunteers, moderators) and vendors'. For a vendor, the 30-
 * and 7-day reminders go to its members and the committee channel; at the expiry the vendor
 * lapses — recorded as the system's decision, announced, its open engagements handed back.
 *
 * @example await sweepCertifications({ store, clock, defaultLocale: 'it' })
 */
export async function sweepCertifications(opts: SweepOptions): Promise<{ people: SweepResult; vendors: SweepResult }> {
  // People's failures must not keep vendors from lapsing: both run, then the failure is reported.
  let failure: unknown;
  const people = await sweepPersonCertifications(opts).catch((err: unknown): SweepResult => {
    failure = err;
    return { reminded: 0, lapsed: 0 };
  });
  const vendors = await sweepVendorCertifications(opts);
  if (failure !== undefined) throw failure;
  return { people, vendors };
}

export async function sweepVendorCertifications(opts: SweepOptions, limit = 500): Promise<SweepResult> {
  const now = opts.clock.now();
  const due = await opts.store.vendors.expiringVendors(new Date(now.getTime() + (REMINDER_DAYS[0] + 1) * DAY_MS), limit);
  const staged = due.flatMap((vendor) =>
    vendor.certifiedUntil ? [{ vendor, stage: CertificationTerm.stage(vendor.certifiedUntil, now) }] : [],
  );
  return eachInTurn(staged, async ({ vendor, stage }) => {
    if (stage.kind === 'lapsed') return (await asSystem(opts, (ctx) => lapse(ctx, vendor))) ? 'lapsed' : undefined;
    if (stage.kind === 'remind') return (await asSystem(opts, (ctx) => remind(ctx, vendor, stage.days))) ? 'reminded' : undefined;
    return undefined;
  });
}

async function lapse(ctx: UseCaseContext, vendor: Vendor): Promise<boolean> {
  const now = ctx.clock.now();
  const updated = await ctx.repos.vendors.updateVendor(vendor.id, ['certified'], { status: 'lapsed' }, now);
  if (!updated) return false;
  const reason = t(ctx.defaultLocale, 'lapse.reason');
  await recordDecision(ctx, { subjectKind: 'vendor', subjectId: vendor.id, subjectLabel: Vendor.label(vendor), decision: 'lapse', reason });
  const date = vendor.certifiedUntil ?? now;
  const params = (l: Locale) => ({ ref: vendor.ref, name: neutralizeMentions(vendor.name), date: formatDay(l, date) });
  await ctx.notifier.toChannels('committee', (l) => ({ text: t(l, 'committee.vendor.lapse', params(l)) }));
  await tellEach(ctx.notifier, await ctx.repos.vendors.memberIds(vendor.id), (l) => ({ text: t(l, 'vendor.notice.lapse', params(l)) }));
  await handBackEngagements(ctx, updated, reason);
  return true;
}

async function remind(ctx: UseCaseContext, vendor: Vendor, days: ReminderDays): Promise<boolean> {
  const until = vendor.certifiedUntil;
  if (!until) return false;
  if (!(await ctx.repos.sla.claimRun(REMINDER_RUN, `vendor:${vendor.id}:${until.toISOString()}:${days}`, ctx.clock.now()))) return false;
  const params = (l: Locale) => ({
    ref: vendor.ref,
    name: neutralizeMentions(vendor.name),
    date: formatDay(l, until),
    days: CertificationTerm.daysLeft(until, ctx.clock.now()),
  });
  await ctx.notifier.toChannels('committee', (l) => ({ text: t(l, 'committee.vendor.reminder', params(l)) }));
  await tellEach(ctx.notifier, await ctx.repos.vendors.memberIds(vendor.id), (l) => ({ text: t(l, 'vendor.notice.reminder', params(l)) }));
  return true;
}
