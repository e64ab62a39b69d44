/**
 * Proactive problem management: an hourly scan looks for incidents repeating on one
 * configuration item, or in one organisation and category, and for alerts firing again and again,
 * and posts each pattern nobody is working on yet to the volunteers channel with its evidence and
 * an *Apri un problema* button, which opens the problem with the incidents linked.
 */
import { Actor } from '../kernel/actor.ts';
import { ciLabel } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import { formatDate } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { Notifier } from '../kernel/notifier.ts';
import type { Clock, Repositories, Store } from '../kernel/ports.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import { t } from './messages.ts';
import { DEFAULT_SCAN, type Problem, type ProblemSuggestion } from './model.ts';
import { openProblem } from './problem-cases.ts';
import { ProblemPolicy } from './problem-policy.ts';

const DAY_MS = 86_400_000;

export interface ScanDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly defaultLocale: Locale;
}

export interface ScanOptions {
  readonly windowDays: number;
  readonly incidents: number;
  readonly alertRows: number;
  readonly alertFlaps: number;
}

/** The names a suggestion shows: its configuration item and organisation. */
interface SuggestionNames {
  readonly item: string | null;
  readonly org: string | null;
}

const suggestionRef = (s: Pick<ProblemSuggestion, 'id'>) => `problem-suggestion:${s.id}`;

async function namesOf(repos: Repositories, s: ProblemSuggestion): Promise<SuggestionNames> {
  const e = s.evidence;
  const itemId = e.basis === 'ci' ? e.configurationItemId : e.basis === 'alert' ? e.configurationItemId : null;
  const [item, org] = await Promise.all([
    itemId ? repos.configurationItems.find(itemId) : undefined,
    s.organisationId ? repos.people.findOrganisation(s.organisationId) : undefined,
  ]);
  return { item: item ? ciLabel(item) : null, org: org?.name ?? null };
}

/** The suggestion as posted in the volunteers channel; once opened, the same message says by whom, without the button. */
export function suggestionMessage(
  l: Locale,
  s: ProblemSuggestion,
  names: SuggestionNames,
  windowDays: number,
  opened?: { readonly ref: string; readonly name: string },
): OutMessage {
  const e = s.evidence;
  const item = neutralizeMentions(names.item ?? '—');
  const title =
    e.basis === 'ci'
      ? t(l, 'prb.suggest.title_ci', { n: e.count, item, days: windowDays })
      : e.basis === 'category'
        ? t(l, 'prb.suggest.title_category', {
            n: e.count,
            category: forChannel(e.category, 60),
            org: neutralizeMentions(names.org ?? '—'),
            days: windowDays,
          })
        : t(l, 'prb.suggest.title_alert', { check: forChannel(e.checkId, 60), target: forChannel(e.target, 60), item });
  const lines: string[] = [];
  if (e.basis === 'alert')
    lines.push(t(l, 'prb.suggest.alert_counts', { alerts: e.alerts, flaps: e.flaps, false_alarms: e.falseAlarms, days: windowDays }));
  for (const x of e.incidents)
    lines.push(
      t(l, 'prb.suggest.incident_line', { ref: x.ref, date: formatDate(l, new Date(x.createdAt)), title: forChannel(x.title, 100) }),
    );
  const total = e.basis === 'alert' ? e.incidents.length : e.count;
  if (total > e.incidents.length) lines.push(t(l, 'prb.suggest.more', { n: total - e.incidents.length }));
  if (opened) {
    lines.push(t(l, 'prb.suggest.opened', { ref: opened.ref, name: neutralizeMentions(opened.name) }));
    return { title, text: lines.join('\n') };
  }
  lines.push(t(l, 'prb.suggest.hint'));
  return {
    title,
    text: lines.join('\n'),
    buttons: [{ actionId: 'problem.open_suggested', value: s.id, label: t(l, 'prb.button_open_suggested'), style: 'primary' }],
  };
}

/**
 * One scan: every pattern of the last `windowDays` not covered by an open problem nor suggested
 * within the window is recorded and posted, each in its own transaction (insert-if-absent under an
 * advisory lock, so two workers never post the same one). Returns the suggestions posted.
 */
export async function suggestProblems(deps: ScanDeps, opts: ScanOptions = DEFAULT_SCAN): Promise<ProblemSuggestion[]> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - opts.windowDays * DAY_MS);
  const candidates = await deps.store.problems.scanPatterns(since, opts);
  const posted: ProblemSuggestion[] = [];
  for (const c of candidates) {
    const s = await deps.store.transaction(async (repos) => {
      const recorded = await repos.problems.insertSuggestion(c, since, now);
      if (!recorded) return undefined;
      const names = await namesOf(repos, recorded);
      const notifier = new Notifier(repos, deps.defaultLocale);
      await notifier.toChannels('volunteers', (l) => suggestionMessage(l, recorded, names, opts.windowDays), {
        organisationId: recorded.organisationId,
        ref: suggestionRef(recorded),
      });
      await notifier.flush(now);
      return recorded;
    });
    if (s) posted.push(s);
  }
  return posted;
}

/**
 * The *Apri un problema* button: the problem, titled from the pattern, with the evidence's
 * incidents linked (those not in another problem meanwhile); pressed again, it answers with the
 * problem it already became.
 */
export async function openSuggestedProblem(
  ctx: UseCaseContext,
  suggestionId: string,
): Promise<{ readonly problem: Problem; readonly linked: number; readonly created: boolean }> {
  ProblemPolicy.assertWorker(ctx.actor);
  const repos = ctx.repos;
  const s = await repos.problems.lockSuggestion(suggestionId);
  if (!s) throw new DomainError('invalid_input', { field: 'action', max: 0 });
  if (s.problemId) {
    const existing = await repos.problems.findById(s.problemId);
    if (existing) return { problem: existing, linked: 0, created: false };
  }
  const names = await namesOf(repos, s);
  const l = ctx.defaultLocale;
  const e = s.evidence;
  const item = names.item ?? '—';
  const problem = await openProblem(ctx, {
    title:
      e.basis === 'ci'
        ? t(l, 'prb.suggest.problem_ci', { item })
        : e.basis === 'category'
          ? t(l, 'prb.suggest.problem_category', { category: e.category, org: names.org ?? '—' })
          : t(l, 'prb.suggest.problem_alert', { check: e.checkId, target: e.target, item }),
    organisationId: s.organisationId,
    category: e.basis === 'category' ? e.category : null,
    configurationItemId: e.basis === 'ci' ? e.configurationItemId : e.basis === 'alert' ? e.configurationItemId : null,
  });
  const now = ctx.clock.now();
  const linkedRefs: string[] = [];
  for (const x of e.incidents) {
    const ticket = await repos.tickets.findByRef(x.ref);
    if (ticket && (await repos.problems.link(problem.id, ticket.id, Actor.recordedId(ctx.actor), now))) linkedRefs.push(ticket.ref);
  }
  await repos.problems.addEvents(
    linkedRefs.map((ref) => ({
      problemId: problem.id,
      actorId: Actor.recordedId(ctx.actor),
      at: now,
      field: 'link',
      from: null,
      to: ref,
      note: null,
    })),
  );
  await repos.problems.setSuggestionProblem(s.id, problem.id);
  const opened = { ref: problem.ref, name: ctx.actor.displayName };
  await ctx.notifier.toChannels('volunteers', (loc) => suggestionMessage(loc, s, names, DEFAULT_SCAN.windowDays, opened), {
    organisationId: s.organisationId,
    ref: suggestionRef(s),
  });
  return { problem, linked: linkedRefs.length, created: true };
}
