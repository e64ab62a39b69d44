/**
 * Problems in chat: `problema`, `problemi`, `collega INC-… PRB-…`, `indaga`, `causa`,
 * `errorenoto`, `risolvi PRB-…`, `chiudi PRB-…`, and the buttons `problem.link` (on an incident's
 * card), `problem.open_suggested` (on a suggestion) and `problem.resolve_by_change` (sent when a
 * linked change is implemented). `collega` and `risolvi` are shared with account linking and the
 * tickets: the first argument's id picks these.
 */
import { type CommandSpec, type Feature, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { TicketRef } from '../kernel/ticket.ts';
import type { Turn } from '../kernel/turn.ts';
import { m, t } from './messages.ts';
import { ProblemRef } from './model.ts';
import {
  closeProblem,
  declareKnownError,
  findProblemOrThrow,
  investigateProblem,
  type LinkOutcome,
  linkTicket,
  listProblems,
  openProblem,
  openProblemFromTicket,
  resolveByChange,
  resolveProblem,
  setRootCause,
} from './problem-cases.ts';
import { ProblemPolicy } from './problem-policy.ts';
import { problemList, problemMessage, problemView } from './problem-views.ts';
import { openSuggestedProblem } from './suggest-problems.ts';

const WORKERS = ['volunteer', 'moderator', 'committee'] as const;
const PRB = ProblemRef.pattern;
const TICKET = /^(INC|REQ|RFC)[\s-]*\d+$/i;
const FROM = /^(da|dal|from)$/i;
const FISCAL_CODE = /^(\d{11}|[A-Z0-9]{16})$/i;
const ALL = /^(tutti|all)$/i;

type Usage = 'problem' | 'problem_link' | 'investigate' | 'cause' | 'known_error' | 'problem_resolve' | 'problem_close';
const usage = (turn: Turn, name: Usage) => turn.say(t(turn.locale, `usage.${name}`));

async function showProblem(turn: Turn, typed: string): Promise<void> {
  const problem = await findProblemOrThrow(turn.ctx, typed);
  turn.replyPrivately(problemMessage(turn.locale, await problemView(turn.ctx, problem)));
}

/** `problema <titolo>` · `problema <codice fiscale> <titolo>` · `problema [da] INC-…` · `problema PRB-…`. */
async function problemCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  ProblemPolicy.assertWorker(ctx.actor);
  const [first = '', second = ''] = c.args;
  if (!first) return usage(turn, 'problem');
  if (PRB.test(first) && c.args.length === 1) return showProblem(turn, first);
  const ticketRef = TicketRef.parse(first) && !PRB.test(first) ? first : FROM.test(first) && TicketRef.parse(second) ? second : undefined;
  if (ticketRef) {
    const { problem, ticket } = await openProblemFromTicket(ctx, ticketRef);
    return turn.say(t(turn.locale, 'prb.ok.created_from', { ref: problem.ref, ticket: ticket.ref, title: problem.title }));
  }
  let title = c.rest;
  let organisationId: string | null = null;
  if (FISCAL_CODE.test(first) && c.args.length > 1) {
    const org = await ctx.repos.people.findOrganisationByFiscalCode(first.toUpperCase());
    if (!org) throw new DomainError('organisation_not_found', { code: first });
    organisationId = org.id;
    title = restAfter(c.rest, 1);
  }
  const problem = await openProblem(ctx, { title, organisationId });
  turn.say(t(turn.locale, 'prb.ok.created', { ref: problem.ref, title: problem.title }));
}

function linkReply(turn: Turn, r: LinkOutcome): void {
  turn.say(t(turn.locale, r.told ? 'prb.ok.linked_told' : 'prb.ok.linked', { ticket: r.ticket.ref, ref: r.problem.ref }));
}

/** A command whose first argument is a problem id (the rest free text); its usage when the id is missing. */
function onProblem(
  name: Usage,
  words: CommandSpec['words'],
  run: (turn: Turn, ref: string, rest: string) => Promise<void>,
  opts: { readonly shared?: boolean; readonly needsText?: boolean } = {},
): CommandSpec {
  return {
    name,
    words,
    grammar: Grammar.first(PRB),
    ...(opts.shared ? { refs: PRB } : {}),
    audience: WORKERS,
    section: 'itil',
    ...m.helpOf(name),
    // A word shared with another feature keeps that feature's menu entry.
    ...(opts.shared ? { menu: undefined } : {}),
    usage: (l) => t(l, `usage.${name}`),
    async handle(turn, c) {
      const ref = c.args[0];
      const rest = restAfter(c.rest, 1);
      if (!ref || !PRB.test(ref) || (opts.needsText && !rest)) return usage(turn, name);
      await run(turn, ref, rest);
    },
  };
}

export const problemCommands: readonly CommandSpec[] = [
  {
    name: 'problem',
    words: { it: ['problema'], en: ['problem'] },
    // "Problema con la stampante" written to the bot stays a request for help: only an id, a
    // fiscal code or "da INC-…" makes it the command (or a / or ! in front, or a channel).
    grammar: Grammar.first(/^((PRB|INC|REQ)[\s-]*\d+|\d{11}|[A-Z0-9]{16})$/i),
    audience: WORKERS,
    section: 'itil',
    ...m.helpOf('problem'),
    usage: (l) => t(l, 'usage.problem'),
    handle: (turn, c) => problemCommand(turn, c),
  },
  {
    name: 'problems',
    words: { it: ['problemi'], en: ['problems'] },
    grammar: Grammar.first(ALL, 1),
    audience: WORKERS,
    section: 'itil',
    ...m.helpOf('problems'),
    async handle(turn, c) {
      const all = ALL.test(c.args[0] ?? '');
      const problems = await listProblems(turn.ctx, { all });
      const counts = new Map<string, number>();
      for (const p of problems) counts.set(p.id, (await turn.ctx.repos.problems.linkedTickets(p.id)).length);
      turn.replyPrivately(problemList(turn.locale, problems, counts, all));
    },
  },
  {
    name: 'problem_link',
    words: { it: ['collega'], en: ['link'] },
    grammar: Grammar.first(TICKET),
    refs: TICKET,
    audience: WORKERS,
    section: 'itil',
    help: m.text('help.problem_link'),
    usage: (l) => t(l, 'usage.problem_link'),
    async handle(turn, c) {
      const [ticketRef, problemRef] = c.args;
      if (!ticketRef || !problemRef || !PRB.test(problemRef)) return usage(turn, 'problem_link');
      linkReply(turn, await linkTicket(turn.ctx, ticketRef, problemRef));
    },
  },
  onProblem('investigate', { it: ['indaga'], en: ['investigate'] }, async (turn, ref) => {
    const p = await investigateProblem(turn.ctx, ref);
    turn.say(t(turn.locale, 'prb.ok.investigating', { ref: p.ref }));
  }),
  onProblem(
    'cause',
    { it: ['causa'], en: ['cause'] },
    async (turn, ref, text) => {
      const p = await setRootCause(turn.ctx, ref, text);
      turn.say(t(turn.locale, 'prb.ok.cause', { ref: p.ref }));
    },
    { needsText: true },
  ),
  onProblem(
    'known_error',
    { it: ['errorenoto'], en: ['knownerror'] },
    async (turn, ref, text) => {
      const r = await declareKnownError(turn.ctx, ref, text);
      turn.say(t(turn.locale, 'prb.ok.known_error', { ref: r.problem.ref, n: r.told, kb: r.articleRef }));
    },
    { needsText: true },
  ),
  onProblem(
    'problem_resolve',
    { it: ['risolvi'], en: ['resolve'] },
    async (turn, ref, text) => {
      const r = await resolveProblem(turn.ctx, ref, text);
      turn.say(t(turn.locale, 'prb.ok.resolved', { ref: r.problem.ref, n: r.told }));
    },
    { shared: true, needsText: true },
  ),
  onProblem(
    'problem_close',
    { it: ['chiudi'], en: ['close'] },
    async (turn, ref) => {
      const p = await closeProblem(turn.ctx, ref);
      turn.say(t(turn.locale, 'prb.ok.closed', { ref: p.ref }));
    },
    { shared: true },
  ),
];

/** `INC-000042:PRB-000001` → the two halves. */
function pair(value: string): [string, string] {
  const i = value.indexOf(':');
  return i < 0 ? [value, ''] : [value.slice(0, i), value.slice(i + 1)];
}

async function handleProblemAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const ctx = turn.ctx;
  switch (action.id) {
    case 'problem.link': {
      const [ticketRef, problemRef] = pair(action.value);
      return linkReply(turn, await linkTicket(ctx, ticketRef, problemRef));
    }
    case 'problem.open_suggested': {
      const r = await openSuggestedProblem(ctx, action.value);
      return turn.say(
        r.created
          ? t(turn.locale, 'prb.ok.suggestion_opened', { ref: r.problem.ref, n: r.linked })
          : t(turn.locale, 'prb.suggest.already', { ref: r.problem.ref }),
      );
    }
    case 'problem.resolve_by_change': {
      const [problemRef, changeRef] = pair(action.value);
      const r = await resolveByChange(ctx, problemRef, changeRef);
      return turn.say(t(turn.locale, 'prb.ok.resolved', { ref: r.problem.ref, n: r.told }));
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

export const problemsFeature: Feature = {
  name: 'problems',
  commands: problemCommands,
  actions: [{ prefix: 'problem.', handle: handleProblemAction }],
};
