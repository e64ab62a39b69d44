/**
 * The intake's device step offers the requester's organisation's configuration items: the best
 * matches of what the first message says first (its words in an item's name, its id, the kind of
 * thing it names), at most eight, plus "Altro / non so". A device typed later that names one item
 * (by `CI-000007` or its name, any case) is that item; anything else stays the requester's words.
 */
import { categoryOfKind, categoryOfText } from '../cmdb/model.ts';
import type { DeviceCandidate } from '../cmdb/ports.ts';
import { ConfigurationItemRef, ciLabel } from '../kernel/configuration-item.ts';
import type { UseCaseContext } from '../kernel/context.ts';
import type { DeviceChoice } from './dialog-state.ts';

export const MAX_CHOICES = 8;
/** An organisation with more items than this is offered the best matches among its first ones by kind and name. */
const CANDIDATES = 300;

const fold = (s: string) =>
  ` ${s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;

const choiceOf = (item: DeviceCandidate): DeviceChoice => ({ id: item.id, label: ciLabel(item), kind: item.kind });

/** How well the text names the item: its id or whole name 10, each word of its name 2, its kind 1. */
function score(item: DeviceCandidate, folded: string, category: string | null): number {
  let s = 0;
  const ref = ConfigurationItemRef.format(item.number).toLowerCase();
  if (folded.includes(` ${ref.replace('-', ' ')} `) || folded.includes(` ci ${item.number} `)) s += 10;
  const name = fold(item.name);
  if (name.trim().length >= 2 && folded.includes(name)) s += 10;
  for (const w of name.trim().split(' ')) if (w.length >= 3 && folded.includes(` ${w} `)) s += 2;
  if (category && categoryOfKind(item.kind) === category) s += 1;
  return s;
}

/**
 * The choices for the device step, best first, and the one item the first message clearly names
 * (by id or whole name), if exactly one does.
 */
export async function deviceChoices(
  ctx: UseCaseContext,
  organisationId: string,
  text: string,
): Promise<{ readonly choices: DeviceChoice[]; readonly named?: DeviceChoice }> {
  const items = await ctx.repos.cmdb.deviceCandidates(organisationId, CANDIDATES);
  if (items.length === 0) return { choices: [] };
  const folded = fold(text);
  const category = categoryOfText(text);
  const ranked = items
    .map((item) => ({ item, score: score(item, folded, category) }))
    .sort((a, b) => b.score - a.score || a.item.number - b.item.number);
  const clear = ranked.filter((r) => r.score >= 10);
  const named = clear.length === 1 && clear[0] ? choiceOf(clear[0].item) : undefined;
  return { choices: ranked.slice(0, MAX_CHOICES).map((r) => choiceOf(r.item)), ...(named ? { named } : {}) };
}

/** The organisation's item a typed device names exactly (id or name, any case), if any. */
export async function matchTypedDevice(ctx: UseCaseContext, organisationId: string, text: string): Promise<DeviceChoice | undefined> {
  const typed = text.trim();
  if (!typed || typed.length > 120) return undefined;
  const [item] = await ctx.repos.monitoring.findConfigurationItemsByName(typed, [organisationId]);
  return item && item.status !== 'retired' ? choiceOf(item) : undefined;
}
