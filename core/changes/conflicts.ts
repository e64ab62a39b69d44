/**
 * Conflicts on the change calendar: two changes whose windows overlap and that touch the same
 * configuration item or the same organisation (one organisation's staff cannot live through two
 * changes at once, and one machine cannot be changed twice at once). Pure.
 */
import { overlaps } from './change-window.ts';

export interface Planned {
  readonly ref: string;
  readonly organisationId: string;
  readonly start: Date;
  readonly end: Date;
  readonly itemIds: readonly string[];
}

export interface Conflict {
  readonly a: string;
  readonly b: string;
  /** `item`: they touch the same configuration item (its id in `itemIds`); `organisation`: only the same organisation. */
  readonly reason: 'item' | 'organisation';
  readonly itemIds: readonly string[];
}

/** Why `a` and `b` conflict, or undefined when they do not. */
export function conflictBetween(a: Planned, b: Planned): Conflict | undefined {
  if (a.ref === b.ref || !overlaps(a, b)) return undefined;
  const shared = a.itemIds.filter((id) => b.itemIds.includes(id));
  if (shared.length) return { a: a.ref, b: b.ref, reason: 'item', itemIds: shared };
  if (a.organisationId === b.organisationId) return { a: a.ref, b: b.ref, reason: 'organisation', itemIds: [] };
  return undefined;
}

/** Every conflicting pair among `planned`, each once, in calendar order. */
export function findConflicts(planned: readonly Planned[]): Conflict[] {
  const sorted = [...planned].sort((x, y) => x.start.getTime() - y.start.getTime() || x.ref.localeCompare(y.ref));
  const out: Conflict[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as Planned;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as Planned;
      if (b.start.getTime() >= a.end.getTime()) break;
      const c = conflictBetween(a, b);
      if (c) out.push(c);
    }
  }
  return out;
}

/** The conflicts of one change with the others. */
export function conflictsOf(change: Planned, others: readonly Planned[]): Conflict[] {
  return others.flatMap((o) => conflictBetween(change, o) ?? []);
}
