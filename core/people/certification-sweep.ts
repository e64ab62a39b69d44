import { Actor } from '../kernel/actor.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { formatDay } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { RoleGrant } from '../kernel/person.ts';
import type { Clock, Repositories, Store } from '../kernel/ports.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import { CertificationTerm, REMINDER_DAYS, type ReminderDays } from './certification-term.ts';
import { recordDecision } from './decisions.ts';
import { releaseTickets } from './manage-roles.ts';
import { t } from './messages.ts';

export interface SweepOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

export interface SweepResult {
  readonly reminded: number;
  readonly lapsed: number;
}

const DAY_MS = 86_400_000;
/** The reminder name in `scheduled_runs`: one per certification term and reminder. */
export const REMINDER_RUN = 'certification-reminder';

/**
 * Runs `work` for each item, each in its own transaction; one that fails does not stop the
 * others, and the failures are rethrown together at the end (the job is retried, and logged).
 */
export async function eachInTurn<T>(items: readonly T[], work: (item: T) => Promise<keyof SweepResult | undefined>): Promise<SweepResult> {
  const done = { reminded: 0, lapsed: 0 };
  const failures: unknown[] = [];
  for (const item of items) {
    try {
      const what = await work(item);
      if (what) done[what]++;
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length) throw new AggregateError(failures, `${failures.length} certification(s) could not be swept`);
  return done;
}

/** Runs `work` in one transaction as the system, flushing its messages; returns what it returned. */
export function asSystem<T>(opts: SweepOptions, work: (ctx: UseCaseContext) => Promise<T>): Promise<T> {
  return opts.store.transaction(async (repos: Repositories) => {
    const notifier = new Notifier(repos, opts.defaultLocale);
    const result = await work({ repos, clock: opts.clock, actor: Actor.system(), notifier, defaultLocale: opts.defaultLocale });
    await notifier.flush(opts.clock.now());
    return result;
  });
}

/**
 * People's certifications (volunteers, moderators): the 30- and 7-day reminders, to the person
 * and the committee channel, each once per term (recorded in `scheduled_runs`, so any number of
 * workers and reruns send it once); at the expiry, the automatic lapse — the grant ends, the
 * decision is recorded as the system's, a lapsed volunteer's tickets go back to the queue, and
 * the person and the committee are told. One transaction per certification.
 */
export async function sweepPersonCertifications(opts: SweepOptions, limit = 500): Promise<SweepResult> {
  const now = opts.clock.now();
  const due = await opts.store.certifications.expiringGrants(new Date(now.getTime() + (REMINDER_DAYS[0] + 1) * DAY_MS), limit);
  const staged = due.flatMap((grant) => (grant.expiresAt ? [{ grant, stage: CertificationTerm.stage(grant.expiresAt, now) }] : []));
  return eachInTurn(staged, async ({ grant, stage }) => {
    if (stage.kind === 'lapsed') return (await asSystem(opts, (ctx) => lapse(ctx, grant))) ? 'lapsed' : undefined;
    if (stage.kind === 'remind') return (await asSystem(opts, (ctx) => remind(ctx, grant, stage.days))) ? 'reminded' : undefined;
    return undefined;
  });
}

async function lapse(ctx: UseCaseContext, grant: RoleGrant): Promise<boolean> {
  const now = ctx.clock.now();
  const reason = t(ctx.defaultLocale, 'lapse.reason');
  if (!(await ctx.repos.certifications.endGrant(grant.id, null, reason, now))) return false;
  const person = await ctx.repos.people.findPerson(grant.personId);
  if (!person) return true;
  await recordDecision(ctx, {
    subjectKind: 'person',
    subjectId: person.id,
    subjectLabel: `@${person.handle}`,
    decision: 'lapse',
    role: grant.role,
    reason,
  });
  if (grant.role === 'volunteer') await releaseTickets(ctx, person.id, reason);
  const expired = grant.expiresAt ?? now;
  await ctx.notifier.toChannels('committee', (l) => ({
    text: t(l, 'committee.lapsed', {
      name: neutralizeMentions(person.displayName),
      handle: person.handle,
      role: t(l, `role.${grant.role}`),
      date: formatDay(l, expired),
    }),
  }));
  await ctx.notifier.toPerson(person.id, (l) => ({
    text: t(l, 'notice.role_lapsed', { role: t(l, `role.${grant.role}`), date: formatDay(l, expired) }),
  }));
  return true;
}

async function remind(ctx: UseCaseContext, grant: RoleGrant, days: ReminderDays): Promise<boolean> {
  const expiresAt = grant.expiresAt;
  if (!expiresAt) return false;
  const key = `person:${grant.id}:${expiresAt.toISOString()}:${days}`;
  if (!(await ctx.repos.sla.claimRun(REMINDER_RUN, key, ctx.clock.now()))) return false;
  const person = await ctx.repos.people.findPerson(grant.personId);
  if (!person) return true;
  const params = (l: Locale) => ({
    name: neutralizeMentions(person.displayName),
    handle: person.handle,
    role: t(l, `role.${grant.role}`),
    date: formatDay(l, expiresAt),
    days: CertificationTerm.daysLeft(expiresAt, ctx.clock.now()),
  });
  await ctx.notifier.toPerson(person.id, (l) => ({ text: t(l, 'notice.expiry_reminder', params(l)) }));
  await ctx.notifier.toChannels('committee', (l) => ({ text: t(l, 'committee.expiry_reminder', params(l)) }));
  return true;
}
