/**
 * Changes from the command line: `change list [--status S]` and `change show RFC-…`, acting as
 * the system (or `--as` a person, with the same policy as in chat).
 */
import { listChanges, showChange } from '../../core/changes/change-view.ts';
import { t as changeText } from '../../core/changes/messages.ts';
import { TICKET_STATUSES, type TicketStatus } from '../../core/kernel/ticket.ts';
import { list, optional, optionalInt } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { formatTable } from './table.ts';

const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '—');
const window = (a: Date | null, b: Date | null) => (a && b ? `${when(a)} → ${when(b)} UTC` : '—');

export const changeList = defineCommand({
  name: 'change list',
  synopsis: '[--status S]… [--as HANDLE] [--limit N]',
  summary: 'changes (RFCs), newest first: status, type, window, items, organisation',
  options: { status: { type: 'string', multiple: true }, as: { type: 'string' }, limit: { type: 'string' } },
  parse(args) {
    const statuses = list(args, 'status');
    for (const s of statuses)
      if (!(TICKET_STATUSES as readonly string[]).includes(s))
        throw new UsageError(`--status must be one of ${TICKET_STATUSES.join(', ')} (got ${JSON.stringify(s)})`);
    return { statuses: statuses as TicketStatus[], as: optional(args, 'as'), limit: optionalInt(args, 'limit', 1, 1000) ?? 100 };
  },
  async run(session, input) {
    const views = await session.run(input.as, (ctx) =>
      listChanges(ctx, { ...(input.statuses.length ? { statuses: input.statuses } : {}), limit: input.limit }),
    );
    const l = session.locale;
    const text = views.length
      ? formatTable(
          views.map((v) => [
            v.ref,
            changeText(l, `status.${v.status}`),
            v.type ? changeText(l, `change.type.${v.type}`) : '—',
            window(v.windowStart, v.windowEnd),
            v.items.join(', ') || '—',
            v.organisation,
            v.title,
          ]),
        )
      : changeText(l, 'change.list.empty');
    return { json: views, text };
  },
});

export const changeShow = defineCommand({
  name: 'change show',
  synopsis: 'RFC-… [--as HANDLE]',
  summary: 'a change: type, approvals, window, items, silences, outcome, review and history',
  options: { as: { type: 'string' } },
  positionals: ['REF'],
  parse: (args) => ({ ref: args.positionals[0] ?? '', as: optional(args, 'as') }),
  async run(session, input) {
    const v = await session.run(input.as, (ctx) => showChange(ctx, input.ref));
    const l = session.locale;
    const text = [
      `${v.ref} · ${v.title}`,
      formatTable([
        [`${changeText(l, 'change.field.status')}:`, changeText(l, `status.${v.status}`)],
        [`${changeText(l, 'change.field.organisation')}:`, v.organisation],
        [`${changeText(l, 'change.field.requester')}:`, v.requester ?? '—'],
        [`${changeText(l, 'change.field.owner')}:`, v.owner ?? '—'],
        [`${changeText(l, 'change.field.type')}:`, v.type ? changeText(l, `change.type.${v.type}`) : '—'],
        [`${changeText(l, 'change.field.standard')}:`, v.standardKey ?? '—'],
        [`${changeText(l, 'change.field.shared')}:`, changeText(l, v.sharedInfrastructure ? 'change.yes' : 'change.no')],
        [`${changeText(l, 'change.field.items')}:`, v.items.join(', ') || '—'],
        [`${changeText(l, 'change.field.window')}:`, window(v.windowStart, v.windowEnd)],
        [`${changeText(l, 'change.field.outcome')}:`, v.outcome ?? '—'],
        [`${changeText(l, 'change.field.backout')}:`, v.backoutPlan ?? '—'],
        [
          `${changeText(l, 'change.field.review')}:`,
          v.review ? `${v.review.by ?? '?'} ${when(v.review.at)} ${v.review.note ?? ''}`.trim() : '—',
        ],
      ]),
      `${changeText(l, 'change.field.approvals')}:`,
      ...v.approvals.map(
        (a) =>
          `  ${when(a.at)}  ${changeText(l, `change.slot.${a.slot}`)}: ${changeText(l, `change.decision.${a.decision}`)} ${a.by ?? ''}${a.note ? `  «${a.note}»` : ''}`,
      ),
      ...v.history.map(
        (e) => `  ${when(e.at)}  ${e.field}: ${e.from ?? '—'} → ${e.to ?? '—'}${e.by ? `  ${e.by}` : ''}${e.note ? `  «${e.note}»` : ''}`,
      ),
    ].join('\n');
    return { json: v, text };
  },
});
