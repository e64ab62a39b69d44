/**
 * One process-wide source of "the dashboard's data changed" (the database listener), fanned out
 * to every open stream and coalesced: the first change after a quiet second is passed on at
 * once, later ones within the second become one trailing event. A burst of a thousand alerts
 * costs each page one refresh a second, not a thousand.
 */

/** The database listener's side: `listenDashboardChanges` (db/dashboard-feed.ts) fits. */
export interface DashboardChanges {
  subscribe(listener: () => void): () => void;
}

export interface ChangeHub {
  subscribe(listener: () => void): () => void;
  close(): void;
}

export function createChangeHub(source: DashboardChanges, opts: { readonly coalesceMs: number }): ChangeHub {
  const listeners = new Set<() => void>();
  let last = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;

  const emit = () => {
    timer = undefined;
    last = Date.now();
    for (const l of listeners) l();
  };
  const off = source.subscribe(() => {
    if (timer || listeners.size === 0) return;
    const wait = last + opts.coalesceMs - Date.now();
    if (wait <= 0) emit();
    else timer = setTimeout(emit, wait);
  });

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      off();
      if (timer) clearTimeout(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
