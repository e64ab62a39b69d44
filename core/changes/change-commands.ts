/**
 * Change management in chat: `rfc` (open, show, the standard catalogue), `sottoponi`, `approva` /
 * `rifiuta` (words shared with the community: these take RFC ids), `pianifica`, `implementato`,
 * `fallito` (shares `failed` with the community), `calendario`; the Approve / Reject buttons on
 * the approval request (Reject asks the reason), and the feature declaration.
 */

import { type CommandSpec, type DialogSpec, type Feature, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { DomainError } from '../kernel/errors.ts';
import { isFiscalCode } from '../kernel/person.ts';
import { TicketRef } from '../kernel/ticket.ts';
import type { Turn } from '../kernel/turn.ts';
import { calendarMessage, changeCalendar, DEFAULT_CALENDAR_DAYS, MAX_CALENDAR_DAYS } from './change-calendar.ts';
import { changeFacts, itemLabelForChannel } from './change-facts.ts';
import { approversText, catalogueText, changePage, slotsText, windowText } from './change-replies.ts';
import { parseWindow } from './change-window.ts';
import { checkChangeDecision, type DecisionResult, decideChange } from './decide-change.ts';
import { findChangeOrThrow } from './find-change.ts';
import { failChange, implementChange } from './finish-change.ts';
import { m, t } from './messages.ts';
import type { ChangeType } from './model.ts';
import { openChange } from './open-change.ts';
import { scheduleChange } from './schedule-change.ts';
import { submitChange } from './submit-change.ts';

/** The first argument of every change command: an RFC id. */
const RFC = /^RFC[\s-]*\d+$/i;
const WORKERS = ['volunteer', 'moderator', 'committee'] as const;

const TYPE_WORDS: Readonly<Record<string, ChangeType>> = {
  normale: 'normal',
  normal: 'normal',
  emergenza: 'emergency',
  emergency: 'emergency',
  urgente: 'emergency',
  standard: 'standard',
};
const SHARED_WORDS = new Set(['condivisa', 'condiviso', 'condivisa.', 'shared']);

type UsageName = 'rfc' | 'submit' | 'change_approve' | 'change_reject' | 'schedule' | 'implemented' | 'change_failed' | 'calendar';
const usage = (turn: Turn, name: UsageName) => turn.say(t(turn.locale, `usage.${name}`));

/** `rfc <titolo>`, `rfc <codice fiscale> <titolo>`, `rfc RFC-…`, `rfc standard`. */
async function rfcCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const [first] = c.args;
  if (!first) return usage(turn, 'rfc');
  if (c.args.length === 1 && /^(standard|catalogo|catalogue)$/i.test(first)) return turn.replyPrivately(catalogueText(turn.locale));
  if (c.args.length === 1 && TicketRef.parse(first)?.startsWith('RFC-')) {
    const ticket = await findChangeOrThrow(turn.ctx, first);
    return turn.replyPrivately(changePage(turn.locale, await changeFacts(turn.ctx.repos, ticket)));
  }
  const fiscal = isFiscalCode(first) ? first : undefined;
  const title = fiscal ? restAfter(c.rest, 1) : c.rest;
  if (!title) return usage(turn, 'rfc');
  const ticket = await openChange(turn.ctx, {
    title,
    ...(fiscal ? { fiscalCode: fiscal } : {}),
    idempotencyKey: `rfc:${turn.inbound.platform}:${turn.inbound.deliveryId}`,
  });
  const org = await turn.ctx.repos.people.findOrganisation(ticket.organisationId);
  turn.say(t(turn.locale, 'change.ok.opened', { ref: ticket.ref, org: org?.name ?? '?' }));
}

/** `sottoponi RFC-… normale|emergenza [condivisa] [CI-…]` or `sottoponi RFC-… standard <voce> [CI-…]`. */
async function submitCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const [ref, typeWord = ''] = c.args;
  const type = TYPE_WORDS[typeWord.toLowerCase()];
  if (!ref || !type) return usage(turn, 'submit');
  const more = c.args.slice(2);
  const standardKey = type === 'standard' ? more.shift() : undefined;
  if (type === 'standard' && !standardKey) return usage(turn, 'submit');
  const shared = more.some((w) => SHARED_WORDS.has(w.toLowerCase()));
  const items = more.filter((w) => !SHARED_WORDS.has(w.toLowerCase())).map((w) => w.replace(/[,;]$/, ''));
  const r = await submitChange(turn.ctx, ref, { type, ...(standardKey ? { standardKey } : {}), shared, items });
  const l = turn.locale;
  const facts = await changeFacts(turn.ctx.repos, r.ticket);
  const itemsLine = facts.items.length ? `\n${t(l, 'change.ok.items', { items: facts.items.join(', ') })}` : '';
  if (r.standard)
    return turn.say(t(l, 'change.ok.standard', { ref: r.ticket.ref, title: r.standard.title[l], risk: r.standard.risk[l] }) + itemsLine);
  turn.say(t(l, 'change.ok.submitted', { ref: r.ticket.ref, who: approversText(l, r.details) }) + itemsLine);
}

function decisionReply(turn: Turn, r: DecisionResult): void {
  const l = turn.locale;
  const ref = r.ticket.ref;
  if (r.kind === 'reviewed') return turn.say(t(l, 'change.ok.reviewed', { ref }));
  if (r.outcome === 'approved') return turn.say(t(l, 'change.ok.approved', { ref }));
  if (r.outcome === 'rejected') return turn.say(t(l, 'change.ok.rejected', { ref }));
  turn.say(t(l, 'change.ok.approved_partial', { ref, slot: slotsText(l, [r.slot]), missing: slotsText(l, r.missing) }));
}

/** `pianifica RFC-… <inizio> <fine>`: the window, its silences, and a warning about conflicts. */
async function scheduleCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const [ref] = c.args;
  const window = ref ? parseWindow(c.args.slice(1), turn.ctx.clock.now()) : undefined;
  if (!ref || !window || window.used !== c.args.length - 1) return usage(turn, 'schedule');
  const r = await scheduleChange(turn.ctx, ref, window);
  const l = turn.locale;
  const labels = await Promise.all(r.itemIds.map(async (id) => await turn.ctx.repos.configurationItems.find(id)));
  const items = labels.flatMap((i) => (i ? [itemLabelForChannel(i)] : []));
  const lines = [
    t(l, r.rescheduled ? 'change.ok.rescheduled' : 'change.ok.scheduled', {
      ref: r.ticket.ref,
      window: windowText(l, window.start, window.end),
    }),
    items.length ? t(l, 'change.ok.silences', { items: items.join(', ') }) : t(l, 'change.ok.no_silences'),
    ...(r.conflicts.length ? [t(l, 'change.ok.conflicts', { list: r.conflicts.map((x) => x.b).join(', ') })] : []),
  ];
  turn.say(lines.join('\n'));
}

async function calendarCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const typed = c.args[0];
  const days = typed === undefined ? DEFAULT_CALENDAR_DAYS : Number(typed);
  if (!Number.isInteger(days) || days < 1 || days > MAX_CALENDAR_DAYS || c.args.length > 1) return usage(turn, 'calendar');
  turn.replyPrivately(calendarMessage(turn.locale, await changeCalendar(turn.ctx, days)));
}

/** A command taking an RFC id then free text; `required` text answers the usage when missing. */
function rfcThen(turn: Turn, c: ParsedCommand, name: UsageName, required: boolean): { ref: string; text: string } | undefined {
  const ref = c.args[0];
  const text = restAfter(c.rest, 1);
  if (!ref || (required && !text)) {
    usage(turn, name);
    return undefined;
  }
  return { ref, text };
}

const commands: CommandSpec[] = [
  {
    name: 'rfc',
    words: { it: ['rfc'], en: ['rfc'] },
    grammar: Grammar.free,
    audience: ['member', ...WORKERS],
    section: 'itil',
    ...m.helpOf('rfc'),
    usage: (l) => t(l, 'usage.rfc'),
    handle: rfcCommand,
  },
  {
    name: 'submit',
    words: { it: ['sottoponi'], en: ['submit'] },
    grammar: Grammar.first(RFC),
    audience: WORKERS,
    section: 'itil',
    ...m.helpOf('submit'),
    usage: (l) => t(l, 'usage.submit'),
    handle: submitCommand,
  },
  {
    name: 'change_approve',
    words: { it: ['approva'], en: ['approve'] },
    grammar: Grammar.first(RFC),
    refs: RFC,
    audience: ['ict_lead', 'moderator', 'committee'],
    section: 'itil',
    help: m.text('help.change_approve'),
    usage: (l) => t(l, 'usage.change_approve'),
    async handle(turn, c) {
      const a = rfcThen(turn, c, 'change_approve', false);
      if (a) decisionReply(turn, await decideChange(turn.ctx, a.ref, 'approved', a.text));
    },
  },
  {
    name: 'change_reject',
    words: { it: ['rifiuta'], en: ['reject'] },
    grammar: Grammar.first(RFC),
    refs: RFC,
    audience: ['ict_lead', 'moderator', 'committee'],
    section: 'itil',
    help: m.text('help.change_reject'),
    usage: (l) => t(l, 'usage.change_reject'),
    async handle(turn, c) {
      const a = rfcThen(turn, c, 'change_reject', true);
      if (a) decisionReply(turn, await decideChange(turn.ctx, a.ref, 'rejected', a.text));
    },
  },
  {
    name: 'schedule',
    words: { it: ['pianifica'], en: ['schedule'] },
    grammar: Grammar.first(RFC),
    audience: WORKERS,
    section: 'itil',
    ...m.helpOf('schedule'),
    usage: (l) => t(l, 'usage.schedule'),
    handle: scheduleCommand,
  },
  {
    name: 'implemented',
    words: { it: ['implementato', 'realizzato'], en: ['implemented'] },
    grammar: Grammar.first(RFC),
    audience: WORKERS,
    section: 'itil',
    ...m.helpOf('implemented'),
    usage: (l) => t(l, 'usage.implemented'),
    async handle(turn, c) {
      const a = rfcThen(turn, c, 'implemented', false);
      if (!a) return;
      const r = await implementChange(turn.ctx, a.ref, a.text);
      turn.say(t(turn.locale, 'change.ok.implemented', { ref: r.ticket.ref }));
    },
  },
  {
    name: 'change_failed',
    words: { it: ['fallito', 'fallita'], en: ['failed'] },
    grammar: Grammar.first(RFC),
    refs: RFC,
    audience: WORKERS,
    section: 'itil',
    help: m.text('help.change_failed'),
    usage: (l) => t(l, 'usage.change_failed'),
    async handle(turn, c) {
      const a = rfcThen(turn, c, 'change_failed', true);
      if (!a) return;
      const ticket = await failChange(turn.ctx, a.ref, a.text);
      turn.say(t(turn.locale, 'change.ok.failed', { ref: ticket.ref }));
    },
  },
  {
    name: 'calendar',
    words: { it: ['calendario'], en: ['calendar'] },
    grammar: Grammar.first(/^\d{1,3}$/, 1),
    audience: ['member', ...WORKERS],
    section: 'itil',
    ...m.helpOf('calendar'),
    usage: (l) => t(l, 'usage.calendar'),
    handle: calendarCommand,
  },
];

/** What the Reject button waits for: the reason. */
interface ReasonState {
  readonly flow: 'change-reason';
  readonly ref: string;
}
const isReasonState = (v: unknown): v is ReasonState => typeof v === 'object' && v !== null && (v as ReasonState).flow === 'change-reason';

/** `change.approve` / `change.reject` (value: the RFC id), on the approval and review requests. */
async function handleChangeAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const ctx = turn.ctx;
  switch (action.id) {
    case 'change.approve':
      return decisionReply(turn, await decideChange(ctx, action.value, 'approved', ''));
    case 'change.reject': {
      // Refuse at once what cannot apply (a stale button), before asking for the reason.
      const { ticket } = await checkChangeDecision(ctx, action.value, 'rejected');
      const state: ReasonState = { flow: 'change-reason', ref: ticket.ref };
      await ctx.repos.dialogs.put(turn.dialogKey, state, turn.dialogExpiry());
      return turn.say(t(turn.locale, 'change.reason.ask', { ref: ticket.ref }));
    }
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

const dialogs: DialogSpec[] = [
  {
    flow: 'change-reason',
    owns: isReasonState,
    dropOnRefusal: true,
    capturesCommandsInChannels: true,
    async continue(turn, state, text) {
      if (!isReasonState(state)) return;
      await turn.ctx.repos.dialogs.delete(turn.dialogKey);
      decisionReply(turn, await decideChange(turn.ctx, state.ref, 'rejected', text));
    },
  },
];

export const changesFeature: Feature = {
  name: 'changes',
  commands,
  actions: [{ prefix: 'change.', handle: handleChangeAction }],
  dialogs,
};
