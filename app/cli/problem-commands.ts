/**
 * Problems from the command line: `problem list [--status S]` and `problem show PRB-…`, acting
 * as the system (or `--as` a volunteer), with the same policy as in chat.
 */
import { t as problemText } from '../../core/problems/messages.ts';
import { PROBLEM_STATUSES, type ProblemStatus } from '../../core/problems/model.ts';
import { findProblemOrThrow, listProblems } from '../../core/problems/problem-cases.ts';
import { problemMessage, problemView } from '../../core/problems/problem-views.ts';
import { optional, optionalChoice } from './arguments.ts';
import { defineCommand } from './command.ts';
import { formatTable } from './table.ts';

export const problemList = defineCommand({
  name: 'problem list',
  synopsis: `[--status ${PROBLEM_STATUSES.join('|')}] [--as HANDLE]`,
  summary: 'the open problems (or those in one status), newest first, with their linked tickets',
  options: { status: { type: 'string' }, as: { type: 'string' } },
  parse: (args) => ({ status: optionalChoice<ProblemStatus>(args, 'status', PROBLEM_STATUSES), as: optional(args, 'as') }),
  async run(session, input) {
    const rows = await session.run(input.as, async (ctx) => {
      const problems = await listProblems(ctx, { ...(input.status ? { status: input.status } : {}), limit: 500 });
      return Promise.all(
        problems.map(async (p) => {
          const linked = await ctx.repos.problems.linkedTickets(p.id);
          return {
            ref: p.ref,
            status: p.status,
            title: p.title,
            organisationId: p.organisationId,
            tickets: linked.filter((x) => x.ticket.kind !== 'change').map((x) => x.ticket.ref),
            changes: linked.filter((x) => x.ticket.kind === 'change').map((x) => x.ticket.ref),
            createdAt: p.createdAt,
          };
        }),
      );
    });
    const l = session.locale;
    const text = rows.length
      ? formatTable(
          rows.map((r) => [r.ref, problemText(l, `status.${r.status}`), `${r.tickets.length}`, r.changes.join(',') || '—', r.title]),
        )
      : problemText(l, 'prb.list.empty');
    return { json: rows, text };
  },
});

export const problemShow = defineCommand({
  name: 'problem show',
  synopsis: 'PRB-… [--as HANDLE]',
  summary: 'a problem: status, owner, root cause, workaround, linked incidents and changes, history',
  options: { as: { type: 'string' } },
  positionals: ['REF'],
  parse: (args) => ({ ref: args.positionals[0] ?? '', as: optional(args, 'as') }),
  async run(session, input) {
    const view = await session.run(input.as, async (ctx) => problemView(ctx, await findProblemOrThrow(ctx, input.ref)));
    const message = problemMessage(session.locale, view);
    const text = [
      message.title ?? '',
      ...(message.fields ?? []).map((f) => `${f.label}: ${f.value.replace(/\n/g, '\n  ')}`),
      message.text,
    ].join('\n');
    return { json: view, text };
  },
});
