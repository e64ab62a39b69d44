/**
 * Licences and subscriptions about to lapse: once a day, each licence whose renewal date is
 * within 30 days and not yet reminded for that date is told privately to its organisation's ICT
 * leads, in their language (without an ICT lead, to the volunteers channel for that
 * organisation). The reminder is recorded on the item by a conditional update in the same
 * transaction, so any number of workers, and reruns, send it once per renewal date; a new
 * renewal date gets its own reminder.
 */
import { Actor } from '../kernel/actor.ts';
import { type ConfigurationItem, ConfigurationItemRef, ciLabel } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { Locale } from '../kernel/i18n.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Repositories, Store } from '../kernel/ports.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { localDay } from '../kernel/zoned-time.ts';
import { t } from './messages.ts';
import { daysBetween, formatCalendarDay } from './model.ts';

export const RENEWAL_NOTICE_DAYS = 30;

export interface RenewalSweepOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

/** `YYYY-MM-DD` plus `days`. */
function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The organisation's ICT leads (active grants). */
async function ictLeads(repos: Repositories, organisationId: string): Promise<string[]> {
  const grants = await repos.people.listGrants({ role: 'ict_lead', activeOnly: true });
  return [...new Set(grants.filter((g) => g.organisationId === organisationId).map((g) => g.personId))];
}

/** Sends the due reminders; returns how many licences were reminded. One transaction per licence. */
export async function remindLicenceRenewals(opts: RenewalSweepOptions, limit = 500): Promise<{ readonly reminded: number }> {
  const today = localDay(opts.clock.now());
  const due = await opts.store.cmdb.licencesToRemind(addDays(today, RENEWAL_NOTICE_DAYS), limit);
  let reminded = 0;
  const failures: unknown[] = [];
  for (const item of due) {
    try {
      const sent = await opts.store.transaction(async (repos) => {
        const notifier = new Notifier(repos, opts.defaultLocale);
        const ctx: UseCaseContext = { repos, clock: opts.clock, actor: Actor.system(), notifier, defaultLocale: opts.defaultLocale };
        const done = await remind(ctx, item, today);
        await notifier.flush(opts.clock.now());
        return done;
      });
      if (sent) reminded++;
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length) throw new AggregateError(failures, `${failures.length} licence reminder(s) failed`);
  return { reminded };
}

async function remind(ctx: UseCaseContext, item: ConfigurationItem, today: string): Promise<boolean> {
  const renewalOn = item.renewalOn;
  if (!renewalOn || !(await ctx.repos.cmdb.markRenewalReminded(item.id, renewalOn))) return false;
  const org = await ctx.repos.people.findOrganisation(item.organisationId);
  const days = daysBetween(today, renewalOn);
  const params = (l: Locale) => ({
    item: forChannel(ciLabel(item), 140),
    ref: ConfigurationItemRef.format(item.number),
    org: neutralizeMentions(org?.name ?? '?'),
    date: formatCalendarDay(l, renewalOn),
    days,
  });
  const key = days < 0 ? 'renewal.lapsed' : days === 0 ? 'renewal.today' : 'renewal.soon';
  const compose = (l: Locale) => ({ text: t(l, key, params(l)) });
  let told = 0;
  for (const id of await ictLeads(ctx.repos, item.organisationId)) if (await ctx.notifier.toPerson(id, compose)) told++;
  if (told === 0) await ctx.notifier.toChannels('volunteers', compose, { organisationId: item.organisationId });
  return true;
}
