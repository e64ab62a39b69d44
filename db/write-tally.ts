/**
 * What one transaction wrote so far that wakes background work (see `Written` in core): the
 * repositories that write such rows count them here, and `KyselyStore.transaction` reports the
 * tally once the transaction committed.
 */
export interface WriteTally {
  outbox: number;
  slaEvents: number;
}
