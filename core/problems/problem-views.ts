/** How a problem reads in chat and in the CLI: its record, its links, its history; the list of open ones. */
import { ciLabel } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { formatDate } from '../kernel/format.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { neutralizeMentions } from '../kernel/sanitize.ts';
import type { TicketStatus } from '../kernel/ticket.ts';
import { t } from './messages.ts';
import { PROBLEM_STATUSES, type Problem, type ProblemEvent, type ProblemStatus } from './model.ts';

/** Everything shown of a problem, with names resolved (the CLI's `--json` prints it as is). */
export interface ProblemView {
  readonly ref: string;
  readonly title: string;
  readonly description: string;
  readonly status: Problem['status'];
  readonly owner: string | null;
  /** Null: every organisation. */
  readonly organisation: string | null;
  readonly configurationItem: string | null;
  readonly category: string | null;
  readonly rootCause: string | null;
  readonly workaround: string | null;
  readonly resolution: string | null;
  readonly kbArticle: string | null;
  readonly createdAt: Date;
  readonly knownErrorAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  readonly incidents: readonly { readonly ref: string; readonly title: string; readonly status: TicketStatus }[];
  readonly changes: readonly {
    readonly ref: string;
    readonly title: string;
    readonly status: TicketStatus;
    readonly outcome: string | null;
  }[];
  readonly history: readonly (ProblemEvent & { readonly actor: string | null })[];
}

export async function problemView(ctx: UseCaseContext, p: Problem): Promise<ProblemView> {
  const repos = ctx.repos;
  const [owner, org, item, linked, events] = await Promise.all([
    p.ownerId ? repos.people.findPerson(p.ownerId) : undefined,
    p.organisationId ? repos.people.findOrganisation(p.organisationId) : undefined,
    p.configurationItemId ? repos.configurationItems.find(p.configurationItemId) : undefined,
    repos.problems.linkedTickets(p.id),
    repos.problems.listEvents(p.id),
  ]);
  const actorIds = [...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
  const actors = new Map(
    (await Promise.all(actorIds.map((id) => repos.people.findPerson(id)))).flatMap((x) => (x ? [[x.id, x.displayName]] : [])),
  );
  return {
    ref: p.ref,
    title: p.title,
    description: p.description,
    status: p.status,
    owner: owner?.displayName ?? null,
    organisation: org?.name ?? null,
    configurationItem: item ? ciLabel(item) : null,
    category: p.category,
    rootCause: p.rootCause,
    workaround: p.workaround,
    resolution: p.resolution,
    kbArticle: p.kbArticleRef,
    createdAt: p.createdAt,
    knownErrorAt: p.knownErrorAt,
    resolvedAt: p.resolvedAt,
    closedAt: p.closedAt,
    incidents: linked
      .filter((x) => x.ticket.kind !== 'change')
      .map(({ ticket }) => ({ ref: ticket.ref, title: ticket.title, status: ticket.status })),
    changes: linked
      .filter((x) => x.ticket.kind === 'change')
      .map(({ ticket, changeOutcome }) => ({ ref: ticket.ref, title: ticket.title, status: ticket.status, outcome: changeOutcome })),
    history: events.map((e) => ({ ...e, actor: e.actorId ? (actors.get(e.actorId) ?? null) : null })),
  };
}

const HISTORY_FIELDS = new Set([
  'status',
  'owner',
  'root_cause',
  'workaround',
  'resolution',
  'link',
  'organisation',
  'told_workaround',
  'told_resolution',
  'kb_article',
]);

function statusWord(l: Locale, s: string | null): string {
  return s && (PROBLEM_STATUSES as readonly string[]).includes(s) ? t(l, `status.${s as ProblemStatus}`) : (s ?? '—');
}

function historyLine(l: Locale, e: ProblemView['history'][number]): string {
  const at = formatDate(l, e.at);
  const who = neutralizeMentions(e.actor ?? t(l, 'prb.event.system'));
  const short = (s: string | null) => neutralizeMentions((s ?? '—').replace(/\s+/g, ' ').slice(0, 80));
  if (e.field === 'status' && e.from === null) return t(l, 'prb.event.created', { at, who });
  if (e.field === 'status') return t(l, 'prb.event.status', { at, who, from: statusWord(l, e.from), to: statusWord(l, e.to) });
  const key = `prb.event.${e.field}` as 'prb.event.link';
  return t(l, key, { at, who, to: short(e.to) });
}

/** `problema PRB-…`: status, owner, cause, workaround, the linked incidents and changes with their status, the history. */
export function problemMessage(l: Locale, v: ProblemView): OutMessage {
  const text = (s: string | null) => (s ? neutralizeMentions(s) : '—');
  const fields = [
    { label: t(l, 'prb.view.status'), value: t(l, `status.${v.status}`) },
    { label: t(l, 'prb.view.owner'), value: text(v.owner ?? t(l, 'prb.view.nobody')) },
    { label: t(l, 'prb.view.organisation'), value: text(v.organisation ?? t(l, 'prb.cross_org')) },
  ];
  if (v.configurationItem) fields.push({ label: t(l, 'prb.view.item'), value: text(v.configurationItem) });
  if (v.category) fields.push({ label: t(l, 'prb.view.category'), value: text(v.category) });
  fields.push({ label: t(l, 'prb.view.cause'), value: text(v.rootCause) });
  fields.push({ label: t(l, 'prb.view.workaround'), value: text(v.workaround) });
  if (v.resolution) fields.push({ label: t(l, 'prb.view.resolution'), value: text(v.resolution) });
  if (v.kbArticle) fields.push({ label: t(l, 'prb.view.kb'), value: v.kbArticle });
  const ticketLine = (x: { ref: string; title: string; status: TicketStatus }) =>
    `${x.ref} · ${t(l, `status.${x.status}`)} · ${neutralizeMentions(x.title)}`;
  fields.push({ label: t(l, 'prb.view.incidents'), value: v.incidents.map(ticketLine).join('\n') || '—' });
  fields.push({ label: t(l, 'prb.view.changes'), value: v.changes.map(ticketLine).join('\n') || '—' });
  const history = v.history.filter((e) => HISTORY_FIELDS.has(e.field)).map((e) => historyLine(l, e));
  return {
    title: `${v.ref} · ${neutralizeMentions(v.title)}`,
    text: `${t(l, 'prb.view.history')}:\n${history.join('\n')}`,
    fields,
  };
}

/** `problemi`: one line per problem. */
export function problemList(l: Locale, problems: readonly Problem[], counts: ReadonlyMap<string, number>, all: boolean): OutMessage {
  if (problems.length === 0) return { text: t(l, 'prb.list.empty') };
  return {
    title: t(l, all ? 'prb.list.title_all' : 'prb.list.title'),
    text: problems
      .map((p) =>
        t(l, 'prb.list.line', {
          ref: p.ref,
          status: t(l, `status.${p.status}`),
          title: neutralizeMentions(p.title),
          n: counts.get(p.id) ?? 0,
        }),
      )
      .join('\n'),
  };
}
