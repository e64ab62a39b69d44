/**
 * The configuration items in chat, one command `ci` (Italian and English alike):
 * - `ci` · `ci pagina 2` · `ci <codice fiscale> [2]` — the items the asker may see, paged;
 * - `ci CI-000007` — the overview: state, facts, open tickets and alerts, changes, relations, impact;
 * - `ci nuovo [tipo] ["nome"] [codice fiscale] [rinnovo]` — a short dialog, or one line when it says everything;
 * - `ci CI-… nome|stato|note|rinnovo <valore> [— perché]` — one change, recorded with who and why;
 * - `ci collega CI-A dipende|gira|connesso|sede CI-B` · `ci scollega …` — relations ("A needs B");
 * - `ci storia CI-…` — the history.
 * The buttons (`ci.kind`, `ci.org`, `ci.skip`, `ci.confirm`) and the dialog (`ci-new`) are here too.
 */

import { type CommandSpec, type DialogSpec, type Feature, Grammar, type ParsedCommand, restAfter } from '../kernel/command.ts';
import { CI_KINDS, CI_STATUSES, type CiKind, type ConfigurationItem } from '../kernel/configuration-item.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { isFiscalCode } from '../kernel/person.ts';
import { forChannel, neutralizeMentions } from '../kernel/sanitize.ts';
import type { Turn } from '../kernel/turn.ts';
import { CmdbPolicy } from './cmdb-policy.ts';
import { historyLine, itemLabel, itemLine, itemRef, kindName, overviewMessage, relationName, statusName } from './cmdb-replies.ts';
import {
  createItem,
  defaultOrganisation,
  type EditValue,
  editItem,
  itemHistory,
  itemOverview,
  linkItems,
  listVisibleItems,
  organisationByFiscalCode,
  unlinkItems,
} from './manage-items.ts';
import { m, t } from './messages.ts';
import { formatCalendarDay, NAME_MAX, parseDay, parseField, parseKind, parseRelation, parseStatus, RELATION_KINDS } from './model.ts';

const NEW = /^(nuovo|nuova|aggiungi|new|add)$/i;
const LINK = /^(collega|link)$/i;
const UNLINK = /^(scollega|unlink)$/i;
const HISTORY = /^(storia|cronologia|history)$/i;
const PAGE = /^(pagina|page)$/i;
const CI_REF = /^CI[\s-]*\d+$/i;
/** A 16-character fiscal code has digits: "contemporaneamente" is no organisation. */
const isOrgCode = (w: string) => /^\d{11}$/.test(w) || (/^[A-Z0-9]{16}$/i.test(w) && /\d/.test(w));
/** Little words between a relation and its target: "dipende da", "gira su", "runs on". */
const FILLER = /^(da|dal|dalla|su|sul|sulla|a|al|alla|in|presso|on|to|at|from)$/i;
/** What separates a change from its reason: `ci CI-7 stato manutenzione — disco in sostituzione`. */
const REASON_SEPARATOR = /\s+(?:—|–|--|\|)\s*/;
const CLEAR = /^(-|nessuno|nessuna|niente|none|clear)$/i;
const YES = /^(si|sì|ok|conferma|confermo|yes|confirm)$/i;
const NO = /^(no|annulla|cancel)$/i;
const SKIP = /^(salta|non so|nonso|skip|-)$/i;

/** A word the person typed, repeated back to them (privately): short, and pinging nobody. */
const echo = (typed: string) => neutralizeMentions(typed.trim().slice(0, 30));

const usage = (turn: Turn) => turn.say(t(turn.locale, 'usage.ci'));

// ---------------------------------------------------------------------------------------------
// Reading

async function listItems(turn: Turn, fiscalCode: string | undefined, pageWord: string | undefined): Promise<void> {
  const page = pageWord === undefined ? 1 : Number(pageWord);
  if (!Number.isInteger(page) || page < 1) return usage(turn);
  const ctx = turn.ctx;
  const r = await listVisibleItems(ctx, { ...(fiscalCode ? { fiscalCode } : {}), page });
  if (r.total === 0) return turn.say(t(turn.locale, CmdbPolicy.mayEditSome(ctx.actor) ? 'ci.list.empty_add' : 'ci.list.empty'));
  const many = new Set(r.items.map((i) => i.organisationId)).size > 1 || CmdbPolicy.readableOrganisations(ctx.actor) === undefined;
  const names = new Map<string, string>();
  if (many)
    for (const id of new Set(r.items.map((i) => i.organisationId)))
      names.set(id, (await ctx.repos.people.findOrganisation(id))?.name ?? '?');
  const lines = r.items.map((i) => itemLine(turn.locale, i, many ? names.get(i.organisationId) : undefined));
  const footer = r.pages > 1 ? `\n\n${t(turn.locale, 'ci.list.more', { page: r.page, pages: r.pages, next: r.page + 1 })}` : '';
  turn.replyPrivately({
    title: t(turn.locale, 'ci.list.title', { n: r.total }),
    text: `${lines.join('\n')}${footer}\n\n${t(turn.locale, 'ci.list.hint')}`,
  });
}

async function showItem(turn: Turn, typed: string): Promise<void> {
  turn.replyPrivately(overviewMessage(turn.locale, await itemOverview(turn.ctx, typed)));
}

async function showHistory(turn: Turn, typed: string | undefined): Promise<void> {
  if (!typed) return usage(turn);
  const { item, entries } = await itemHistory(turn.ctx, typed);
  turn.replyPrivately({
    title: t(turn.locale, 'ci.history.title', { item: itemLabel(item) }),
    text: entries.length ? entries.map((e) => historyLine(turn.locale, e)).join('\n') : t(turn.locale, 'ci.history.empty'),
  });
}

// ---------------------------------------------------------------------------------------------
// Changing

/** `ci CI-… nome|stato|note|rinnovo <valore> [— perché]`. */
async function edit(turn: Turn, c: ParsedCommand): Promise<void> {
  const l = turn.locale;
  const [ref = '', fieldWord = ''] = c.args;
  const field = parseField(fieldWord);
  if (!field) return usage(turn);
  const [value = '', ...why] = restAfter(c.rest, 2).split(REASON_SEPARATOR);
  const reason = why.join(' — ').trim() || null;
  let change: EditValue;
  switch (field) {
    case 'name':
      if (!value.trim()) return usage(turn);
      change = { field, value };
      break;
    case 'status': {
      const status = parseStatus(value);
      if (!status) return turn.say(t(l, 'ci.bad_status', { states: CI_STATUSES.map((s) => statusName(l, s)).join(', ') }));
      change = { field, value: status };
      break;
    }
    case 'notes':
      change = { field, value: CLEAR.test(value.trim()) ? null : value };
      break;
    case 'renewal': {
      if (CLEAR.test(value.trim())) change = { field, value: null };
      else {
        const day = parseDay(value);
        if (!day) return turn.say(t(l, 'ci.bad_date', { value: echo(value) }));
        change = { field, value: day };
      }
      break;
    }
  }
  const r = await editItem(turn.ctx, ref, change, reason);
  if (!r.changed) return turn.say(t(l, 'ci.edit.unchanged', { item: itemLabel(r.item) }));
  turn.say(t(l, 'ci.edit.done', { item: itemLabel(r.item), field: t(l, `ci.edit_field.${field}`), value: shownValue(l, r.item, field) }));
}

function shownValue(l: Locale, item: ConfigurationItem, field: 'name' | 'status' | 'notes' | 'renewal'): string {
  switch (field) {
    case 'name':
      return forChannel(item.name, 120);
    case 'status':
      return statusName(l, item.status);
    case 'notes':
      return item.notes ? forChannel(item.notes, 200) : '—';
    case 'renewal':
      return item.renewalOn ? formatCalendarDay(l, item.renewalOn) : '—';
  }
}

/** `ci collega CI-A <relazione> CI-B` / `ci scollega …`. */
async function relate(turn: Turn, c: ParsedCommand, unlink: boolean): Promise<void> {
  const l = turn.locale;
  const [, source, relationWord = ''] = c.args;
  let rest = c.args.slice(3);
  if (FILLER.test(rest[0] ?? '')) rest = rest.slice(1);
  const target = rest.join(' ');
  const kind = parseRelation(relationWord);
  if (!source || !target) return usage(turn);
  if (!kind)
    return turn.say(
      t(l, 'ci.bad_relation', {
        word: echo(relationWord),
        relations: RELATION_KINDS.map((k) => t(l, `ci.relation_word.${k}`)).join(', '),
      }),
    );
  if (unlink) {
    const r = await unlinkItems(turn.ctx, source, kind, target);
    return turn.say(
      t(l, r.removed ? 'ci.unlink.done' : 'ci.unlink.none', {
        source: itemLabel(r.source),
        relation: relationName(l, kind),
        target: itemLabel(r.target),
      }),
    );
  }
  const r = await linkItems(turn.ctx, source, kind, target);
  turn.say(
    t(l, r.added ? 'ci.link.done' : 'ci.link.exists', {
      source: itemLabel(r.source),
      relation: relationName(l, kind),
      target: itemLabel(r.target),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Adding: the `ci-new` dialog, or one line

export interface NewItemState {
  readonly flow: 'ci-new';
  readonly step: 'kind' | 'name' | 'org' | 'renewal' | 'confirm';
  readonly kind?: CiKind;
  readonly name?: string;
  readonly organisationId?: string;
  readonly organisationName?: string;
  /** `YYYY-MM-DD`; null when the licence's date was skipped. */
  readonly renewalOn?: string | null;
}

const isNewItemState = (v: unknown): v is NewItemState =>
  typeof v === 'object' && v !== null && (v as { flow?: unknown }).flow === 'ci-new';

/** The first step still open, or `confirm`. */
function nextStep(s: Omit<NewItemState, 'step'>): NewItemState['step'] {
  if (!s.kind) return 'kind';
  if (!s.name) return 'name';
  if (!s.organisationId) return 'org';
  if (s.kind === 'licence' && s.renewalOn === undefined) return 'renewal';
  return 'confirm';
}

async function question(turn: Turn, s: NewItemState, problem?: string): Promise<OutMessage> {
  const l = turn.locale;
  const cancel = { actionId: 'ci.confirm', value: 'no', label: t(l, 'ci.button.cancel') };
  const withProblem = (text: string) => (problem ? `${problem}\n${text}` : text);
  switch (s.step) {
    case 'kind':
      return {
        text: withProblem(t(l, 'ci.new.ask_kind')),
        buttons: [...CI_KINDS.map((k) => ({ actionId: 'ci.kind', value: k, label: kindName(l, k) })), cancel],
      };
    case 'name':
      return { text: withProblem(t(l, 'ci.new.ask_name', { kind: kindName(l, s.kind ?? 'computer'), max: NAME_MAX })), buttons: [cancel] };
    case 'org': {
      const led = CmdbPolicy.editsEveryOrganisation(turn.ctx.actor) ? [] : CmdbPolicy.ledOrganisations(turn.ctx.actor);
      const orgs = await Promise.all(led.map((id) => turn.ctx.repos.people.findOrganisation(id)));
      return {
        text: withProblem(t(l, led.length ? 'ci.new.ask_org_buttons' : 'ci.new.ask_org')),
        buttons: [
          ...orgs.flatMap((o) => (o ? [{ actionId: 'ci.org', value: o.id, label: neutralizeMentions(o.name).slice(0, 60) }] : [])),
          cancel,
        ],
      };
    }
    case 'renewal':
      return {
        text: withProblem(t(l, 'ci.new.ask_renewal')),
        buttons: [{ actionId: 'ci.skip', value: '', label: t(l, 'ci.button.no_date') }, cancel],
      };
    case 'confirm':
      return {
        text: withProblem(
          t(l, 'ci.new.confirm', {
            kind: kindName(l, s.kind ?? 'computer'),
            name: forChannel(s.name ?? '', NAME_MAX),
            org: neutralizeMentions(s.organisationName ?? '?'),
            renewal: s.renewalOn ? t(l, 'ci.new.confirm_renewal', { date: formatCalendarDay(l, s.renewalOn) }) : '',
          }),
        ),
        buttons: [{ actionId: 'ci.confirm', value: 'yes', label: t(l, 'ci.button.create'), style: 'primary' }, cancel],
      };
  }
}

async function ask(turn: Turn, s: NewItemState, problem?: string): Promise<void> {
  await turn.ctx.repos.dialogs.put(turn.dialogKey, s, turn.dialogExpiry());
  turn.replyPrivately(await question(turn, s, problem));
}

/** Fills the organisation the actor may add to without asking (their one organisation). */
async function withDefaultOrganisation(turn: Turn, s: Omit<NewItemState, 'step'>): Promise<Omit<NewItemState, 'step'>> {
  if (s.organisationId) return s;
  const id = defaultOrganisation(turn.ctx.actor);
  if (!id) return s;
  const org = await turn.ctx.repos.people.findOrganisation(id);
  return org ? { ...s, organisationId: org.id, organisationName: org.name } : s;
}

async function create(turn: Turn, s: Omit<NewItemState, 'step'>): Promise<void> {
  if (!s.kind || !s.name || !s.organisationId) return;
  const item = await createItem(turn.ctx, {
    organisationId: s.organisationId,
    kind: s.kind,
    name: s.name,
    renewalOn: s.renewalOn ?? null,
  });
  await turn.ctx.repos.dialogs.delete(turn.dialogKey);
  turn.say(
    t(turn.locale, 'ci.new.done', {
      item: itemLabel(item),
      kind: kindName(turn.locale, item.kind),
      org: neutralizeMentions(s.organisationName ?? '?'),
      ref: itemRef(item),
    }),
  );
}

/**
 * `ci nuovo [tipo] ["nome"|nome…] [codice fiscale] [gg/mm/aaaa]`: what the line says is taken,
 * the rest asked; a line that says everything adds the item at once.
 */
async function startNew(turn: Turn, c: ParsedCommand): Promise<void> {
  const ctx = turn.ctx;
  if (!CmdbPolicy.mayEditSome(ctx.actor)) throw new DomainError('forbidden');
  const l = turn.locale;
  const words = restAfter(c.rest, 1);
  let s: Omit<NewItemState, 'step'> = { flow: 'ci-new' };
  if (words) {
    const [kindWord = '', ...more] = words.split(/\s+/);
    const kind = parseKind(kindWord);
    if (!kind) return turn.say(t(l, 'ci.bad_kind', { word: echo(kindWord), kinds: kindWords(l) }));
    s = { ...s, kind };
    let tail = more.join(' ');
    // Trailing organisation and date, in either order.
    for (let i = 0; i < 2; i++) {
      const last = /\s*(\S+)$/.exec(tail);
      const word = last?.[1] ?? '';
      if (isOrgCode(word) && !s.organisationId) {
        const org = await organisationByFiscalCode(ctx, word);
        CmdbPolicy.assertEdit(ctx.actor, org.id);
        s = { ...s, organisationId: org.id, organisationName: org.name };
      } else if (kind === 'licence' && parseDay(word) && s.renewalOn === undefined) s = { ...s, renewalOn: parseDay(word) ?? null };
      else break;
      tail = tail.slice(0, tail.length - (last?.[0].length ?? 0));
    }
    const name = tail
      .trim()
      .replace(/^["«“'](.*)["»”']$/, '$1')
      .trim();
    if (name.length > NAME_MAX) return turn.say(t(l, 'ci.new.bad_name', { max: NAME_MAX }));
    if (name) s = { ...s, name };
  }
  s = await withDefaultOrganisation(turn, s);
  const step = nextStep(s);
  // One line that says everything: added at once.
  if (step === 'confirm' && words) return create(turn, s);
  return ask(turn, { ...s, step });
}

function kindWords(l: Locale): string {
  return CI_KINDS.map((k) => t(l, `ci.kind_word.${k}`)).join(', ');
}

/** A typed answer in the dialog. */
async function continueNew(turn: Turn, s: NewItemState, text: string): Promise<void> {
  const l = turn.locale;
  const answer = text.trim();
  switch (s.step) {
    case 'kind': {
      const kind = parseKind(answer);
      if (!kind) return ask(turn, s, t(l, 'ci.bad_kind', { word: echo(answer), kinds: kindWords(l) }));
      return advance(turn, { ...s, kind });
    }
    case 'name': {
      const name = answer.replace(/^["«“'](.*)["»”']$/, '$1').trim();
      if (!name || name.length > NAME_MAX) return ask(turn, s, t(l, 'ci.new.bad_name', { max: NAME_MAX }));
      return advance(turn, { ...s, name });
    }
    case 'org': {
      if (!isFiscalCode(answer)) return ask(turn, s, t(l, 'ci.new.bad_org'));
      const org = await turn.ctx.repos.people.findOrganisationByFiscalCode(answer.toUpperCase());
      if (!org) return ask(turn, s, t(l, 'error.organisation_not_found', { code: neutralizeMentions(answer.slice(0, 20)) }));
      if (!CmdbPolicy.canEdit(turn.ctx.actor, org.id)) return ask(turn, s, t(l, 'error.forbidden'));
      return advance(turn, { ...s, organisationId: org.id, organisationName: org.name });
    }
    case 'renewal': {
      if (SKIP.test(answer)) return advance(turn, { ...s, renewalOn: null });
      const day = parseDay(answer);
      if (!day) return ask(turn, s, t(l, 'ci.bad_date', { value: echo(answer) }));
      return advance(turn, { ...s, renewalOn: day });
    }
    case 'confirm':
      if (YES.test(answer)) return create(turn, s);
      if (NO.test(answer)) return cancelNew(turn);
      return ask(turn, s, t(l, 'ci.new.use_buttons'));
  }
}

function advance(turn: Turn, s: Omit<NewItemState, 'step'>): Promise<void> {
  return ask(turn, { ...s, step: nextStep(s) });
}

async function cancelNew(turn: Turn): Promise<void> {
  await turn.ctx.repos.dialogs.delete(turn.dialogKey);
  turn.say(t(turn.locale, 'dialog.cancelled'));
}

/** The dialog's buttons: `ci.kind` (a kind), `ci.org` (one of the ICT lead's organisations), `ci.skip`, `ci.confirm` yes|no. */
async function handleAction(turn: Turn, action: { readonly id: string; readonly value: string }): Promise<void> {
  const raw = await turn.ctx.repos.dialogs.get(turn.dialogKey, turn.ctx.clock.now());
  if (action.id === 'ci.confirm' && action.value === 'no') return cancelNew(turn);
  if (!isNewItemState(raw)) return turn.say(t(turn.locale, 'dialog.expired'));
  const s = raw;
  switch (action.id) {
    case 'ci.kind': {
      const kind = (CI_KINDS as readonly string[]).includes(action.value) ? (action.value as CiKind) : undefined;
      if (s.step !== 'kind' || !kind) return ask(turn, s, t(turn.locale, 'ci.new.use_buttons'));
      return advance(turn, { ...s, kind });
    }
    case 'ci.org': {
      if (s.step !== 'org') return ask(turn, s, t(turn.locale, 'ci.new.use_buttons'));
      CmdbPolicy.assertEdit(turn.ctx.actor, action.value);
      const org = await turn.ctx.repos.people.findOrganisation(action.value);
      if (!org) throw new DomainError('forbidden');
      return advance(turn, { ...s, organisationId: org.id, organisationName: org.name });
    }
    case 'ci.skip':
      if (s.step !== 'renewal') return ask(turn, s, t(turn.locale, 'ci.new.use_buttons'));
      return advance(turn, { ...s, renewalOn: null });
    case 'ci.confirm':
      if (s.step !== 'confirm') return ask(turn, s);
      return create(turn, s);
    default:
      throw new DomainError('invalid_input', { field: 'action', max: 0 });
  }
}

// ---------------------------------------------------------------------------------------------

async function ciCommand(turn: Turn, c: ParsedCommand): Promise<void> {
  const [first, second, third] = c.args;
  if (!first) return listItems(turn, undefined, undefined);
  if (NEW.test(first)) return startNew(turn, c);
  if (LINK.test(first)) return relate(turn, c, false);
  if (UNLINK.test(first)) return relate(turn, c, true);
  if (HISTORY.test(first)) return showHistory(turn, restAfter(c.rest, 1) || undefined);
  if (PAGE.test(first)) return c.args.length === 2 ? listItems(turn, undefined, second) : usage(turn);
  if (isOrgCode(first)) {
    if (c.args.length > 3) return usage(turn);
    return listItems(turn, first, PAGE.test(second ?? '') ? third : second);
  }
  if (CI_REF.test(first)) return c.args.length === 1 ? showItem(turn, first) : edit(turn, c);
  // `ci pc-segreteria`: an item by its name, when it is one.
  try {
    return await showItem(turn, c.rest);
  } catch (err) {
    if (DomainError.is(err, 'ci_not_found')) return usage(turn);
    throw err;
  }
}

const commands: CommandSpec[] = [
  {
    name: 'ci',
    words: { it: ['ci', 'cmdb'], en: ['ci', 'cmdb'] },
    // "Ci serve un account" is a request, not the command: the first word must be one of its own.
    grammar: Grammar.first(
      /^(CI[\s-]*\d+|nuovo|nuova|aggiungi|new|add|collega|link|scollega|unlink|storia|cronologia|history|pagina|page|\d{11}|(?=[A-Z]*\d)[A-Z0-9]{16})$/i,
    ),
    audience: ['member', 'volunteer', 'moderator', 'committee'],
    section: 'itil',
    ...m.helpOf('ci'),
    usage: (l) => t(l, 'usage.ci'),
    handle: ciCommand,
  },
];

const dialogs: DialogSpec[] = [
  {
    flow: 'ci-new',
    owns: isNewItemState,
    continue: (turn, state, text) => continueNew(turn, state as NewItemState, text),
  },
];

export const cmdbFeature: Feature = {
  name: 'cmdb',
  commands,
  actions: [{ prefix: 'ci.', handle: handleAction }],
  dialogs,
};
