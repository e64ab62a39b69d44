/**
 * The CMDB's use cases: add an item, change its name, state, notes or renewal date (each change
 * in its history with who and why), link and unlink items, and read an item's overview with its
 * impact. Policy first: another organisation's item answers like an unknown one; an ICT lead
 * changes only their organisation's items.
 */
import { Actor } from '../kernel/actor.ts';
import { CI_KINDS, type CiKind, type CiStatus, type ConfigurationItem, ConfigurationItemRef } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import { DomainError } from '../kernel/errors.ts';
import type { Organisation } from '../kernel/person.ts';
import { isFiscalCode } from '../kernel/person.ts';
import { CmdbPolicy } from './cmdb-policy.ts';
import { findItemOrThrow } from './find-item.ts';
import {
  type EditableField,
  type ItemHistoryEntry,
  type ItemOverview,
  NAME_MAX,
  NOTES_MAX,
  REASON_MAX,
  type RelationKind,
} from './model.ts';

/** Impact lists stop here: enough to act on, and the total is still told. */
export const IMPACT_LIMIT = 50;
/** Levels of "needs" followed; real chains are a handful deep. */
export const IMPACT_DEPTH = 12;

/** The organisation typed by its fiscal code, or refused. */
export async function organisationByFiscalCode(ctx: UseCaseContext, code: string): Promise<Organisation> {
  const org = isFiscalCode(code) ? await ctx.repos.people.findOrganisationByFiscalCode(code.trim().toUpperCase()) : undefined;
  if (!org) throw new DomainError('organisation_not_found', { code: code.trim().slice(0, 20) });
  return org;
}

/**
 * The organisation an item is added to: the one named, else the only one the actor leads.
 * Undefined when it must be asked (staff and volunteers, or the ICT lead of several).
 */
export function defaultOrganisation(actor: Actor): string | undefined {
  if (CmdbPolicy.editsEveryOrganisation(actor)) return undefined;
  const led = CmdbPolicy.ledOrganisations(actor);
  return led.length === 1 ? led[0] : undefined;
}

function checkName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (!n || n.length > NAME_MAX) throw new DomainError('invalid_input', { field: 'name', max: NAME_MAX });
  return n;
}

function checkNotes(notes: string | null | undefined): string | null {
  const n = notes?.trim() ?? '';
  if (n.length > NOTES_MAX) throw new DomainError('invalid_input', { field: 'notes', max: NOTES_MAX });
  return n || null;
}

function checkReason(reason: string | null | undefined): string | null {
  const r = reason?.trim() ?? '';
  return r ? r.slice(0, REASON_MAX) : null;
}

export interface NewItemInput {
  readonly organisationId?: string;
  readonly kind: CiKind;
  readonly name: string;
  readonly notes?: string | null;
  /** Only for a licence or subscription (`YYYY-MM-DD`). */
  readonly renewalOn?: string | null;
  readonly reason?: string | null;
}

export async function createItem(ctx: UseCaseContext, input: NewItemInput): Promise<ConfigurationItem> {
  const organisationId = input.organisationId ?? defaultOrganisation(ctx.actor);
  if (!organisationId) throw new DomainError('no_organisation');
  CmdbPolicy.assertEdit(ctx.actor, organisationId);
  if (!(CI_KINDS as readonly string[]).includes(input.kind)) throw new DomainError('invalid_input', { field: 'kind', max: 0 });
  const renewalOn = input.kind === 'licence' ? (input.renewalOn ?? null) : null;
  return ctx.repos.cmdb.insertItem(
    {
      organisationId,
      kind: input.kind,
      name: checkName(input.name),
      notes: checkNotes(input.notes),
      renewalOn,
      createdBy: Actor.recordedId(ctx.actor),
    },
    checkReason(input.reason),
    ctx.clock.now(),
  );
}

export type EditValue =
  | { readonly field: 'name'; readonly value: string }
  | { readonly field: 'status'; readonly value: CiStatus }
  | { readonly field: 'notes'; readonly value: string | null }
  | { readonly field: 'renewal'; readonly value: string | null };

/** One field changed, recorded with who and why; `changed` is false when it already had that value. */
export async function editItem(
  ctx: UseCaseContext,
  typed: string,
  edit: EditValue,
  reason?: string | null,
): Promise<{ readonly item: ConfigurationItem; readonly changed: boolean }> {
  const item = await findItemOrThrow(ctx, typed);
  CmdbPolicy.assertEdit(ctx.actor, item.organisationId);
  if (edit.field === 'renewal' && item.kind !== 'licence') throw new DomainError('invalid_input', { field: 'renewal', max: 0 });
  const patch =
    edit.field === 'name'
      ? { name: checkName(edit.value) }
      : edit.field === 'status'
        ? { status: edit.value }
        : edit.field === 'notes'
          ? { notes: checkNotes(edit.value) }
          : { renewalOn: edit.value };
  const r = await ctx.repos.cmdb.updateItem(item.id, patch, Actor.recordedId(ctx.actor), checkReason(reason), ctx.clock.now());
  if (!r) throw new DomainError('ci_not_found', { ref: typed.trim().slice(0, 40) });
  return { item: r.item, changed: r.changed.length > 0 };
}

export const FIELD_OF: Readonly<Record<EditableField, string>> = { name: 'name', status: 'status', notes: 'notes', renewal: 'renewal_on' };

/**
 * `source` needs `target` (runs on, depends on, is connected to, is located at). The actor must
 * be able to change the source and see the target; a relation closing a loop is refused.
 */
export async function linkItems(
  ctx: UseCaseContext,
  sourceTyped: string,
  kind: RelationKind,
  targetTyped: string,
): Promise<{ readonly source: ConfigurationItem; readonly target: ConfigurationItem; readonly added: boolean }> {
  const source = await findItemOrThrow(ctx, sourceTyped);
  const target = await findItemOrThrow(ctx, targetTyped);
  CmdbPolicy.assertEdit(ctx.actor, source.organisationId);
  const from = ConfigurationItemRef.format(source.number);
  const to = ConfigurationItemRef.format(target.number);
  if (source.id === target.id) throw new DomainError('ci_cycle', { from, to });
  const outcome = await ctx.repos.cmdb.addRelation(source.id, kind, target.id, Actor.recordedId(ctx.actor), ctx.clock.now());
  if (outcome === 'cycle') throw new DomainError('ci_cycle', { from, to });
  return { source, target, added: outcome === 'added' };
}

export async function unlinkItems(
  ctx: UseCaseContext,
  sourceTyped: string,
  kind: RelationKind,
  targetTyped: string,
): Promise<{ readonly source: ConfigurationItem; readonly target: ConfigurationItem; readonly removed: boolean }> {
  const source = await findItemOrThrow(ctx, sourceTyped);
  const target = await findItemOrThrow(ctx, targetTyped);
  CmdbPolicy.assertEdit(ctx.actor, source.organisationId);
  const removed = await ctx.repos.cmdb.removeRelation(source.id, kind, target.id);
  return { source, target, removed };
}

/** The item's state, what is open on it, its relations both ways, and what stops if it stops. */
export async function itemOverview(ctx: UseCaseContext, typed: string): Promise<ItemOverview> {
  const item = await findItemOrThrow(ctx, typed);
  const cmdb = ctx.repos.cmdb;
  const [org, tickets, alerts, changes, relations, impact] = await Promise.all([
    ctx.repos.people.findOrganisation(item.organisationId),
    cmdb.openTicketsOn(item.id, 10),
    cmdb.openAlertsOn(item.id, 10),
    cmdb.changesTouching(item.id, 10),
    cmdb.relations(item.id, 30),
    cmdb.impact(item.id, { limit: IMPACT_LIMIT, maxDepth: IMPACT_DEPTH }),
  ]);
  // A requester sees the items of their organisation only, even in relations and impact.
  const visible = <T extends { readonly organisationId: string }>(x: T) => CmdbPolicy.canRead(ctx.actor, x);
  const impactSeen = impact.items.filter((i) => visible(i.item));
  return {
    item,
    organisationName: org?.name ?? '?',
    tickets,
    alerts,
    changes,
    needs: relations.needs.filter((r) => visible(r.other)),
    neededBy: relations.neededBy.filter((r) => visible(r.other)),
    // The total too: counting hidden items would tell a requester how many other organisations' items depend on theirs.
    impact: CmdbPolicy.readableOrganisations(ctx.actor)
      ? { items: impactSeen, total: impactSeen.length }
      : { items: impact.items, total: impact.total },
  };
}

export async function itemHistory(
  ctx: UseCaseContext,
  typed: string,
  limit = 30,
): Promise<{ readonly item: ConfigurationItem; readonly entries: ItemHistoryEntry[] }> {
  const item = await findItemOrThrow(ctx, typed);
  return { item, entries: await ctx.repos.cmdb.history(item.id, limit) };
}

export const PAGE_SIZE = 20;

/**
 * The items the actor may see: their organisation's for members, every organisation's (or the
 * one named) for volunteers and staff; `page` from 1.
 */
export async function listVisibleItems(
  ctx: UseCaseContext,
  opts: { readonly fiscalCode?: string; readonly kinds?: readonly CiKind[]; readonly page?: number; readonly pageSize?: number },
): Promise<{ readonly items: ConfigurationItem[]; readonly total: number; readonly page: number; readonly pages: number }> {
  const readable = CmdbPolicy.readableOrganisations(ctx.actor);
  let organisationIds = readable;
  if (opts.fiscalCode) {
    const org = await organisationByFiscalCode(ctx, opts.fiscalCode);
    if (readable && !readable.includes(org.id)) throw new DomainError('organisation_not_found', { code: opts.fiscalCode.slice(0, 20) });
    organisationIds = [org.id];
  }
  const size = opts.pageSize ?? PAGE_SIZE;
  const filter = { ...(organisationIds ? { organisationIds } : {}), ...(opts.kinds?.length ? { kinds: opts.kinds } : {}) };
  const total = await ctx.repos.cmdb.countItems(filter);
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  const items = await ctx.repos.cmdb.listItems({ ...filter, limit: size, offset: (page - 1) * size });
  return { items, total, page, pages };
}
