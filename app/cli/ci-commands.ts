/**
 * The configuration items from the command line: `ci list|show|add|link|unlink`, as the system
 * (or `--as HANDLE`, whose roles then decide), through the same use cases as `ci` in chat, every
 * change recorded in the item's history.
 */
import { itemLabel, itemLine, kindName, relationName, statusName } from '../../core/cmdb/cmdb-replies.ts';
import {
  createItem,
  IMPACT_DEPTH,
  IMPACT_LIMIT,
  itemHistory,
  itemOverview,
  linkItems,
  listVisibleItems,
  organisationByFiscalCode,
  unlinkItems,
} from '../../core/cmdb/manage-items.ts';
import { t as cmdbText } from '../../core/cmdb/messages.ts';
import { type ItemOverview, parseDay, parseKind, parseRelation, RELATION_KINDS, type RelationKind } from '../../core/cmdb/model.ts';
import { CI_KINDS, type CiKind, type ConfigurationItem, ConfigurationItemRef } from '../../core/kernel/configuration-item.ts';
import { optional, optionalInt, required } from './arguments.ts';
import { defineCommand, UsageError } from './command.ts';
import { formatTable } from './table.ts';

function kindOption(typed: string | undefined): CiKind | undefined {
  if (typed === undefined) return undefined;
  const kind = parseKind(typed);
  if (!kind) throw new UsageError(`unknown kind: ${typed} (one of ${CI_KINDS.join(', ')})`);
  return kind;
}

function relationArg(typed: string | undefined): RelationKind {
  const kind = typed === undefined ? undefined : parseRelation(typed);
  if (!kind) throw new UsageError(`unknown relation: ${typed ?? ''} (one of ${RELATION_KINDS.join(', ')})`);
  return kind;
}

function itemJson(item: ConfigurationItem) {
  return {
    ref: ConfigurationItemRef.format(item.number),
    kind: item.kind,
    name: item.name,
    status: item.status,
    organisationId: item.organisationId,
    notes: item.notes,
    renewalOn: item.renewalOn,
    agent: item.agentId !== null,
    facts: item.facts,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const summaryJson = (s: { number: number; name: string; kind: CiKind; status: string }) => ({
  ref: ConfigurationItemRef.format(s.number),
  name: s.name,
  kind: s.kind,
  status: s.status,
});

function overviewJson(o: ItemOverview) {
  return {
    ...itemJson(o.item),
    organisation: o.organisationName,
    tickets: o.tickets,
    alerts: o.alerts,
    changes: o.changes,
    needs: o.needs.map((r) => ({ relation: r.kind, ...summaryJson(r.other) })),
    neededBy: o.neededBy.map((r) => ({ relation: r.kind, ...summaryJson(r.other) })),
    impact: { total: o.impact.total, items: o.impact.items.map((i) => ({ depth: i.depth, ...summaryJson(i.item) })) },
  };
}

export const ciList = defineCommand({
  name: 'ci list',
  synopsis: `[--org FISCALCODE] [--kind ${CI_KINDS.join('|')}] [--page N] [--as HANDLE]`,
  summary: 'list configuration items (not retired), 50 a page',
  options: { org: { type: 'string' }, kind: { type: 'string' }, page: { type: 'string' }, as: { type: 'string' } },
  parse: (args) => ({
    org: optional(args, 'org'),
    kind: kindOption(optional(args, 'kind')),
    page: optionalInt(args, 'page', 1, 100_000) ?? 1,
    as: optional(args, 'as'),
  }),
  async run(session, input) {
    const r = await session.run(input.as, async (ctx) => {
      const listed = await listVisibleItems(ctx, {
        ...(input.org ? { fiscalCode: input.org } : {}),
        ...(input.kind ? { kinds: [input.kind] } : {}),
        page: input.page,
        pageSize: 50,
      });
      const names = new Map<string, string>();
      for (const id of new Set(listed.items.map((i) => i.organisationId)))
        names.set(id, (await ctx.repos.people.findOrganisation(id))?.name ?? '?');
      return { ...listed, names };
    });
    const l = session.locale;
    const json = r.items.map((i) => ({ ...itemJson(i), organisation: r.names.get(i.organisationId) ?? '?' }));
    const text = r.items.length
      ? [
          formatTable(
            r.items.map((i) => [
              ConfigurationItemRef.format(i.number),
              kindName(l, i.kind),
              statusName(l, i.status),
              i.renewalOn ?? '',
              r.names.get(i.organisationId) ?? '?',
              i.name,
            ]),
          ),
          ...(r.pages > 1 ? [`${r.page}/${r.pages}`] : []),
        ].join('\n')
      : cmdbText(l, 'ci.list.empty');
    return { json, text };
  },
});

export const ciShow = defineCommand({
  name: 'ci show',
  synopsis: 'CI-000007 [--as HANDLE]',
  summary: 'an item: state, facts, open tickets and alerts, changes, relations, impact (what stops if it stops) and history',
  options: { as: { type: 'string' } },
  positionals: ['REF'],
  parse: (args) => ({ ref: args.positionals[0] ?? '', as: optional(args, 'as') }),
  async run(session, input) {
    const { overview, history } = await session.run(input.as, async (ctx) => ({
      overview: await itemOverview(ctx, input.ref),
      history: (await itemHistory(ctx, input.ref, 100)).entries,
    }));
    const l = session.locale;
    const o = overview;
    const text = [
      `${itemLabel(o.item)} · ${kindName(l, o.item.kind)} · ${statusName(l, o.item.status)} · ${o.organisationName}${o.item.renewalOn ? ` · ${o.item.renewalOn}` : ''}`,
      ...(o.item.notes ? [o.item.notes] : []),
      ...o.tickets.map((x) => `ticket ${x.ref} P${x.priority} ${x.status} ${x.title}`),
      ...o.alerts.map((a) => `alert ${a.checkId} ${a.target} ${a.severity} ${a.state}`),
      ...o.changes.map((c) => `change ${c.ref} ${c.status} ${c.title}`),
      ...o.needs.map((r) => `${relationName(l, r.kind)} ${itemLabel(r.other)}`),
      ...o.neededBy.map((r) => `${itemLabel(r.other)} ${relationName(l, r.kind)} ${itemLabel(o.item)}`),
      `impact ${o.impact.total}${o.impact.total > IMPACT_LIMIT ? ` (first ${IMPACT_LIMIT}, depth ≤ ${IMPACT_DEPTH})` : ''}: ${o.impact.items.map((i) => `${itemLabel(i.item)} [${i.depth}]`).join(', ') || '—'}`,
      ...history.map(
        (h) =>
          `${h.at.toISOString()} ${h.actorName ?? (h.reason === 'agent' ? 'agent' : 'system')} ${h.field}: ${h.from ?? '—'} → ${h.to ?? '—'}${h.reason && h.reason !== 'agent' ? ` (${h.reason})` : ''}`,
      ),
    ].join('\n');
    return {
      json: {
        ...overviewJson(o),
        history: history.map((h) => ({ at: h.at, by: h.actorName, field: h.field, from: h.from, to: h.to, reason: h.reason })),
      },
      text,
    };
  },
});

export const ciAdd = defineCommand({
  name: 'ci add',
  synopsis: `--org FISCALCODE --kind ${CI_KINDS.join('|')} --name N [--renewal YYYY-MM-DD] [--notes TEXT] [--reason TEXT] [--as HANDLE]`,
  summary: 'add a configuration item (a licence may carry its renewal date: reminded 30 days before)',
  options: {
    org: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    renewal: { type: 'string' },
    notes: { type: 'string' },
    reason: { type: 'string' },
    as: { type: 'string' },
  },
  parse(args) {
    const kind = kindOption(required(args, 'kind')) as CiKind;
    const typedRenewal = optional(args, 'renewal');
    const renewalOn = typedRenewal === undefined ? null : parseDay(typedRenewal);
    if (renewalOn === undefined) throw new UsageError(`--renewal must be a date such as 2026-09-30 (got ${JSON.stringify(typedRenewal)})`);
    if (renewalOn && kind !== 'licence') throw new UsageError('--renewal is for --kind licence only');
    return {
      org: required(args, 'org'),
      kind,
      name: required(args, 'name'),
      renewalOn,
      notes: optional(args, 'notes') ?? null,
      reason: optional(args, 'reason') ?? 'sportello ci add',
      as: optional(args, 'as'),
    };
  },
  async run(session, input) {
    const { item, org } = await session.run(input.as, async (ctx) => {
      const org = await organisationByFiscalCode(ctx, input.org);
      const item = await createItem(ctx, {
        organisationId: org.id,
        kind: input.kind,
        name: input.name,
        notes: input.notes,
        renewalOn: input.renewalOn,
        reason: input.reason,
      });
      return { item, org };
    });
    const l = session.locale;
    return {
      json: { ...itemJson(item), organisation: org.name },
      text: cmdbText(l, 'ci.new.done', {
        item: itemLabel(item),
        kind: kindName(l, item.kind),
        org: org.name,
        ref: ConfigurationItemRef.format(item.number),
      }),
    };
  },
});

function relationCommand(unlink: boolean) {
  return defineCommand({
    name: unlink ? 'ci unlink' : 'ci link',
    synopsis: `CI-A ${RELATION_KINDS.join('|')} CI-B [--as HANDLE]`,
    summary: unlink
      ? 'remove the relation "A needs B"'
      : 'record that A needs B (runs on, depends on, is connected to, is located at); a loop is refused',
    options: { as: { type: 'string' } },
    positionals: ['SOURCE', 'RELATION', 'TARGET'],
    parse: (args) => ({
      source: args.positionals[0] ?? '',
      relation: relationArg(args.positionals[1]),
      target: args.positionals[2] ?? '',
      as: optional(args, 'as'),
    }),
    async run(session, input) {
      const l = session.locale;
      const params = (s: ConfigurationItem, t: ConfigurationItem) => ({
        source: itemLabel(s),
        relation: relationName(l, input.relation),
        target: itemLabel(t),
      });
      if (unlink) {
        const r = await session.run(input.as, (ctx) => unlinkItems(ctx, input.source, input.relation, input.target));
        return {
          json: { source: summaryJson(r.source), relation: input.relation, target: summaryJson(r.target), removed: r.removed },
          text: cmdbText(l, r.removed ? 'ci.unlink.done' : 'ci.unlink.none', params(r.source, r.target)),
        };
      }
      const r = await session.run(input.as, (ctx) => linkItems(ctx, input.source, input.relation, input.target));
      return {
        json: { source: summaryJson(r.source), relation: input.relation, target: summaryJson(r.target), added: r.added },
        text: cmdbText(l, r.added ? 'ci.link.done' : 'ci.link.exists', params(r.source, r.target)),
      };
    },
  });
}

export const ciLink = relationCommand(false);
export const ciUnlink = relationCommand(true);
